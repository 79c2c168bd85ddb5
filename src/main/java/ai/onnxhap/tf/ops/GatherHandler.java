package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TInt64;

/**
 * Gather, GatherElements and GatherND (batch_dims 0). ONNX allows negative indices, TF's CPU kernels do not:
 * they are wrapped first (in Java when the indices are constant).
 */
public final class GatherHandler implements OpHandler {
    private enum Kind { GATHER, ELEMENTS, ND }

    private final Kind kind;

    private GatherHandler(Kind kind) {
        this.kind = kind;
    }

    public static GatherHandler gather() {
        return new GatherHandler(Kind.GATHER);
    }

    public static GatherHandler elements() {
        return new GatherHandler(Kind.ELEMENTS);
    }

    public static GatherHandler nd() {
        return new GatherHandler(Kind.ND);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int r = ctx.rank(0);
        if (kind == Kind.ND) {
            if (ctx.node().attrInt("batch_dims", 0) != 0) {
                throw ctx.unsupported("batch_dims is not supported");
            }
            return List.of(tf.gatherNd(any(x), num(ctx.input(1))));
        }
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 0), r);
        Operand<TInt64> idx = wrapped(ctx, axis);
        if (kind == Kind.GATHER) {
            return List.of(tf.gather(any(x), idx, tf.constant(axis)));
        }
        return List.of(tf.gatherNd(any(x), elementCoordinates(ctx, idx, axis, r)));
    }

    /** [..., r] coordinates of every element of {@code idx}: its own position, with the index along axis. */
    static Operand<TInt64> elementCoordinates(NodeContext ctx, Operand<TInt64> idx, int axis, int r) {
        Ops tf = ctx.tf();
        long[] is = TfOps.shape(idx);
        if (!TfOps.isStatic(is)) {
            throw ctx.unsupported("needs static index shapes");
        }
        List<Operand<TInt64>> coords = new ArrayList<>();
        for (int d = 0; d < r; d++) {
            if (d == axis) {
                coords.add(idx);
                continue;
            }
            long[] shape = new long[r];
            java.util.Arrays.fill(shape, 1);
            shape[d] = is[d];
            Operand<TInt64> range = tf.reshape(tf.range(tf.constant(0L), tf.constant(is[d]), tf.constant(1L)),
                    tf.constant(shape));
            coords.add(tf.broadcastTo(range, tf.constant(is)));
        }
        return tf.stack(coords, Stack.axis((long) r));
    }

    /** Indices (input 1, or {@code input}) as int64 with negative ones made positive. */
    static Operand<TInt64> wrapped(NodeContext ctx, int axis) {
        Ops tf = ctx.tf();
        long dim = ctx.shape(0)[axis];
        Optional<Tensor> known = ctx.constantIfKnown(1);
        if (known.isPresent() && dim >= 0) {
            long[] v = known.get().toLongs();
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] < 0 ? v[i] + dim : v[i];
            }
            return any(TfOps.constant(tf, Tensor.ofLongs("indices", known.get().shape(), v)));
        }
        Operand<TInt64> idx = any(TfOps.cast(tf, ctx.input(1), TInt64.class));
        Operand<TInt64> size = TfOps.dim(tf, ctx.input(0), axis);
        return tf.select(tf.math.less(idx, tf.constant(0L)), tf.math.add(idx, size), idx);
    }
}
