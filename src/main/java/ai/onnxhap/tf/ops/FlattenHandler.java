package ai.onnxhap.tf.ops;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;

/** Flatten: 2-D [d0·…·d(axis−1), rest]; axis defaults to 1 and may be negative from opset 11. */
public final class FlattenHandler implements OpHandler {
    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        int r = ctx.rank(0);
        long axis = ctx.node().attrInt("axis", 1);
        int a = axis == r ? r : Axes.normalize(ctx, axis, r);
        return List.of(TfOps.flatten2d(ctx.tf(), ctx.input(0), a));
    }
}
