package ai.onnxhap.tf.grad;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropFilter;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.types.family.TNumber;

/**
 * Conv2DBackpropFilter(x, filter_sizes, dy) = ∂(Σ dy·conv(x, W))/∂W is bilinear in x and dy: with the upstream
 * gradient U shaped like a filter, d/dx = Conv2DBackpropInput(shape(x), U, dy) and d/d(dy) = Conv2D(x, U), both
 * with the op's own strides, padding, dilations and layout.
 */
final class Conv2dBackpropFilterGradient implements OpGradient<Conv2dBackpropFilter.Inputs<?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<Conv2dBackpropFilter.Inputs<?>> inputsClass() {
        return (Class) Conv2dBackpropFilter.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, Conv2dBackpropFilter.Inputs<?> op, List<Output<?>> upstream) {
        Operand<TNumber> up = GradOps.as(upstream.get(0));
        Operand<TNumber> x = GradOps.as(op.input);
        Operand<TNumber> dy = GradOps.as(op.outBackprop);
        List<Long> strides = boxed(op.strides);
        Operand<?> dx = tf.nn.conv2dBackpropInput(tf.shape(x), up, dy, strides, op.padding,
                Conv2dBackpropInput.dilations(boxed(op.dilations)),
                Conv2dBackpropInput.explicitPaddings(boxed(op.explicitPaddings)),
                Conv2dBackpropInput.dataFormat(op.dataFormat));
        Operand<?> ddy = tf.nn.conv2d(x, up, strides, op.padding, Conv2d.dilations(boxed(op.dilations)),
                Conv2d.explicitPaddings(boxed(op.explicitPaddings)), Conv2d.dataFormat(op.dataFormat));
        return List.of(dx, GradOps.none(tf, op.filterSizes), ddy);
    }

    static List<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
