package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;

/** Expand (two-way broadcast to a shape) and Tile (repeats). Both take run-time shapes. */
public final class BroadcastHandler implements OpHandler {
    private final boolean tile;

    private BroadcastHandler(boolean tile) {
        this.tile = tile;
    }

    public static BroadcastHandler expand() {
        return new BroadcastHandler(false);
    }

    public static BroadcastHandler tile() {
        return new BroadcastHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        if (tile) {
            // int32 multiples: TF's C++ gradient of Tile stacks them with an int32 shape
            return List.of(tf.tile(any(x), tf.dtypes.cast(ctx.input(1), TInt32.class)));
        }
        // int32 shapes: TF's C++ gradient of BroadcastTo pairs the target with an int32 Shape
        long[] xs = ctx.shape(0);
        Optional<Tensor> target = ctx.constantIfKnown(1);
        if (target.isPresent() && TfOps.isStatic(xs)) {
            return List.of(tf.broadcastTo(any(x), TfOps.ints(tf, broadcast(ctx, xs, target.get().toLongs()))));
        }
        Operand<TInt32> shape = any(TfOps.cast(tf, ctx.input(1), TInt32.class));
        return List.of(tf.broadcastTo(any(x), tf.broadcastDynamicShape(tf.shape(any(x)), shape)));
    }

    /** NumPy's broadcast of two static shapes. */
    static long[] broadcast(NodeContext ctx, long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.length ? 1 : a[i - (r - a.length)];
            long db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw ctx.unsupported("shapes " + java.util.Arrays.toString(a) + " and "
                        + java.util.Arrays.toString(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }
}
