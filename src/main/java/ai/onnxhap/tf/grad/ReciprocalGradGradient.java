package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.ReciprocalGrad;
import org.tensorflow.types.family.TType;

/**
 * ReciprocalGrad(y, dy) = −dy · y², with y = 1/x the forward output: d/dy = −2 · upstream · dy · y, and
 * d/d(dy) = ReciprocalGrad(y, upstream). RMSNorm exported as Sqrt then Reciprocal brings it in.
 */
final class ReciprocalGradGradient implements OpGradient<ReciprocalGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<ReciprocalGrad.Inputs<?>> inputsClass() {
        return (Class) ReciprocalGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, ReciprocalGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TType> up = GradOps.as(upstream.get(0));
        Operand<TType> y = GradOps.as(op.y);
        Operand<TType> dy = GradOps.as(op.dy);
        Operand<TType> minusTwo = GradOps.as(tf.dtypes.cast(tf.constant(-2.0), y.type()));
        return List.of(tf.math.mul(minusTwo, tf.math.mul(tf.math.mul(up, dy), y)), tf.math.reciprocalGrad(y, up));
    }
}
