package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/** ArgMax and ArgMin (keepdims, select_last_index by searching the reversed axis). */
public final class ArgHandler implements OpHandler {
    private final boolean max;

    private ArgHandler(boolean max) {
        this.max = max;
    }

    public static ArgHandler argMax() {
        return new ArgHandler(true);
    }

    public static ArgHandler argMin() {
        return new ArgHandler(false);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 0), ctx.rank(0));
        boolean last = ctx.node().attrInt("select_last_index", 0) != 0;
        if (last) {
            x = tf.reverse(any(x), tf.constant(new int[] {axis}));
        }
        Operand<TInt64> idx = max ? tf.math.argMax(x, tf.constant(axis), TInt64.class)
                : tf.math.argMin(x, tf.constant(axis), TInt64.class);
        if (last) {
            Operand<TInt64> top = tf.math.sub(TfOps.dim(tf, x, axis), tf.constant(1L));
            idx = tf.math.sub(top, idx);
        }
        if (ctx.node().attrInt("keepdims", 1) != 0) {
            return List.of(tf.expandDims(idx, tf.constant(axis)));
        }
        return List.of(num(idx));
    }
}
