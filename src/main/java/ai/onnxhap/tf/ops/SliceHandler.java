package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Slice as TF's StridedSlice, whose clamping of out-of-range starts and ends (NumPy's) is ONNX's. Axes that
 * are not sliced take their full range through the begin/end masks. Starts and ends may be run-time values;
 * axes and steps must be known while building. Attributes before opset 10, inputs after.
 */
public final class SliceHandler implements OpHandler {
    /** Bounds are int32 (TF's C++ gradient of StridedSlice assumes it); larger ones clamp, which is the same. */
    private static final long HUGE = Integer.MAX_VALUE;
    private final boolean fromInputs;

    private SliceHandler(boolean fromInputs) {
        this.fromInputs = fromInputs;
    }

    public static SliceHandler fromAttributes() {
        return new SliceHandler(false);
    }

    public static SliceHandler fromInputs() {
        return new SliceHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        int r = ctx.rank(0);
        Optional<Tensor> starts;
        Optional<Tensor> ends;
        long[] axes;
        long[] steps = null;
        if (fromInputs) {
            starts = ctx.constantIfKnown(1);
            ends = ctx.constantIfKnown(2);
            axes = ctx.hasInput(3) ? ctx.longs(3) : null;
            steps = ctx.hasInput(4) ? ctx.longs(4) : null;
        } else {
            starts = Optional.of(vector(ctx.node().attrInts("starts", new long[0])));
            ends = Optional.of(vector(ctx.node().attrInts("ends", new long[0])));
            axes = ctx.node().attrInts("axes", null);
        }
        int count = (int) (fromInputs ? ctx.shape(1)[0] : starts.get().size());
        if (count < 0) {
            throw ctx.unsupported("the number of starts must be known while building");
        }
        int[] ax = axes == null ? Axes.range(0, count) : Axes.normalize(ctx, axes, r);
        long beginMask = (1L << r) - 1;
        long endMask = beginMask;
        long[] stride = new long[r];
        java.util.Arrays.fill(stride, 1);
        int[] position = new int[r];
        java.util.Arrays.fill(position, -1);
        for (int i = 0; i < ax.length; i++) {
            position[ax[i]] = i;
            beginMask &= ~(1L << ax[i]);
            endMask &= ~(1L << ax[i]);
            stride[ax[i]] = steps == null ? 1 : steps[i];
            if (stride[ax[i]] == 0) {
                throw ctx.unsupported("slice step 0");
            }
        }
        Operand<TInt32> begin = bounds(ctx, starts, 1, position);
        Operand<TInt32> end = bounds(ctx, ends, 2, position);
        return List.of(tf.stridedSlice(any(ctx.input(0)), begin, end, TfOps.ints(tf, stride),
                StridedSlice.beginMask(beginMask), StridedSlice.endMask(endMask)));
    }

    private static Tensor vector(long[] v) {
        return Tensor.ofLongs("", new long[] {v.length}, v);
    }

    /** Full-rank begin or end: the given values at the sliced axes, 0 (masked) elsewhere. */
    private static Operand<TInt32> bounds(NodeContext ctx, Optional<Tensor> known, int input, int[] position) {
        Ops tf = ctx.tf();
        if (known.isPresent()) {
            long[] v = known.get().toLongs();
            int[] out = new int[position.length];
            for (int a = 0; a < out.length; a++) {
                out[a] = position[a] < 0 ? 0 : (int) Math.max(-HUGE, Math.min(HUGE, v[position[a]]));
            }
            return tf.constant(out);
        }
        Operand<TInt64> wide = any(TfOps.cast(tf, ctx.input(input), TInt64.class));
        Operand<TInt32> v = tf.dtypes.cast(tf.clipByValue(wide, tf.constant(-HUGE), tf.constant(HUGE)), TInt32.class);
        List<Operand<TInt32>> parts = new ArrayList<>();
        for (int p : position) {
            parts.add(p < 0 ? tf.constant(new int[] {0}) : tf.gather(v, tf.constant(new int[] {p}), tf.constant(0)));
        }
        return tf.concat(parts, tf.constant(0));
    }
}
