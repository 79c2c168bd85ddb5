package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.RsqrtGrad;
import org.tensorflow.types.family.TType;

/**
 * RsqrtGrad(y, dy) = −dy · y³ / 2, with y = 1/√x the forward output: d/dy = −3/2 · upstream · dy · y², and
 * d/d(dy) = RsqrtGrad(y, upstream). LayerNormalization's 1/σ brings it into every transformer loss.
 */
final class RsqrtGradGradient implements OpGradient<RsqrtGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<RsqrtGrad.Inputs<?>> inputsClass() {
        return (Class) RsqrtGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, RsqrtGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TType> up = GradOps.as(upstream.get(0));
        Operand<TType> y = GradOps.as(op.y);
        Operand<TType> dy = GradOps.as(op.dy);
        Operand<TType> factor = GradOps.as(tf.dtypes.cast(tf.constant(-1.5), y.type()));
        Operand<TType> dY = tf.math.mul(factor, tf.math.mul(tf.math.mul(up, dy), tf.math.square(y)));
        return List.of(dY, tf.math.rsqrtGrad(y, up));
    }
}
