package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.TanhGrad;
import org.tensorflow.types.family.TType;

/**
 * TanhGrad(y, dy) = dy · (1 − y²), with y = tanh(x) the forward output: d/dy = −2 · upstream · dy · y, and
 * d/d(dy) = TanhGrad(y, upstream).
 */
final class TanhGradGradient implements OpGradient<TanhGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<TanhGrad.Inputs<?>> inputsClass() {
        return (Class) TanhGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, TanhGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TType> up = GradOps.as(upstream.get(0));
        Operand<TType> y = GradOps.as(op.y);
        Operand<TType> dy = GradOps.as(op.dy);
        Operand<TType> minusTwo = GradOps.as(tf.dtypes.cast(tf.constant(-2.0), y.type()));
        return List.of(tf.math.mul(minusTwo, tf.math.mul(tf.math.mul(up, dy), y)), tf.math.tanhGrad(y, up));
    }
}
