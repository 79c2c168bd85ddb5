package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * TopK along {@code axis} (TF: the last axis, so others are moved there); k from the attribute (opset 1)
 * or input 1 (10 on); smallest values (largest=0, opset 11) as the top of the negated input.
 */
public final class TopKHandler implements OpHandler {
    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int r = ctx.rank(0);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", -1), r);
        boolean largest = ctx.node().attrInt("largest", 1) != 0;
        Operand<TInt32> k = ctx.opset() < 10 ? tf.constant((int) ctx.node().requireInt("k"))
                : tf.reshape(tf.dtypes.cast(ctx.input(1), TInt32.class), tf.constant(new int[0]));
        int[] perm = TfOps.moveToEnd(r, axis);
        boolean moved = axis != r - 1;
        if (moved) {
            x = TfOps.transpose(tf, x, perm);
        }
        if (!largest) {
            x = tf.math.neg(num(x));
        }
        TopK<?, TInt32> top = tf.nn.topK(num(x), k, TInt32.class, TopK.sorted(true));
        Operand<?> values = largest ? top.values() : tf.math.neg(num(top.values()));
        Operand<?> indices = tf.dtypes.cast(top.indices(), TInt64.class);
        if (moved) {
            values = TfOps.transpose(tf, values, TfOps.inverse(perm));
            indices = TfOps.transpose(tf, indices, TfOps.inverse(perm));
        }
        return List.of(any(values), indices);
    }
}
