package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * ONNX Runtime's GELUs (com.microsoft): FastGelu (tanh approximation, optional bias), BiasGelu (erf GELU of
 * A + B) and Gelu (erf). The bias is a trainable weight, as the Add it was fused from would have read it.
 */
public final class FusedGeluHandler implements OpHandler {
    /** Which GELU. */
    public enum Kind { FAST_GELU, BIAS_GELU, GELU }

    private final Kind kind;

    private FusedGeluHandler(Kind kind) {
        this.kind = kind;
    }

    public static FusedGeluHandler of(Kind kind) {
        return new FusedGeluHandler(kind);
    }

    @Override
    public InputRole inputRole(int input) {
        return input == 1 ? InputRole.WEIGHT : InputRole.DATA;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        if (kind != Kind.GELU && ctx.hasInput(1)) {
            x = tf.math.add(num(x), num(ctx.input(1)));
        } else if (kind == Kind.BIAS_GELU) {
            throw ctx.unsupported("BiasGelu needs its bias input B");
        }
        return List.of(ActivationHandler.gelu(tf, x, kind == Kind.FAST_GELU ? "tanh" : "none"));
    }
}
