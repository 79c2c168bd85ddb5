package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * Pad in modes constant, reflect, edge and wrap. Pads [x1_begin, x2_begin, ..., x1_end, ...] come from the
 * attribute (opsets 2–10) or input 1 (11 on; axes input from 18); negative pads crop. Constant mode is TF's
 * Pad; the others gather each axis with mapped indices (so they work for any pad width).
 */
public final class PadHandler implements OpHandler {
    private final boolean fromInputs;

    private PadHandler(boolean fromInputs) {
        this.fromInputs = fromInputs;
    }

    public static PadHandler fromAttributes() {
        return new PadHandler(false);
    }

    public static PadHandler fromInputs() {
        return new PadHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        long[] xs = ctx.shape(0);
        int r = xs.length;
        long[] pads = fromInputs ? ctx.longs(1) : ctx.node().attrInts("pads", null);
        if (pads == null) {
            throw ctx.unsupported("pads are missing");
        }
        int[] axes = fromInputs && ctx.inputCount() > 3 && ctx.hasInput(3)
                ? Axes.normalize(ctx, ctx.longs(3), r) : Axes.range(0, r);
        if (pads.length != 2 * axes.length) {
            throw ctx.unsupported(pads.length + " pads for " + axes.length + " axes");
        }
        long[] begin = new long[r];
        long[] end = new long[r];
        for (int i = 0; i < axes.length; i++) {
            begin[axes[i]] = pads[i];
            end[axes[i]] = pads[axes.length + i];
        }
        String mode = ctx.node().attrString("mode", "constant");
        if (mode.equals("constant")) {
            Operand<?> value = fromInputs && ctx.hasInput(2)
                    ? tf.reshape(any(ctx.input(2)), tf.constant(new long[0]))
                    : TfOps.scalarLike(tf, ctx.node().attrFloat("value", 0f), x);
            int[][] p = new int[r][2]; // int32 for TF's gradient of Pad
            boolean crop = false;
            for (int i = 0; i < r; i++) {
                p[i][0] = Math.toIntExact(Math.max(0, begin[i]));
                p[i][1] = Math.toIntExact(Math.max(0, end[i]));
                crop |= begin[i] < 0 || end[i] < 0;
            }
            Operand<?> y = tf.pad(any(x), tf.constant(p), any(value));
            return List.of(crop ? crop(ctx, y, begin, end) : y);
        }
        for (int a = 0; a < r; a++) {
            if (begin[a] == 0 && end[a] == 0) {
                continue;
            }
            long d = xs[a];
            if (d <= 0) {
                throw ctx.unsupported("mode " + mode + " needs static, non-empty padded axes");
            }
            long n = d + begin[a] + end[a];
            long[] idx = new long[(int) Math.max(0, n)];
            for (int j = 0; j < idx.length; j++) {
                idx[j] = source(mode, j - begin[a], d, ctx);
            }
            x = tf.gather(any(x), tf.constant(idx), tf.constant(a));
        }
        return List.of(x);
    }

    /** The input position that output position {@code i} (relative to the input's start) copies. */
    private static long source(String mode, long i, long d, NodeContext ctx) {
        return switch (mode) {
            case "edge" -> Math.max(0, Math.min(d - 1, i));
            case "wrap" -> Math.floorMod(i, d);
            case "reflect" -> {
                if (d == 1) {
                    yield 0;
                }
                long m = Math.floorMod(i, 2 * (d - 1));
                yield (d - 1) - Math.abs(m - (d - 1));
            }
            default -> throw ctx.unsupported("unknown pad mode '" + mode + "'");
        };
    }

    private static Operand<?> crop(NodeContext ctx, Operand<?> y, long[] begin, long[] end) {
        Ops tf = ctx.tf();
        int r = begin.length;
        long[] start = new long[r];
        long[] stop = new long[r];
        for (int i = 0; i < r; i++) {
            start[i] = Math.max(0, -begin[i]);
            stop[i] = end[i] < 0 ? end[i] : Integer.MAX_VALUE;
        }
        return tf.stridedSlice(any(y), TfOps.ints(tf, start), TfOps.ints(tf, stop),
                TfOps.ints(tf, Spatial.filled(r, 1)));
    }
}
