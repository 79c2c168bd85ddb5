package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/** Clip: min(max(x, lo), hi); bounds are attributes before opset 11, optional inputs after. */
public final class ClipHandler implements OpHandler {
    private final boolean fromInputs;

    private ClipHandler(boolean fromInputs) {
        this.fromInputs = fromInputs;
    }

    public static ClipHandler fromAttributes() {
        return new ClipHandler(false);
    }

    public static ClipHandler fromInputs() {
        return new ClipHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> y = ctx.input(0);
        Operand<?> lo = bound(ctx, 1, "min");
        Operand<?> hi = bound(ctx, 2, "max");
        if (lo != null) {
            y = tf.math.maximum(num(y), num(lo));
        }
        if (hi != null) {
            y = tf.math.minimum(num(y), num(hi));
        }
        return List.of(lo == null && hi == null ? tf.identity(any(y)) : y);
    }

    private Operand<?> bound(NodeContext ctx, int input, String attr) {
        if (fromInputs) {
            return ctx.hasInput(input) ? ctx.input(input) : null;
        }
        return ctx.node().hasAttribute(attr)
                ? TfOps.scalarLike(ctx.tf(), ctx.node().attrFloat(attr, 0), ctx.input(0)) : null;
    }
}
