package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/**
 * ScatterND and ScatterElements (and its old name Scatter) as TF's tensor scatter; the element form
 * first spells out full coordinates. Reductions none and add.
 */
public final class ScatterHandler implements OpHandler {
    private final boolean elements;

    private ScatterHandler(boolean elements) {
        this.elements = elements;
    }

    public static ScatterHandler nd() {
        return new ScatterHandler(false);
    }

    public static ScatterHandler elements() {
        return new ScatterHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> data = ctx.input(0);
        Operand<?> updates = ctx.input(2);
        Operand<TInt64> idx;
        if (elements) {
            int r = ctx.rank(0);
            int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 0), r);
            idx = GatherHandler.elementCoordinates(ctx, GatherHandler.wrapped(ctx, axis), axis, r);
        } else {
            idx = tf.dtypes.cast(ctx.input(1), TInt64.class);
        }
        String reduction = ctx.node().attrString("reduction", "none");
        return List.of(switch (reduction) {
            case "none" -> tf.tensorScatterNdUpdate(any(data), idx, any(updates));
            case "add" -> tf.tensorScatterNdAdd(any(data), num(idx), any(updates));
            default -> throw ctx.unsupported("reduction '" + reduction + "' is not supported");
        });
    }
}
