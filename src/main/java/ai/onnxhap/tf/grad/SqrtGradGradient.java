package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.SqrtGrad;
import org.tensorflow.types.family.TType;

/**
 * SqrtGrad(y, dy) = dy / (2y), with y = √x the forward output: d/dy = −upstream · out / y, d/d(dy) =
 * upstream / (2y). LayerNorm's standard deviation brings it into transformer losses.
 */
final class SqrtGradGradient implements OpGradient<SqrtGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<SqrtGrad.Inputs<?>> inputsClass() {
        return (Class) SqrtGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, SqrtGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TType> up = GradOps.as(upstream.get(0));
        Operand<TType> y = GradOps.as(op.y);
        Operand<TType> out = GradOps.as(op.getOutputs().asOutput());
        Operand<TType> upOverY = tf.math.div(up, y);
        Operand<TType> half = GradOps.as(tf.dtypes.cast(tf.constant(0.5), y.type()));
        return List.of(tf.math.neg(tf.math.mul(upOverY, out)), tf.math.mul(half, upOverY));
    }
}
