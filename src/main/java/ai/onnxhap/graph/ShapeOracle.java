package ai.onnxhap.graph;

import ai.onnxhap.model.OnnxModel;
import java.util.Map;

/**
 * Static shapes of every value in a model's main graph for given input shapes. The exact
 * implementation runs the model once in ONNX Runtime (validate package); graph code only needs the answer.
 */
@FunctionalInterface
public interface ShapeOracle {
    Map<String, long[]> shapes(OnnxModel model, Map<String, long[]> inputShapes);
}
