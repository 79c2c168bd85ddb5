package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;

/**
 * Squeeze and Unsqueeze; axes come from the attribute before opset 13 and from input 1 after. Squeeze
 * without axes removes every (static) dimension of size 1; Unsqueeze's axes count in the output's rank.
 */
public final class SqueezeHandler implements OpHandler {
    private final boolean unsqueeze;
    private final boolean axesInput;

    private SqueezeHandler(boolean unsqueeze, boolean axesInput) {
        this.unsqueeze = unsqueeze;
        this.axesInput = axesInput;
    }

    public static SqueezeHandler squeeze(boolean axesInput) {
        return new SqueezeHandler(false, axesInput);
    }

    public static SqueezeHandler unsqueeze(boolean axesInput) {
        return new SqueezeHandler(true, axesInput);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        long[] xs = ctx.shape(0);
        long[] axes = axesInput ? (ctx.hasInput(1) ? ctx.longs(1) : null) : ctx.node().attrInts("axes", null);
        if (unsqueeze) {
            if (axes == null) {
                throw ctx.unsupported("Unsqueeze needs axes");
            }
            int[] out = Axes.normalize(ctx, axes, xs.length + axes.length);
            Arrays.sort(out);
            for (int a : out) {
                x = tf.expandDims(any(x), tf.constant(a));
            }
            return List.of(x);
        }
        List<Long> squeezed = new ArrayList<>();
        if (axes == null) {
            for (int i = 0; i < xs.length; i++) {
                if (xs[i] == 1) {
                    squeezed.add((long) i);
                } else if (xs[i] < 0) {
                    throw ctx.unsupported("Squeeze without axes needs a static input shape");
                }
            }
        } else {
            for (int a : Axes.normalize(ctx, axes, xs.length)) {
                squeezed.add((long) a);
            }
        }
        return List.of(squeezed.isEmpty() ? tf.identity(any(x)) : tf.squeeze(any(x), Squeeze.axis(squeezed)));
    }
}
