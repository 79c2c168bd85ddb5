package ai.onnxhap.tf.ops;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;

/**
 * If whose condition static shapes decide, as torch.onnx writes {@code squeeze(dim)} on a dimension it cannot
 * prove is 1 (If(Shape[dim] == 1, Squeeze, Identity)): the taken branch is translated in place. A condition that
 * depends on data is refused; the branches can differ in rank, so TF's select cannot stand in.
 */
public final class IfHandler implements OpHandler {
    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        long[] cond = ctx.staticInts(0).orElseThrow(() -> ctx.unsupported(
                "the condition must follow from static shapes (it depends on data or on a dynamic dimension)"));
        if (cond.length != 1) {
            throw ctx.unsupported("the condition has " + cond.length + " elements: " + Arrays.toString(cond));
        }
        return ctx.inline(cond[0] != 0 ? "then_branch" : "else_branch");
    }
}
