package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.OnesLike;

/**
 * OnesLike(x) is constant in x. It seeds every first-order gradient (dL/dL = 1), so the second pass meets it on
 * its way back through the loss.
 */
final class OnesLikeGradient implements OpGradient<OnesLike.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<OnesLike.Inputs<?>> inputsClass() {
        return (Class) OnesLike.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, OnesLike.Inputs<?> op, List<Output<?>> upstream) {
        return List.of(GradOps.none(tf, op.x));
    }
}
