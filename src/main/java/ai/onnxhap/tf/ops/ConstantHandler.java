package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * Constant (value, or from opset 12 value_float(s)/value_int(s)) and ConstantOfShape (a fill of the
 * {@code value} attribute's one element, float 0 by default, to a shape that may be known only at run time).
 */
public final class ConstantHandler implements OpHandler {
    private final boolean ofShape;

    private ConstantHandler(boolean ofShape) {
        this.ofShape = ofShape;
    }

    public static ConstantHandler constant() {
        return new ConstantHandler(false);
    }

    public static ConstantHandler ofShape() {
        return new ConstantHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        if (ofShape) {
            Tensor value = ctx.node().attrTensor("value")
                    .orElse(Tensor.ofFloats("value", new long[] {1}, new float[] {0}));
            Operand<?> scalar = TfOps.constant(tf, value.reshape(new long[0]));
            Operand<?> shape = TfOps.cast(tf, ctx.input(0), org.tensorflow.types.TInt64.class);
            return List.of(tf.fill(TfOps.num(shape), any(scalar)));
        }
        return List.of(TfOps.constant(tf, value(ctx)));
    }

    private static Tensor value(NodeContext ctx) {
        var node = ctx.node();
        if (node.attrTensor("value").isPresent()) {
            return node.attrTensor("value").get();
        } else if (node.hasAttribute("value_float")) {
            return Tensor.ofFloats("value", new long[0], new float[] {node.attrFloat("value_float", 0)});
        } else if (node.hasAttribute("value_floats")) {
            float[] v = node.attrFloats("value_floats", new float[0]);
            return Tensor.ofFloats("value", new long[] {v.length}, v);
        } else if (node.hasAttribute("value_int")) {
            return Tensor.ofLongs("value", DataType.INT64, new long[0], new long[] {node.attrInt("value_int", 0)});
        } else if (node.hasAttribute("value_ints")) {
            long[] v = node.attrInts("value_ints", new long[0]);
            return Tensor.ofLongs("value", DataType.INT64, new long[] {v.length}, v);
        }
        throw ctx.unsupported("only tensor, float and int constants are supported");
    }
}
