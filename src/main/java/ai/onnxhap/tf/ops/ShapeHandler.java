package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/**
 * Shape (with start/end from opset 15) and Size. Static shapes become constants, so the shape arithmetic
 * after them (Gather, Concat, Reshape targets) is known while building; dynamic ones are read at run time.
 */
public final class ShapeHandler implements OpHandler {
    private final boolean size;

    private ShapeHandler(boolean size) {
        this.size = size;
    }

    public static ShapeHandler shape() {
        return new ShapeHandler(false);
    }

    public static ShapeHandler size() {
        return new ShapeHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        long[] s = ctx.shape(0);
        if (size) {
            return List.of(TfOps.isStatic(s) ? tf.constant(Arrays.stream(s).reduce(1, (a, b) -> a * b))
                    : tf.size(any(ctx.input(0)), TInt64.class));
        }
        int r = s.length;
        int start = clamp(ctx.node().attrInt("start", 0), r);
        int end = clamp(ctx.node().attrInt("end", r), r);
        end = Math.max(start, end);
        long[] part = Arrays.copyOfRange(s, start, end);
        if (TfOps.isStatic(part)) {
            return List.of(tf.constant(part));
        }
        return List.of(tf.slice(TfOps.dynamicShape(tf, ctx.input(0)), tf.constant(new long[] {start}),
                tf.constant(new long[] {end - start})));
    }

    private static int clamp(long v, int r) {
        long a = v < 0 ? v + r : v;
        return (int) Math.max(0, Math.min(r, a));
    }
}
