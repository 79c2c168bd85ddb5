package ai.onnxhap.tf.ops;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/** DepthToSpace (DCR and CRD modes) and SpaceToDepth on NCHW, as reshape–transpose–reshape. */
public final class SpaceDepthHandler implements OpHandler {
    private final boolean toSpace;

    private SpaceDepthHandler(boolean toSpace) {
        this.toSpace = toSpace;
    }

    public static SpaceDepthHandler depthToSpace() {
        return new SpaceDepthHandler(true);
    }

    public static SpaceDepthHandler spaceToDepth() {
        return new SpaceDepthHandler(false);
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        long[] s = ctx.shape(0);
        if (s.length != 4 || s[1] < 0 || s[2] < 0 || s[3] < 0) {
            throw ctx.unsupported("needs a 4-D input with static C, H, W");
        }
        long b = ctx.node().requireInt("blocksize");
        long n = s[0];
        long c = s[1];
        long h = s[2];
        long w = s[3];
        Operand<?> x = ctx.input(0);
        if (!toSpace) {
            x = TfOps.reshape(tf, x, n, c, h / b, b, w / b, b);
            x = TfOps.transpose(tf, x, 0, 3, 5, 1, 2, 4);
            return List.of(TfOps.reshape(tf, x, n, c * b * b, h / b, w / b));
        }
        if (ctx.node().attrString("mode", "DCR").equals("DCR")) {
            x = TfOps.reshape(tf, x, n, b, b, c / (b * b), h, w);
            x = TfOps.transpose(tf, x, 0, 3, 4, 1, 5, 2);
        } else {
            x = TfOps.reshape(tf, x, n, c / (b * b), b, b, h, w);
            x = TfOps.transpose(tf, x, 0, 1, 4, 2, 5, 3);
        }
        return List.of(TfOps.reshape(tf, x, n, c / (b * b), h * b, w * b));
    }
}
