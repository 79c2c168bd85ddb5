package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;

/**
 * MaxPool and AveragePool (1-D to 3-D, pads, auto_pad, ceil_mode, count_include_pad, dilations). Pads that
 * TF's SAME reproduces use it; other pads are explicit (-inf for max; for average the divisor comes from
 * pooling a mask of the positions that count). Dilated windows are gathered as shifted strided slices.
 */
public final class PoolHandler implements OpHandler {
    private final boolean max;

    private PoolHandler(boolean max) {
        this.max = max;
    }

    public static PoolHandler maxPool() {
        return new PoolHandler(true);
    }

    public static PoolHandler averagePool() {
        return new PoolHandler(false);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        if (ctx.outputCount() > 1 && ctx.wantsOutput(1)) {
            throw ctx.unsupported("the Indices output of MaxPool is not supported");
        }
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        long[] xs = ctx.shape(0);
        int n = xs.length - 2;
        if (n < 1 || n > 3) {
            throw ctx.unsupported("only 1-D, 2-D and 3-D pooling is supported");
        }
        long[] in = Arrays.copyOfRange(xs, 2, xs.length);
        Spatial sp = Spatial.of(ctx, in, null);
        if (n == 1) {
            x = tf.expandDims(any(x), tf.constant(2));
            sp = sp.as2d();
            in = Spatial.prepend(in, 1);
        }
        long[] extra = ceilExtension(ctx, sp, in);
        long[] end = new long[sp.n];
        for (int i = 0; i < sp.n; i++) {
            end[i] = sp.padEnd[i] + extra[i];
        }
        Operand<?> xl = Spatial.channelsLast(tf, x);
        boolean includePad = ctx.node().attrInt("count_include_pad", 0) != 0;
        Operand<?> y = sp.unitDilations() ? pool(tf, xl, sp, in, end, includePad)
                : dilated(ctx, xl, sp, in, end, includePad);
        y = Spatial.channelsFirst(tf, y);
        if (n == 1) {
            y = tf.squeeze(any(y), Squeeze.axis(List.of(2L)));
        }
        return List.of(y);
    }

    /** ceil_mode: padding at the end that makes room for the last partial window (never counted). */
    private static long[] ceilExtension(NodeContext ctx, Spatial sp, long[] in) {
        long[] extra = new long[sp.n];
        if (ctx.node().attrInt("ceil_mode", 0) == 0) {
            return extra;
        }
        for (int i = 0; i < sp.n; i++) {
            if (in[i] < 0) {
                throw ctx.unsupported("ceil_mode needs static spatial input sizes");
            }
            long padded = in[i] + sp.padBegin[i] + sp.padEnd[i];
            long out = Math.floorDiv(padded - sp.span(i) + sp.strides[i] - 1, sp.strides[i]) + 1;
            if ((out - 1) * sp.strides[i] >= in[i] + sp.padBegin[i]) {
                out--; // the last window would start in the end padding
            }
            extra[i] = Math.max(0, (out - 1) * sp.strides[i] + sp.span(i) - padded);
        }
        return extra;
    }

    private Operand<?> pool(Ops tf, Operand<?> x, Spatial sp, long[] in, long[] end, boolean includePad) {
        boolean padded = sp.hasPadding() || Arrays.stream(end).anyMatch(e -> e != 0);
        if (!padded) {
            return tfPool(tf, x, sp, "VALID");
        }
        if ((max || !includePad) && sp.isTfSame(in, end)) {
            return tfPool(tf, x, sp, "SAME"); // TF's SAME pools skip the padding, like ONNX here
        }
        if (max) {
            return tfPool(tf, Spatial.pad(tf, x, sp.padBegin, end, lowest(x)), sp, "VALID");
        }
        Operand<?> sum = tfPool(tf, Spatial.pad(tf, x, sp.padBegin, end, 0), sp, "VALID");
        return tf.math.div(num(sum), num(tfPool(tf, countMask(tf, x, sp, end, includePad), sp, "VALID")));
    }

    /** Ones on the positions an average counts (input, and explicit pads when included), zeros elsewhere. */
    private static Operand<?> countMask(Ops tf, Operand<?> x, Spatial sp, long[] end, boolean includePad) {
        int r = sp.n + 2;
        long[] begin = new long[r];
        long[] size = new long[r];
        Arrays.fill(size, -1);
        size[0] = 1;
        size[r - 1] = 1;
        Operand<?> one = tf.onesLike(any(tf.slice(any(x), TfOps.ints(tf, begin), TfOps.ints(tf, size))));
        Operand<?> mask = Spatial.pad(tf, one, sp.padBegin, sp.padEnd, includePad ? 1 : 0);
        long[] extra = new long[sp.n];
        for (int i = 0; i < sp.n; i++) {
            extra[i] = end[i] - sp.padEnd[i];
        }
        return Spatial.pad(tf, mask, new long[sp.n], extra, 0);
    }

    private Operand<?> tfPool(Ops tf, Operand<?> x, Spatial sp, String padding) {
        List<Long> k = Spatial.tfList(sp.kernel);
        List<Long> s = Spatial.tfList(sp.strides);
        if (sp.n == 2) {
            return max ? tf.nn.maxPool(num(x), TfOps.ints(tf, k.stream().mapToLong(Long::longValue).toArray()),
                    TfOps.ints(tf, s.stream().mapToLong(Long::longValue).toArray()), padding)
                    : tf.nn.avgPool(num(x), k, s, padding);
        }
        return max ? tf.nn.maxPool3d(num(x), k, s, padding) : tf.nn.avgPool3d(num(x), k, s, padding);
    }

    /** Windows with holes: the max (or sum) over kernel offsets of strided slices of the padded input. */
    private Operand<?> dilated(NodeContext ctx, Operand<?> x, Spatial sp, long[] in, long[] end, boolean includePad) {
        Ops tf = ctx.tf();
        long[] out = new long[sp.n];
        for (int i = 0; i < sp.n; i++) {
            if (in[i] < 0) {
                throw ctx.unsupported("dilated pooling needs static spatial input sizes");
            }
            out[i] = (in[i] + sp.padBegin[i] + end[i] - sp.span(i)) / sp.strides[i] + 1;
        }
        Operand<?> xp = Spatial.pad(tf, x, sp.padBegin, end, max ? lowest(x) : 0);
        Operand<?> acc = combineWindows(tf, xp, sp, out);
        if (max) {
            return acc;
        }
        Operand<?> count = combineWindows(tf, countMask(tf, x, sp, end, includePad), sp, out);
        return tf.math.div(num(acc), num(count));
    }

    private Operand<?> combineWindows(Ops tf, Operand<?> xp, Spatial sp, long[] out) {
        int r = sp.n + 2;
        Operand<?> acc = null;
        long[] offset = new long[sp.n];
        for (boolean more = true; more; ) {
            long[] begin = new long[r];
            long[] stop = new long[r];
            long[] step = new long[r];
            Arrays.fill(step, 1);
            stop[0] = Integer.MAX_VALUE;
            stop[r - 1] = Integer.MAX_VALUE;
            for (int i = 0; i < sp.n; i++) {
                begin[i + 1] = offset[i] * sp.dilations[i];
                stop[i + 1] = begin[i + 1] + (out[i] - 1) * sp.strides[i] + 1;
                step[i + 1] = sp.strides[i];
            }
            Operand<?> slice = tf.stridedSlice(any(xp), TfOps.ints(tf, begin), TfOps.ints(tf, stop),
                    TfOps.ints(tf, step));
            acc = acc == null ? slice : max ? tf.math.maximum(num(acc), num(slice)) : tf.math.add(num(acc), num(slice));
            more = false;
            for (int i = sp.n - 1; i >= 0 && !more; i--) {
                offset[i]++;
                if (offset[i] < sp.kernel[i]) {
                    more = true;
                } else {
                    offset[i] = 0;
                }
            }
        }
        return acc;
    }

    private static double lowest(Operand<?> x) {
        return TfOps.isFloating(x) ? Double.NEGATIVE_INFINITY : Integer.MIN_VALUE;
    }

    /** GlobalAveragePool / GlobalMaxPool: a reduction over the spatial axes, no layout change needed. */
    public static OpHandler global(boolean max) {
        return ctx -> {
            Ops tf = ctx.tf();
            int r = ctx.rank(0);
            Operand<org.tensorflow.types.TInt32> axes = TfOps.ints(tf, Axes.range(2, r));
            Operand<?> x = ctx.input(0);
            return List.of(max ? tf.reduceMax(any(x), axes, org.tensorflow.op.core.ReduceMax.keepDims(true))
                    : tf.math.mean(any(x), axes, org.tensorflow.op.math.Mean.keepDims(true)));
        };
    }
}
