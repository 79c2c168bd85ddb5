package ai.onnxhap.tf.train;

import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * What training needs from a TF graph built from an ONNX model: its session (variables live there), the
 * placeholders of the model inputs, an output, and the trainable parameters by ONNX initializer name.
 */
public interface TrainableGraph {
    Graph graph();

    Ops tf();

    Session session();

    /** Model inputs by ONNX input name. */
    Map<String, Placeholder<?>> inputs();

    Operand<TFloat32> output(String onnxOutput);

    /** Trainable parameters by ONNX initializer name, in a stable order. */
    Map<String, Variable<TFloat32>> parameters();
}
