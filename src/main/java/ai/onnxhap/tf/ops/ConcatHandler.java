package ai.onnxhap.tf.ops;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;

/** Concat along {@code axis} (default 1 in opset 1; negative from 11). */
public final class ConcatHandler implements OpHandler {
    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        List<Operand<org.tensorflow.types.family.TType>> parts = new ArrayList<>();
        for (int i = 0; i < ctx.inputCount(); i++) {
            if (ctx.hasInput(i)) {
                parts.add(TfOps.any(ctx.input(i)));
            }
        }
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 1), ctx.rank(0));
        if (parts.size() == 1) {
            return List.of(ctx.tf().identity(parts.get(0))); // TF's ConcatV2 wants two or more
        }
        return List.of(ctx.tf().concat(parts, ctx.tf().constant(axis)));
    }
}
