package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.AvgPool;
import org.tensorflow.op.nn.AvgPoolGrad;
import org.tensorflow.types.family.TNumber;

/**
 * AvgPoolGrad(input_shape, dy) spreads each window's dy evenly over the window; it is the adjoint of AvgPool, so
 * its gradient with respect to dy is AvgPool of the upstream gradient with the same windows. The integer shape
 * input gets none.
 */
final class AvgPoolGradGradient implements OpGradient<AvgPoolGrad.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<AvgPoolGrad.Inputs<?>> inputsClass() {
        return (Class) AvgPoolGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, AvgPoolGrad.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TNumber> up = GradOps.as(upstream.get(0));
        Operand<?> ddy = tf.nn.avgPool(up, Conv2dBackpropFilterGradient.boxed(op.ksize),
                Conv2dBackpropFilterGradient.boxed(op.strides), op.padding, AvgPool.dataFormat(op.dataFormat));
        return List.of(GradOps.none(tf, op.origInputShape), ddy);
    }
}
