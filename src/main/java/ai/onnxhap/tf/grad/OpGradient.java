package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.RawOpInputs;

/**
 * The gradient of one TF op type: given the gradient flowing into the op's output, the gradient with respect to
 * each of its inputs.
 *
 * @param <T> the op's generated inputs class, which names the op type and carries its attributes
 */
public interface OpGradient<T extends RawOpInputs<?>> {
    Class<T> inputsClass();

    /**
     * @param op       the op being differentiated, its inputs and attributes
     * @param upstream the gradient of the differentiated scalar with respect to each of the op's outputs
     * @return one gradient per op input, in input order; zeros (never null: TF Java cannot pass "no gradient")
     *         where nothing flows back, e.g. to an integer shape input
     */
    List<Operand<?>> gradients(Ops tf, T op, List<Output<?>> upstream);
}
