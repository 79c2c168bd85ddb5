package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;

/** Trilu: keeps the upper (j − i ≥ k) or lower (j − i ≤ k) triangle of the last two axes. */
public final class TriluHandler implements OpHandler {
    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int r = ctx.rank(0);
        Operand<TInt64> k = ctx.hasInput(1)
                ? tf.reshape(tf.dtypes.cast(ctx.input(1), TInt64.class), tf.constant(new int[0])) : tf.constant(0L);
        Operand<TInt64> rows = tf.range(tf.constant(0L), TfOps.dim(tf, x, r - 2), tf.constant(1L));
        Operand<TInt64> cols = tf.range(tf.constant(0L), TfOps.dim(tf, x, r - 1), tf.constant(1L));
        Operand<TInt64> diff = tf.math.sub(tf.expandDims(cols, tf.constant(0)), tf.expandDims(rows, tf.constant(1)));
        Operand<TBool> keep = ctx.node().attrInt("upper", 1) != 0
                ? tf.math.greaterEqual(diff, k) : tf.math.lessEqual(diff, k);
        return List.of(tf.select(keep, any(x), any(tf.zerosLike(any(x)))));
    }
}
