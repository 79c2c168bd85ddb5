package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.MaxPoolGrad;
import org.tensorflow.op.nn.MaxPoolGradGrad;
import org.tensorflow.types.family.TNumber;

/**
 * MaxPoolGradV2(x, y, dy, ksize, strides) routes each window's dy to its arg-max: linear in dy, whose gradient
 * gathers the upstream gradient back from the arg-max positions (TF's MaxPoolGradGradV2); which position wins is
 * piecewise constant in x and y, so their gradients are 0 (almost everywhere), as are those of the integer window
 * sizes.
 */
final class MaxPoolGradGradient implements OpGradient<MaxPoolGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<MaxPoolGrad.Inputs<?>> inputsClass() {
        return (Class) MaxPoolGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, MaxPoolGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TNumber> up = GradOps.as(upstream.get(0));
        Operand<?> ddy = tf.nn.maxPoolGradGrad(GradOps.<TNumber>as(op.origInput), GradOps.as(op.origOutput), up,
                op.ksize, op.strides, op.padding, MaxPoolGradGrad.dataFormat(op.dataFormat));
        return List.of(GradOps.none(tf, op.origInput), GradOps.none(tf, op.origOutput), ddy,
                GradOps.none(tf, op.ksize), GradOps.none(tf, op.strides));
    }
}
