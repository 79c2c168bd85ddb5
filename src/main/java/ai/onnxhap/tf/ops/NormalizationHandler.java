package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TInt32;

/**
 * BatchNormalization (inference form), InstanceNormalization and LayerNormalization. Per-channel parameters
 * are reshaped to [C, 1, ...] so they broadcast over NCHW; statistics are computed with plain reductions
 * (differentiable, no fused kernels).
 */
public final class NormalizationHandler implements OpHandler {
    private enum Kind { BATCH, INSTANCE, LAYER }

    private final Kind kind;

    private NormalizationHandler(Kind kind) {
        this.kind = kind;
    }

    public static NormalizationHandler batch() {
        return new NormalizationHandler(Kind.BATCH);
    }

    public static NormalizationHandler instance() {
        return new NormalizationHandler(Kind.INSTANCE);
    }

    public static NormalizationHandler layer() {
        return new NormalizationHandler(Kind.LAYER);
    }

    @Override
    public InputRole inputRole(int input) {
        if (input == 0) {
            return InputRole.DATA;
        }
        return kind == Kind.BATCH && input >= 3 ? InputRole.FROZEN : InputRole.WEIGHT;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        return switch (kind) {
            case BATCH -> batchNorm(ctx);
            case INSTANCE -> instanceNorm(ctx);
            case LAYER -> layerNorm(ctx);
        };
    }

    /** y = x · a + b with a = scale / sqrt(var + eps), b = bias − mean · a. */
    private static List<Operand<?>> batchNorm(NodeContext ctx) {
        if (ctx.node().attrInt("training_mode", 0) != 0) {
            throw ctx.unsupported("training_mode=1 is not supported (inference form only)");
        }
        if (ctx.opset() < 9 && ctx.node().attrInt("spatial", 1) == 0) {
            throw ctx.unsupported("spatial=0 is not supported");
        }
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int r = ctx.rank(0);
        double eps = ctx.node().attrFloat("epsilon", 1e-5f);
        Operand<?> scale = perChannel(tf, ctx.input(1), r);
        Operand<?> bias = perChannel(tf, ctx.input(2), r);
        Operand<?> mean = perChannel(tf, ctx.input(3), r);
        Operand<?> var = perChannel(tf, ctx.input(4), r);
        Operand<?> a = tf.math.mul(num(scale), num(tf.math.rsqrt(num(tf.math.add(num(var),
                num(TfOps.scalarLike(tf, eps, var)))))));
        Operand<?> b = tf.math.sub(num(bias), num(tf.math.mul(num(mean), num(a))));
        return List.of(tf.math.add(num(tf.math.mul(num(x), num(a))), num(b)));
    }

    private static List<Operand<?>> instanceNorm(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int r = ctx.rank(0);
        double eps = ctx.node().attrFloat("epsilon", 1e-5f);
        Operand<?> y = normalize(tf, x, Axes.range(2, r), eps);
        Operand<?> scale = perChannel(tf, ctx.input(1), r);
        Operand<?> bias = perChannel(tf, ctx.input(2), r);
        return List.of(tf.math.add(num(tf.math.mul(num(y), num(scale))), num(bias)));
    }

    /** Normalizes over axes [axis, rank); optional outputs Mean and InvStdDev keep the reduced axes as 1. */
    private static List<Operand<?>> layerNorm(NodeContext ctx) {
        Ops tf = ctx.tf();
        int r = ctx.rank(0);
        int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", -1), r);
        Standardized s = standardize(tf, ctx.input(0), Axes.range(axis, r), ctx.node().attrFloat("epsilon", 1e-5f),
                false);
        List<Operand<?>> outs = new ArrayList<>();
        outs.add(scaleShift(tf, s.y(), ctx.input(1), ctx.optionalInput(2).orElse(null)));
        outs.add(s.mean());
        outs.add(s.invStd());
        return outs;
    }

    /** (x − mean) / sqrt(var + eps) over the given axes. */
    static Operand<?> normalize(Ops tf, Operand<?> x, int[] axes, double eps) {
        return standardize(tf, x, axes, eps, false).y();
    }

    /** A normalized value with the statistics it used, reduced axes kept as 1; {@code mean} null for RMS. */
    record Standardized(Operand<?> y, Operand<?> mean, Operand<?> invStd) {
    }

    /**
     * x normalized over {@code axes}: (x − mean) · rsqrt(var + eps), or with {@code rms} x · rsqrt(mean(x²) + eps)
     * (RMS norm: no centring). Plain reductions, so second derivatives exist.
     */
    static Standardized standardize(Ops tf, Operand<?> x, int[] axes, double eps, boolean rms) {
        Operand<TInt32> ax = TfOps.ints(tf, axes);
        Operand<?> mean = rms ? null : tf.math.mean(any(x), ax, Mean.keepDims(true));
        Operand<?> centered = rms ? x : tf.math.sub(num(x), num(mean));
        Operand<?> var = tf.math.mean(any(tf.math.square(num(centered))), ax, Mean.keepDims(true));
        Operand<?> invStd = tf.math.rsqrt(num(tf.math.add(num(var), num(TfOps.scalarLike(tf, eps, var)))));
        return new Standardized(tf.math.mul(num(centered), num(invStd)), mean, invStd);
    }

    /** y · scale (+ bias when given). */
    static Operand<?> scaleShift(Ops tf, Operand<?> y, Operand<?> scale, Operand<?> bias) {
        Operand<?> out = tf.math.mul(num(y), num(scale));
        return bias == null ? out : tf.math.add(num(out), num(bias));
    }

    /** A [C] vector as [C, 1, ..., 1] for an NC... tensor of rank r. */
    static Operand<?> perChannel(Ops tf, Operand<?> v, int r) {
        long[] shape = new long[Math.max(1, r - 1)];
        java.util.Arrays.fill(shape, 1);
        shape[0] = -1;
        return TfOps.reshape(tf, v, shape);
    }
}
