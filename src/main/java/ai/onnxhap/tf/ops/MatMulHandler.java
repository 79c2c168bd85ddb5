package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;

/**
 * MatMul with NumPy semantics: batch dimensions broadcast; a 1-D operand is promoted to a matrix and the
 * added axis removed again. Plain 2-D products use TF's MatMul, the rest its batched product.
 */
public final class MatMulHandler implements OpHandler {
    @Override
    public InputRole inputRole(int input) {
        return InputRole.WEIGHT;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> a = ctx.input(0);
        Operand<?> b = ctx.input(1);
        int ra = ctx.rank(0);
        int rb = ctx.rank(1);
        if (ra == 1) {
            a = tf.expandDims(any(a), tf.constant(0));
        }
        if (rb == 1) {
            b = tf.expandDims(any(b), tf.constant(1));
        }
        Operand<?> y = Math.max(ra, rb) <= 2 ? tf.linalg.matMul(num(a), num(b))
                : TfOps.batchMatMul(tf, a, b);
        if (ra == 1 || rb == 1) {
            int r = TfOps.rank(y);
            y = tf.squeeze(any(y), Squeeze.axis(ra == 1 && rb == 1 ? List.of((long) r - 2, (long) r - 1)
                    : List.of(ra == 1 ? (long) r - 2 : (long) r - 1)));
        }
        return List.of(y);
    }
}
