package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.TfTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReverseSequence;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.LocalResponseNormalization;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/** Translations of a few lines each, used by the registry as method references (one method per op). */
public final class SmallOps {
    private SmallOps() {
    }

    /** IsInf with detect_negative / detect_positive. */
    public static List<Operand<?>> isInf(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        Operand<TBool> inf = tf.math.isInf(num(x));
        Operand<?> zero = TfOps.scalarLike(tf, 0, x);
        if (ctx.node().attrInt("detect_negative", 1) == 0) {
            inf = tf.math.logicalAnd(inf, tf.math.greater(num(x), num(zero)));
        }
        if (ctx.node().attrInt("detect_positive", 1) == 0) {
            inf = tf.math.logicalAnd(inf, tf.math.less(num(x), num(zero)));
        }
        return List.of(inf);
    }

    /** Mod: fmod=1 takes the dividend's sign (C fmod), fmod=0 the divisor's (Python %). */
    public static List<Operand<?>> mod(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> a = ctx.input(0);
        Operand<?> b = ctx.input(1);
        Class<? extends TType> type = a.type();
        boolean half = type == TFloat16.class || type == TBfloat16.class;
        if (half) { // TF has no 16-bit float kernels for these
            a = TfOps.cast(tf, a, TFloat32.class);
            b = TfOps.cast(tf, b, TFloat32.class);
        }
        Operand<?> y = ctx.node().attrInt("fmod", 0) != 0 ? tf.math.truncateMod(num(a), num(b))
                : tf.math.floorMod(num(a), num(b));
        return List.of(half ? TfOps.cast(tf, y, type) : y);
    }

    public static List<Operand<?>> where(NodeContext ctx) {
        return List.of(ctx.tf().select(any(ctx.input(0)), any(ctx.input(1)), any(ctx.input(2))));
    }

    public static List<Operand<?>> range(NodeContext ctx) {
        return List.of(ctx.tf().range(num(ctx.input(0)), num(ctx.input(1)), num(ctx.input(2))));
    }

    /** NonZero: the [rank, count] coordinates of the non-zero elements. */
    public static List<Operand<?>> nonZero(NodeContext ctx) {
        return List.of(TfOps.transpose(ctx.tf(), ctx.tf().where(ctx.input(0)), 1, 0));
    }

    public static List<Operand<?>> det(NodeContext ctx) {
        return List.of(ctx.tf().linalg.det(any(ctx.input(0))));
    }

    /** Einsum; an equation without "->" gets ONNX's implicit output. */
    public static List<Operand<?>> einsum(NodeContext ctx) {
        List<Operand<TType>> in = new ArrayList<>();
        for (int i = 0; i < ctx.inputCount(); i++) {
            in.add(any(ctx.input(i)));
        }
        String eq = ctx.node().attrString("equation", "").replace(" ", "");
        if (!eq.contains("->")) {
            eq = eq + "->" + implicitEinsumOutput(eq);
        }
        return List.of(ctx.tf().linalg.einsum(in, eq));
    }

    /** "..." if used, then the labels seen once, in alphabetical order. */
    private static String implicitEinsumOutput(String eq) {
        Map<Character, Integer> counts = new TreeMap<>();
        for (char c : eq.replace("...", "").toCharArray()) {
            if (Character.isLetter(c)) {
                counts.merge(c, 1, Integer::sum);
            }
        }
        StringBuilder out = new StringBuilder(eq.contains("...") ? "..." : "");
        counts.forEach((c, n) -> {
            if (n == 1) {
                out.append(c);
            }
        });
        return out.toString();
    }

    public static List<Operand<?>> cumSum(NodeContext ctx) {
        return List.of(ctx.tf().math.cumsum(any(ctx.input(0)), num(ctx.input(1)),
                Cumsum.exclusive(ctx.node().attrInt("exclusive", 0) != 0),
                Cumsum.reverse(ctx.node().attrInt("reverse", 0) != 0)));
    }

    /** LRN over channels (channels-last for TF); TF's radius is symmetric, so the size must be odd. */
    public static List<Operand<?>> lrn(NodeContext ctx) {
        Ops tf = ctx.tf();
        long size = ctx.node().requireInt("size");
        if (size % 2 == 0 || ctx.rank(0) != 4) {
            throw ctx.unsupported("LRN needs an odd size and a 4-D input");
        }
        float alpha = ctx.node().attrFloat("alpha", 1e-4f);
        Operand<?> x = TfOps.transpose(tf, ctx.input(0), 0, 2, 3, 1);
        Operand<?> y = tf.nn.localResponseNormalization(num(x),
                LocalResponseNormalization.depthRadius((size - 1) / 2),
                LocalResponseNormalization.bias(ctx.node().attrFloat("bias", 1f)),
                LocalResponseNormalization.alpha(alpha / size),
                LocalResponseNormalization.beta(ctx.node().attrFloat("beta", 0.75f)));
        return List.of(TfOps.transpose(tf, y, 0, 3, 1, 2));
    }

    /** MeanVarianceNormalization, as its ONNX function: (x − E[x]) / (sqrt(E[x²] − E[x]²) + 1e-9). */
    public static List<Operand<?>> meanVarianceNormalization(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        Operand<TInt32> axes = TfOps.ints(tf, Axes.normalize(ctx, ctx.node().attrInts("axes", new long[] {0, 2, 3}),
                ctx.rank(0)));
        Operand<?> mean = tf.math.mean(any(x), axes, Mean.keepDims(true));
        Operand<?> meanOfSquares = tf.math.mean(any(tf.math.square(num(x))), axes, Mean.keepDims(true));
        Operand<?> std = tf.math.sqrt(any(tf.math.sub(num(meanOfSquares), num(tf.math.square(num(mean))))));
        Operand<?> denominator = tf.math.add(num(std), num(TfOps.scalarLike(tf, 1e-9, x)));
        return List.of(tf.math.div(num(tf.math.sub(num(x), num(mean))), num(denominator)));
    }

    public static List<Operand<?>> reverseSequence(NodeContext ctx) {
        Ops tf = ctx.tf();
        return List.of(tf.reverseSequence(any(ctx.input(0)), num(ctx.input(1)),
                ctx.node().attrInt("time_axis", 0), ReverseSequence.batchDim(ctx.node().attrInt("batch_axis", 1))));
    }

    public static List<Operand<?>> bitShift(NodeContext ctx) {
        Ops tf = ctx.tf();
        boolean left = ctx.node().attrString("direction", "").equals("LEFT");
        Operand<?> a = ctx.input(0);
        Operand<?> b = ctx.input(1);
        return List.of(left ? tf.bitwise.leftShift(num(a), num(b)) : tf.bitwise.rightShift(num(a), num(b)));
    }

    /** EyeLike: ones on the k-th diagonal of a static 2-D shape, in dtype (default: the input's type). */
    public static List<Operand<?>> eyeLike(NodeContext ctx) {
        long[] s = ctx.shape(0);
        if (s.length != 2 || !TfOps.isStatic(s)) {
            throw ctx.unsupported("needs a static 2-D input");
        }
        long k = ctx.node().attrInt("k", 0);
        float[] v = new float[Math.toIntExact(s[0] * s[1])];
        for (long i = 0; i < s[0]; i++) {
            long j = i + k;
            if (j >= 0 && j < s[1]) {
                v[(int) (i * s[1] + j)] = 1;
            }
        }
        Class<? extends TType> type = ctx.node().hasAttribute("dtype")
                ? TfTensors.carrier(DataType.fromCode((int) ctx.node().attrInt("dtype", 1))) : ctx.input(0).type();
        Operand<?> eye = TfOps.constant(ctx.tf(), Tensor.ofFloats("eye", s, v));
        return List.of(TfOps.cast(ctx.tf(), eye, type));
    }

    /** Compress: the slices along axis (or of the flattened input) where the condition is true. */
    public static List<Operand<?>> compress(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        int axis = 0;
        if (ctx.node().hasAttribute("axis")) {
            axis = Axes.normalize(ctx, ctx.node().attrInt("axis", 0), ctx.rank(0));
        } else {
            x = TfOps.reshape(tf, x, -1);
        }
        Operand<TInt64> idx = tf.reshape(tf.where(ctx.input(1)), tf.constant(new long[] {-1}));
        return List.of(tf.gather(any(x), idx, tf.constant(axis)));
    }
}
