package ai.onnxhap.tf;

import java.util.List;
import org.tensorflow.Operand;

/**
 * Translates one ONNX node into TensorFlow ops. Implementations live in {@code ai.onnxhap.tf.ops}; the
 * {@link OpHandlers} registry picks the one for the model's opset.
 */
@FunctionalInterface
public interface OpHandler {
    /**
     * The TF values of the node's outputs in ONNX order. The list may be shorter than the node's outputs
     * or hold {@code null} for optional outputs the translation does not produce; asking for those fails.
     */
    List<Operand<?>> translate(NodeContext ctx);

    /** How the op reads its {@code input}-th input when that input is an initializer. */
    default InputRole inputRole(int input) {
        return InputRole.DATA;
    }

    /** What an initializer is to the op that reads it; decides trainable vs frozen parameters (later wins). */
    enum InputRole {
        /** Plain operand: a floating initializer with more than one element counts as a parameter. */
        DATA,
        /** State that is not learned by gradient descent (BatchNorm running statistics, RNN initial state). */
        FROZEN,
        /** A learned weight (Conv kernel, bias, norm scale, RNN matrices): trainable. */
        WEIGHT,
        /** Read while the graph is built (Resize scales, ...): stays a constant whatever else reads it. */
        CONSTANT
    }
}
