package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/**
 * Reshape: the target from the {@code shape} attribute (opsets 1–4) or input (5 on). A 0 copies the input's
 * dimension (unless allowzero, opset 14), −1 is inferred. Constant targets stay constant when the copied
 * dimensions are static; otherwise the target is assembled at run time.
 */
public final class ReshapeHandler implements OpHandler {
    private final boolean fromInput;

    private ReshapeHandler(boolean fromInput) {
        this.fromInput = fromInput;
    }

    public static ReshapeHandler fromAttribute() {
        return new ReshapeHandler(false);
    }

    public static ReshapeHandler fromInput() {
        return new ReshapeHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        boolean allowZero = ctx.node().attrInt("allowzero", 0) != 0;
        long[] attribute = ctx.node().attrInts("shape", new long[0]);
        Optional<Tensor> known = fromInput ? ctx.constantIfKnown(1)
                : Optional.of(Tensor.ofLongs("shape", new long[] {attribute.length}, attribute));
        if (known.isEmpty()) {
            return List.of(tf.reshape(any(x), dynamicTarget(tf, x, ctx.input(1), allowZero)));
        }
        long[] target = known.get().toLongs();
        long[] xs = ctx.shape(0);
        List<Operand<TInt64>> parts = new ArrayList<>();
        boolean dynamic = false;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                if (i >= xs.length) {
                    throw ctx.unsupported("the 0 at position " + i + " of the target shape has no dimension to copy");
                }
                target[i] = xs[i];
                dynamic |= xs[i] < 0;
                parts.add(tf.reshape(TfOps.dim(tf, x, i), tf.constant(new long[] {1})));
            } else {
                parts.add(tf.constant(new long[] {target[i]}));
            }
        }
        if (!dynamic) {
            return List.of(TfOps.reshape(tf, x, target));
        }
        return List.of(tf.reshape(any(x), tf.concat(parts, tf.constant(0))));
    }

    /** where(target == 0, input dims, target), for a target known only at run time. */
    private static Operand<TInt64> dynamicTarget(Ops tf, Operand<?> x, Operand<?> shape, boolean allowZero) {
        Operand<TInt64> target = any(TfOps.cast(tf, shape, TInt64.class));
        if (allowZero) {
            return target;
        }
        long n = TfOps.shape(target)[0];
        int r = TfOps.rank(x);
        Operand<TInt64> dims = TfOps.dynamicShape(tf, x);
        if (n < 0) {
            throw new IllegalArgumentException("Reshape target of unknown length");
        }
        dims = n <= r ? tf.slice(dims, tf.constant(new long[] {0}), tf.constant(new long[] {n}))
                : tf.concat(List.of(dims, tf.zeros(tf.constant(new long[] {n - r}), TInt64.class)), tf.constant(0));
        return tf.select(tf.math.equal(target, tf.constant(0L)), dims, target);
    }
}
