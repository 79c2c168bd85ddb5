package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * Two-input element-wise ops (arithmetic, comparison, logic) as one TF function given by the registry.
 * From opset 7 both sides broadcast NumPy-style, as TF does; before, B broadcasts into A only when the
 * {@code broadcast} attribute is set, aligned at {@code axis} (by default at A's trailing axes).
 */
public final class BinaryHandler implements OpHandler {
    /** The TF function of the op. */
    @FunctionalInterface
    public interface Fn {
        Operand<?> apply(Ops tf, Operand<?> a, Operand<?> b);
    }

    private final Fn fn;
    private final boolean legacy;

    private BinaryHandler(Fn fn, boolean legacy) {
        this.fn = fn;
        this.legacy = legacy;
    }

    /** Opsets 1–6: explicit {@code broadcast}/{@code axis} attributes. */
    public static BinaryHandler legacy(Fn fn) {
        return new BinaryHandler(fn, true);
    }

    /** Opset 7 on: NumPy broadcasting. */
    public static BinaryHandler numpy(Fn fn) {
        return new BinaryHandler(fn, false);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Operand<?> a = ctx.input(0);
        Operand<?> b = ctx.input(1);
        if (legacy && ctx.node().attrInt("broadcast", 0) != 0) {
            b = alignLegacy(ctx, b, ctx.rank(0), ctx.rank(1));
        }
        return List.of(fn.apply(ctx.tf(), a, b));
    }

    /** Trailing 1s so that B's axes start at {@code axis} of A; NumPy then broadcasts the leading ones. */
    private static Operand<?> alignLegacy(NodeContext ctx, Operand<?> b, int ra, int rb) {
        int axis = (int) ctx.node().attrInt("axis", ra - rb);
        axis = axis < 0 ? axis + ra : axis;
        for (int i = 0; i < ra - axis - rb; i++) {
            b = ctx.tf().expandDims(any(b), ctx.tf().constant(-1));
        }
        return b;
    }
}
