package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.OneHot;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** OneHot(indices, depth, [off, on]); negative indices count from depth. */
public final class OneHotHandler implements OpHandler {
    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<TInt64> depth = tf.reshape(tf.dtypes.cast(ctx.input(1), TInt64.class), tf.constant(new int[0]));
        Operand<TInt64> idx = tf.dtypes.cast(ctx.input(0), TInt64.class);
        idx = tf.select(tf.math.less(idx, tf.constant(0L)), tf.math.add(idx, depth), idx);
        Operand<?> values = ctx.input(2);
        Operand<?> off = tf.gather(any(values), tf.constant(0), tf.constant(0));
        Operand<?> on = tf.gather(any(values), tf.constant(1), tf.constant(0));
        long axis = ctx.node().attrInt("axis", -1);
        if (axis < -1) {
            axis += ctx.rank(0) + 1; // TF takes -1 only
        }
        return List.of(tf.oneHot(idx, tf.dtypes.cast(depth, TInt32.class), any(on), any(off), OneHot.axis(axis)));
    }
}
