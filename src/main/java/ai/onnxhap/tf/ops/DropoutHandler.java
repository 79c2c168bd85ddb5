package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/** Dropout in inference form: the input unchanged, and an all-true mask when asked for. */
public final class DropoutHandler implements OpHandler {
    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        boolean training = ctx.hasInput(2) && ctx.constant(2).toLongs()[0] != 0;
        if (training && (ctx.hasInput(1) ? ctx.constant(1).toDoubles()[0] : 0.5) != 0) {
            throw ctx.unsupported("training mode is not supported (inference form only)");
        }
        Operand<?> x = ctx.input(0);
        Operand<?> y = tf.identity(any(x));
        if (ctx.outputCount() > 1 && ctx.wantsOutput(1)) {
            return List.of(y, tf.fill(TfOps.shapeOf(tf, x), tf.constant(true)));
        }
        return List.of(y);
    }
}
