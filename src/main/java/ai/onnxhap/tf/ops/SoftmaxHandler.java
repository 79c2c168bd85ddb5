package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;

/**
 * Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at {@code axis} (default 1)
 * and normalized over the flattened trailing part; from 13 over the single {@code axis} (default −1).
 */
public final class SoftmaxHandler implements OpHandler {
    /** Which normalization; applied along the last axis. */
    public enum Kind { SOFTMAX, LOG_SOFTMAX, HARDMAX }

    private final Kind kind;
    private final boolean coerce2d;

    private SoftmaxHandler(Kind kind, boolean coerce2d) {
        this.kind = kind;
        this.coerce2d = coerce2d;
    }

    /** Opsets 1–12: flatten to 2-D at axis (default 1). */
    public static SoftmaxHandler coerced(Kind kind) {
        return new SoftmaxHandler(kind, true);
    }

    /** Opset 13 on: one axis (default −1). */
    public static SoftmaxHandler alongAxis(Kind kind) {
        return new SoftmaxHandler(kind, false);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int r = ctx.rank(0);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", coerce2d ? 1 : -1), r);
        if (coerce2d) {
            if (axis == r - 1) {
                return List.of(lastAxis(tf, x));
            }
            Operand<?> y = lastAxis(tf, TfOps.flatten2d(tf, x, axis));
            return List.of(tf.reshape(any(y), TfOps.shapeOf(tf, x)));
        }
        if (axis == r - 1) {
            return List.of(lastAxis(tf, x));
        }
        int[] perm = TfOps.moveToEnd(r, axis);
        Operand<?> y = lastAxis(tf, TfOps.transpose(tf, x, perm));
        return List.of(TfOps.transpose(tf, y, TfOps.inverse(perm)));
    }

    private Operand<?> lastAxis(Ops tf, Operand<?> x) {
        return switch (kind) {
            case SOFTMAX -> tf.nn.softmax(num(x));
            case LOG_SOFTMAX -> tf.nn.logSoftmax(num(x));
            case HARDMAX -> {
                int r = TfOps.rank(x);
                Operand<TInt32> depth = tf.dtypes.cast(TfOps.dim(tf, x, r - 1), TInt32.class);
                yield tf.oneHot(tf.math.argMax(x, tf.constant(-1)), depth, any(TfOps.scalarLike(tf, 1, x)),
                        any(TfOps.scalarLike(tf, 0, x)));
            }
        };
    }
}
