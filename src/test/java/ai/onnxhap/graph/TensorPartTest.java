package ai.onnxhap.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What training and scoring read: the logits behind a final Softmax, the tensor behind a ZipMap. */
class TensorPartTest {
    private static OnnxModel fixture(String name) {
        return ModelIO.load(TestModels.testdata().resolve("foreign_styles").resolve(name + ".onnx"));
    }

    @Test
    void aKerasSoftmaxOutputIsTrainedOnItsLogits() {
        OnnxModel keras = fixture("tf2onnx_reshape_c1");
        TensorPart part = TensorPart.of(keras);
        Graph g = Graph.of(keras);
        Node softmax = g.producer(g.outputs().get(0).name()).orElseThrow();
        assertEquals("Softmax", softmax.opType());
        assertEquals(softmax.input(0), part.output());
        // the cut model runs, and softmax of its output is the original output
        var inputs = OrtShapeOracle.syntheticInputs(g, InputShapes.resolve(g, Map.of(), 3), 1);
        Tensor probs = run(keras, inputs).values().iterator().next();
        Tensor logits = run(part.model(), inputs).get(part.output());
        assertEquals(3 * 10, logits.size());
        float[] l = logits.floats();
        float[] p = probs.floats();
        for (int row = 0; row < 3; row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 10; c++) {
                max = Math.max(max, l[row * 10 + c]);
            }
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                sum += Math.exp(l[row * 10 + c] - max);
            }
            for (int c = 0; c < 10; c++) {
                assertEquals(p[row * 10 + c], Math.exp(l[row * 10 + c] - max) / sum, 1e-6);
            }
        }
    }

    @Test
    void aZipMapClassifierIsTrainedOnTheTensorBehindIt() {
        OnnxModel coreml = fixture("coreml_zipmap");
        TensorPart part = TensorPart.of(coreml);
        Graph cut = Graph.of(part.model());
        assertEquals(1, cut.outputs().size());
        assertEquals(part.output(), cut.outputs().get(0).name());
        assertEquals("Gemm", cut.producer(part.output()).orElseThrow().opType(), "logits behind the Softmax");
        assertEquals(0, cut.nodes().stream().filter(n -> n.domain().equals("ai.onnx.ml")).count());
    }

    @Test
    void aModelWithOneLogitOutputIsItsOwnTensorPart() {
        OnnxModel mlp = OnnxModel.of(TestModels.mlp(-1, 16, 8, 4, 2).proto());
        TensorPart part = TensorPart.of(mlp);
        assertSame(mlp, part.model());
        assertEquals(Graph.of(mlp).outputs().get(0).name(), part.output());
    }

    private static Map<String, Tensor> run(OnnxModel m, Map<String, Tensor> inputs) {
        try (OrtModel ort = OrtModel.open(m)) {
            return ort.run(inputs);
        }
    }
}
