package ai.onnxhap.tf.ops;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/** Element-wise ops without attributes, each one TF function given by the registry (Abs, Exp, Not, ...). */
public final class UnaryHandler implements OpHandler {
    private final BiFunction<Ops, Operand<?>, Operand<?>> fn;

    private UnaryHandler(BiFunction<Ops, Operand<?>, Operand<?>> fn) {
        this.fn = fn;
    }

    public static UnaryHandler of(BiFunction<Ops, Operand<?>, Operand<?>> fn) {
        return new UnaryHandler(fn);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        return List.of(fn.apply(ctx.tf(), ctx.input(0)));
    }
}
