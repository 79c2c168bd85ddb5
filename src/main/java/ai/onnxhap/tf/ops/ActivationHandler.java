package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * Activations with attributes (alpha, beta, ...), written with the ONNX defaults. PRelu's slope is a
 * trainable weight.
 */
public final class ActivationHandler implements OpHandler {
    /** The activation. */
    public enum Kind { LEAKY_RELU, ELU, SELU, CELU, HARD_SIGMOID, HARD_SWISH, THRESHOLDED_RELU, GELU, SHRINK, PRELU }

    private final Kind kind;

    private ActivationHandler(Kind kind) {
        this.kind = kind;
    }

    public static ActivationHandler of(Kind kind) {
        return new ActivationHandler(kind);
    }

    @Override
    public InputRole inputRole(int input) {
        return kind == Kind.PRELU && input == 1 ? InputRole.WEIGHT : InputRole.DATA;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        var n = ctx.node();
        return List.of(switch (kind) {
            case LEAKY_RELU -> tf.nn.leakyRelu(num(x),
                    org.tensorflow.op.nn.LeakyRelu.alpha(n.attrFloat("alpha", 0.01f)));
            case ELU -> elu(tf, x, n.attrFloat("alpha", 1f));
            case SELU -> mul(tf, elu(tf, x, n.attrFloat("alpha", 1.67326319217681884765625f)),
                    n.attrFloat("gamma", 1.05070102214813232421875f));
            case CELU -> {
                double alpha = n.attrFloat("alpha", 1f);
                Operand<?> neg = mul(tf, expm1(tf, mul(tf, x, 1 / alpha)), alpha);
                yield tf.math.add(num(tf.nn.relu(num(x))), num(tf.math.minimum(num(neg), num(zero(tf, x)))));
            }
            case HARD_SIGMOID -> hardSigmoid(tf, x, n.attrFloat("alpha", 0.2f), n.attrFloat("beta", 0.5f));
            case HARD_SWISH -> tf.math.mul(num(x), num(hardSigmoid(tf, x, 1 / 6.0, 0.5)));
            case THRESHOLDED_RELU -> tf.select(tf.math.greater(num(x),
                    num(TfOps.scalarLike(tf, n.attrFloat("alpha", 1f), x))), any(x), any(zero(tf, x)));
            case GELU -> gelu(tf, x, n.attrString("approximate", "none"));
            case SHRINK -> shrink(tf, x, n.attrFloat("lambd", 0.5f), n.attrFloat("bias", 0f));
            case PRELU -> tf.math.add(num(tf.nn.relu(num(x))),
                    num(tf.math.mul(num(ctx.input(1)), num(tf.math.minimum(num(x), num(zero(tf, x)))))));
        });
    }

    private static Operand<?> elu(Ops tf, Operand<?> x, double alpha) {
        if (alpha == 1) {
            return tf.nn.elu(num(x));
        }
        Operand<?> neg = mul(tf, expm1(tf, tf.math.minimum(num(x), num(zero(tf, x)))), alpha);
        return tf.select(tf.math.greater(num(x), num(zero(tf, x))), any(x), any(neg));
    }

    private static Operand<?> hardSigmoid(Ops tf, Operand<?> x, double alpha, double beta) {
        Operand<?> y = tf.math.add(num(mul(tf, x, alpha)), num(TfOps.scalarLike(tf, beta, x)));
        return tf.math.minimum(num(tf.math.maximum(num(y), num(zero(tf, x)))), num(TfOps.scalarLike(tf, 1, x)));
    }

    /** 0.5·x·(1 + erf(x/√2)), or with "tanh" 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    static Operand<?> gelu(Ops tf, Operand<?> x, String approximate) {
        Operand<?> inner;
        if (approximate.equals("tanh")) {
            Operand<?> cube = tf.math.mul(num(x), num(tf.math.square(num(x))));
            Operand<?> arg = mul(tf, tf.math.add(num(x), num(mul(tf, cube, 0.044715))), Math.sqrt(2 / Math.PI));
            inner = tf.math.tanh(any(arg));
        } else {
            inner = tf.math.erf(num(mul(tf, x, 1 / Math.sqrt(2))));
        }
        Operand<?> onePlus = tf.math.add(num(inner), num(TfOps.scalarLike(tf, 1, x)));
        return mul(tf, tf.math.mul(num(x), num(onePlus)), 0.5);
    }

    private static Operand<?> shrink(Ops tf, Operand<?> x, double lambd, double bias) {
        Operand<?> below = tf.math.less(num(x), num(TfOps.scalarLike(tf, -lambd, x)));
        Operand<?> above = tf.math.greater(num(x), num(TfOps.scalarLike(tf, lambd, x)));
        Operand<?> b = TfOps.scalarLike(tf, bias, x);
        Operand<?> y = tf.select(any(above), any(tf.math.sub(num(x), num(b))), any(zero(tf, x)));
        return tf.select(any(below), any(tf.math.add(num(x), num(b))), any(y));
    }

    private static Operand<?> expm1(Ops tf, Operand<?> x) {
        return tf.math.expm1(any(x));
    }

    static Operand<?> mul(Ops tf, Operand<?> x, double c) {
        return tf.math.mul(num(x), num(TfOps.scalarLike(tf, c, x)));
    }

    static Operand<?> zero(Ops tf, Operand<?> x) {
        return TfOps.scalarLike(tf, 0, x);
    }
}
