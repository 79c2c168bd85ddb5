package ai.onnxhap.tf.ops;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;

/** Transpose: perm defaults to reversing the axes. */
public final class TransposeHandler implements OpHandler {
    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        int r = ctx.rank(0);
        long[] reversed = new long[r];
        for (int i = 0; i < r; i++) {
            reversed[i] = r - 1 - i;
        }
        int[] perm = Axes.normalize(ctx, ctx.node().attrInts("perm", reversed), r);
        return List.of(TfOps.transpose(ctx.tf(), ctx.input(0), perm));
    }
}
