package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.ReluGrad;
import org.tensorflow.types.family.TNumber;

/**
 * ReluGrad(dy, x) = dy · 1[x > 0]: linear in dy, so d/d(dy) masks the upstream gradient the same way; the mask is
 * piecewise constant in x, so d/dx = 0 (almost everywhere).
 */
final class ReluGradGradient implements OpGradient<ReluGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<ReluGrad.Inputs<?>> inputsClass() {
        return (Class) ReluGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, ReluGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TNumber> up = GradOps.as(upstream.get(0));
        Operand<TNumber> x = GradOps.as(op.features);
        return List.of(tf.nn.reluGrad(up, x), GradOps.none(tf, op.features));
    }
}
