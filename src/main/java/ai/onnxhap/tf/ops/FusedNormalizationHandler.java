package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import ai.onnxhap.tf.ops.NormalizationHandler.Standardized;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * ONNX Runtime's fused normalizations: SkipLayerNormalization (input, skip, gamma, beta?, bias?),
 * SkipSimplifiedLayerNormalization (input, skip, gamma, bias?) and SimplifiedLayerNormalization (X, scale).
 * The skip forms normalize input + skip + bias over the last axis and also return that sum (output 3, the
 * residual ORT's optimizer threads to the next block); the simplified forms are RMS norms (no centring).
 */
public final class FusedNormalizationHandler implements OpHandler {
    private enum Kind { SKIP_LAYER, SKIP_SIMPLIFIED, SIMPLIFIED }

    /** ORT's default for the skip forms (kDefaultSkipLayerNormEpsilon); SimplifiedLayerNormalization's is 1e-5. */
    private static final float SKIP_EPSILON = 1e-12f;

    private final Kind kind;

    private FusedNormalizationHandler(Kind kind) {
        this.kind = kind;
    }

    public static FusedNormalizationHandler skipLayer() {
        return new FusedNormalizationHandler(Kind.SKIP_LAYER);
    }

    public static FusedNormalizationHandler skipSimplified() {
        return new FusedNormalizationHandler(Kind.SKIP_SIMPLIFIED);
    }

    public static FusedNormalizationHandler simplified() {
        return new FusedNormalizationHandler(Kind.SIMPLIFIED);
    }

    @Override
    public InputRole inputRole(int input) {
        int firstWeight = kind == Kind.SIMPLIFIED ? 1 : 2;
        return input >= firstWeight ? InputRole.WEIGHT : InputRole.DATA;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        if (kind == Kind.SIMPLIFIED) {
            int r = ctx.rank(0);
            int axis = Axes.normalize(ctx, ctx.node().attrInt("axis", -1), r);
            Standardized s = NormalizationHandler.standardize(tf, ctx.input(0), Axes.range(axis, r),
                    ctx.node().attrFloat("epsilon", 1e-5f), true);
            return List.of(NormalizationHandler.scaleShift(tf, s.y(), ctx.input(1), null), s.invStd());
        }
        boolean rms = kind == Kind.SKIP_SIMPLIFIED;
        int biasInput = rms ? 3 : 4;
        Operand<?> sum = tf.math.add(num(ctx.input(0)), num(ctx.input(1)));
        if (ctx.hasInput(biasInput)) {
            sum = tf.math.add(num(sum), num(ctx.input(biasInput)));
        }
        int r = ctx.rank(0);
        Standardized s = NormalizationHandler.standardize(tf, sum, new int[] {r - 1},
                ctx.node().attrFloat("epsilon", SKIP_EPSILON), rms);
        Operand<?> beta = !rms && ctx.hasInput(3) ? ctx.input(3) : null;
        List<Operand<?>> outs = new ArrayList<>();
        outs.add(NormalizationHandler.scaleShift(tf, s.y(), ctx.input(2), beta));
        outs.add(s.mean()); // null for the RMS form: it has no mean to give
        outs.add(s.invStd());
        outs.add(sum);
        return outs;
    }
}
