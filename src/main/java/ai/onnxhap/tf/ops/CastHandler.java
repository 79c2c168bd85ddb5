package ai.onnxhap.tf.ops;

import ai.onnxhap.model.DataType;
import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import ai.onnxhap.tf.TfTensors;
import java.util.List;
import org.tensorflow.Operand;

/** Cast (to the {@code to} type's TF carrier) and CastLike (to input 1's type, opset 15). */
public final class CastHandler implements OpHandler {
    private final boolean like;

    private CastHandler(boolean like) {
        this.like = like;
    }

    public static CastHandler cast() {
        return new CastHandler(false);
    }

    public static CastHandler castLike() {
        return new CastHandler(true);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        var target = like ? ctx.input(1).type() : TfTensors.carrier(targetType(ctx));
        return List.of(TfOps.cast(ctx.tf(), ctx.input(0), target));
    }

    /** {@code to}: a type code, or before opset 6 a type name ("FLOAT"). */
    private static DataType targetType(NodeContext ctx) {
        var to = ctx.node().attribute("to").orElseThrow(() -> ctx.unsupported("attribute 'to' is missing"));
        if (to.hasS()) {
            try {
                return DataType.valueOf(to.getS().toStringUtf8().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ctx.unsupported("unknown type '" + to.getS().toStringUtf8() + "'");
            }
        }
        return DataType.fromCode((int) to.getI());
    }
}
