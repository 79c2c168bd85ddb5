package ai.onnxhap.tf.grad;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.op.core.StridedSliceGrad;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * StridedSliceGrad(shape, begin, end, strides, dy) writes dy into zeros of {@code shape} at the slice: linear in
 * dy, and its adjoint is the slice itself, so d/d(dy) = StridedSlice(upstream) with the same bounds and masks.
 * The integer shape and bounds get none. ONNX Slice (rotary halves, causal-mask windows) brings it in.
 */
final class StridedSliceGradGradient implements OpGradient<StridedSliceGrad.Inputs<?, ?>> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<StridedSliceGrad.Inputs<?, ?>> inputsClass() {
        return (Class) StridedSliceGrad.Inputs.class;
    }

    @Override
    public List<Operand<?>> gradients(Ops tf, StridedSliceGrad.Inputs<?, ?> op, List<Output<?>> upstream) {
        Operand<TType> up = GradOps.as(upstream.get(0));
        Operand<TNumber> begin = GradOps.as(op.begin);
        Operand<?> ddy = tf.stridedSlice(up, begin, GradOps.<TNumber>as(op.end), GradOps.<TNumber>as(op.strides),
                StridedSlice.beginMask(op.beginMask), StridedSlice.endMask(op.endMask),
                StridedSlice.ellipsisMask(op.ellipsisMask), StridedSlice.newAxisMask(op.newAxisMask),
                StridedSlice.shrinkAxisMask(op.shrinkAxisMask));
        return List.of(GradOps.none(tf, op.shape), GradOps.none(tf, op.begin), GradOps.none(tf, op.end),
                GradOps.none(tf, op.strides), ddy);
    }
}
