package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceMin;
import org.tensorflow.op.core.ReduceProd;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.math.Mean;

/**
 * The Reduce* family. Axes come from the attribute, or from input 1 (ReduceSum from opset 13, the others
 * from 18), where an empty or absent list reduces everything unless noop_with_empty_axes.
 */
public final class ReduceHandler implements OpHandler {
    /** What is reduced, and how. */
    public enum Kind { SUM, MEAN, MAX, MIN, PROD, L1, L2, LOG_SUM, LOG_SUM_EXP, SUM_SQUARE }

    private final Kind kind;
    private final boolean axesInput;

    private ReduceHandler(Kind kind, boolean axesInput) {
        this.kind = kind;
        this.axesInput = axesInput;
    }

    public static ReduceHandler axesFromAttribute(Kind kind) {
        return new ReduceHandler(kind, false);
    }

    public static ReduceHandler axesFromInput(Kind kind) {
        return new ReduceHandler(kind, true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int r = ctx.rank(0);
        boolean keep = ctx.node().attrInt("keepdims", 1) != 0;
        Operand<?> axes;
        if (axesInput && ctx.hasInput(1)) {
            Optional<Tensor> known = ctx.constantIfKnown(1);
            long count = known.map(Tensor::size).orElse(ctx.shape(1).length == 0 ? 1 : ctx.shape(1)[0]);
            if (count == 0) {
                axes = null;
            } else {
                axes = known.isPresent() ? TfOps.ints(tf, Axes.normalize(ctx, known.get().toLongs(), r))
                        : ctx.input(1);
            }
        } else {
            long[] a = axesInput ? null : ctx.node().attrInts("axes", null);
            axes = a == null || a.length == 0 ? null : TfOps.ints(tf, Axes.normalize(ctx, a, r));
        }
        if (axes == null) {
            if (ctx.node().attrInt("noop_with_empty_axes", 0) != 0) {
                return List.of(tf.identity(any(x)));
            }
            axes = TfOps.ints(tf, Axes.range(0, r));
        }
        return List.of(reduce(tf, x, axes, keep));
    }

    private Operand<?> reduce(Ops tf, Operand<?> x, Operand<?> axes, boolean keep) {
        Operand<org.tensorflow.types.family.TNumber> ax = num(axes);
        return switch (kind) {
            case SUM -> sum(tf, x, ax, keep);
            case MEAN -> tf.math.mean(any(x), ax, Mean.keepDims(keep));
            case MAX -> tf.reduceMax(any(x), ax, ReduceMax.keepDims(keep));
            case MIN -> tf.reduceMin(any(x), ax, ReduceMin.keepDims(keep));
            case PROD -> tf.reduceProd(any(x), ax, ReduceProd.keepDims(keep));
            case L1 -> sum(tf, tf.math.abs(num(x)), ax, keep);
            case L2 -> tf.math.sqrt(any(sum(tf, tf.math.square(num(x)), ax, keep)));
            case LOG_SUM -> tf.math.log(any(sum(tf, x, ax, keep)));
            case LOG_SUM_EXP -> tf.math.log(any(sum(tf, tf.math.exp(any(x)), ax, keep)));
            case SUM_SQUARE -> sum(tf, tf.math.square(num(x)), ax, keep);
        };
    }

    private static Operand<?> sum(Ops tf, Operand<?> x, Operand<org.tensorflow.types.family.TNumber> axes,
                                  boolean keep) {
        return tf.reduceSum(any(x), axes, ReduceSum.keepDims(keep));
    }
}
