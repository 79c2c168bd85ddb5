package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/** Sum, Mean, Max and Min over any number of broadcasting inputs, folded pairwise. */
public final class VariadicHandler implements OpHandler {
    private final BinaryHandler.Fn fn;
    private final boolean mean;

    private VariadicHandler(BinaryHandler.Fn fn, boolean mean) {
        this.fn = fn;
        this.mean = mean;
    }

    public static VariadicHandler of(BinaryHandler.Fn fn) {
        return new VariadicHandler(fn, false);
    }

    /** The sum divided by the number of inputs. */
    public static VariadicHandler mean() {
        return new VariadicHandler((tf, a, b) -> tf.math.add(num(a), num(b)), true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> acc = ctx.input(0);
        int n = 1;
        for (int i = 1; i < ctx.inputCount(); i++) {
            if (ctx.hasInput(i)) {
                acc = fn.apply(tf, acc, ctx.input(i));
                n++;
            }
        }
        if (mean) {
            acc = tf.math.div(num(acc), num(TfOps.scalarLike(tf, n, acc)));
        } else if (n == 1) {
            acc = tf.identity(TfOps.any(acc));
        }
        return List.of(acc);
    }
}
