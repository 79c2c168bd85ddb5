package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * Split into the node's outputs. Sizes come from the {@code split} attribute (opsets 1–12; opset 1 also as
 * input 1), from input 1 (13 on), or are equal; from opset 18 {@code num_outputs} allows a smaller last part.
 */
public final class SplitHandler implements OpHandler {
    private final boolean sizesInput;

    private SplitHandler(boolean sizesInput) {
        this.sizesInput = sizesInput;
    }

    public static SplitHandler sizesFromAttribute() {
        return new SplitHandler(false);
    }

    public static SplitHandler sizesFromInput() {
        return new SplitHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        long[] xs = ctx.shape(0);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 0), xs.length);
        int parts = ctx.outputCount();
        long[] sizes = ctx.node().attrInts("split", null);
        if ((sizesInput || ctx.opset() == 1) && ctx.hasInput(1)) {
            sizes = ctx.longs(1);
        }
        if (sizes == null) {
            long dim = xs[axis];
            if (dim < 0) {
                return new ArrayList<>(tf.split(tf.constant(axis), any(x), (long) parts).output());
            }
            long chunk = (dim + parts - 1) / parts;
            sizes = new long[parts];
            Arrays.fill(sizes, chunk);
            sizes[parts - 1] = dim - chunk * (parts - 1);
        }
        if (sizes.length != parts) {
            throw ctx.unsupported(sizes.length + " split sizes for " + parts + " outputs");
        }
        return new ArrayList<>(tf.splitV(any(x), tf.constant(sizes), tf.constant(axis), (long) parts).output());
    }
}
