package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.SigmoidGrad;
import org.tensorflow.types.family.TType;

/**
 * SigmoidGrad(y, dy) = dy · y(1 − y), with y = σ(x) the forward output: d/dy = upstream · dy · (1 − 2y), and
 * d/d(dy) = SigmoidGrad(y, upstream).
 */
final class SigmoidGradGradient implements OpGradient<SigmoidGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<SigmoidGrad.Inputs<?>> inputsClass() {
        return (Class) SigmoidGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, SigmoidGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TType> up = GradOps.as(upstream.get(0));
        Operand<TType> y = GradOps.as(op.y);
        Operand<TType> dy = GradOps.as(op.dy);
        Operand<TType> one = GradOps.as(tf.dtypes.cast(tf.constant(1.0), y.type()));
        Operand<TType> two = GradOps.as(tf.dtypes.cast(tf.constant(2.0), y.type()));
        Operand<TType> slope = tf.math.sub(one, tf.math.mul(two, y));
        return List.of(tf.math.mul(tf.math.mul(up, dy), slope), tf.math.sigmoidGrad(y, up));
    }
}
