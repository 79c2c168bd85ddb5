package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;

/** Gemm: alpha · A' · B' + beta · C, with C broadcast (optional from opset 11). */
public final class GemmHandler implements OpHandler {
    @Override
    public InputRole inputRole(int input) {
        return InputRole.WEIGHT;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> a = ctx.input(0);
        Operand<?> b = ctx.input(1);
        float alpha = ctx.node().attrFloat("alpha", 1f);
        float beta = ctx.node().attrFloat("beta", 1f);
        Operand<?> y = tf.linalg.matMul(num(a), num(b),
                MatMul.transposeA(ctx.node().attrInt("transA", 0) != 0),
                MatMul.transposeB(ctx.node().attrInt("transB", 0) != 0));
        if (alpha != 1f) {
            y = tf.math.mul(num(y), num(TfOps.scalarLike(tf, alpha, y)));
        }
        if (ctx.hasInput(2)) {
            Operand<?> c = ctx.input(2);
            if (beta != 1f) {
                c = tf.math.mul(num(c), num(TfOps.scalarLike(tf, beta, c)));
            }
            y = tf.math.add(num(y), num(c));
        }
        return List.of(y);
    }
}
