package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import ai.onnxhap.tf.ops.NormalizationHandler.Standardized;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * ONNX Runtime's EmbedLayerNormalization (com.microsoft): word + position (+ segment) embeddings of
 * input_ids [B, S], layer-normalized over the hidden axis. Positions are 0..S−1 unless position_ids is given.
 * Outputs the embedding, mask_index (per row, how many mask entries equal 1, as int32; zeros without a mask)
 * and, when asked, the un-normalized sum. The embedding tables, gamma and beta are trainable weights.
 */
public final class EmbedLayerNormalizationHandler implements OpHandler {
    @Override
    public InputRole inputRole(int input) {
        return input >= 2 && input <= 6 ? InputRole.WEIGHT : InputRole.DATA;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> ids = ctx.input(0);
        Operand<?> sum = tf.gather(any(ctx.input(2)), num(ids), tf.constant(0));
        Operand<?> positions = ctx.hasInput(8) ? ctx.input(8)
                : tf.range(tf.constant(0L), TfOps.dim(tf, ids, 1), tf.constant(1L));
        sum = tf.math.add(num(sum), num(tf.gather(any(ctx.input(3)), num(positions), tf.constant(0))));
        if (ctx.hasInput(1) && ctx.hasInput(4)) {
            sum = tf.math.add(num(sum), num(tf.gather(any(ctx.input(4)), num(ctx.input(1)), tf.constant(0))));
        } else if (ctx.hasInput(1) != ctx.hasInput(4)) {
            throw ctx.unsupported("segment_ids and segment_embedding must be given together");
        }
        int r = TfOps.rank(sum);
        Standardized s = NormalizationHandler.standardize(tf, sum, new int[] {r - 1},
                ctx.node().attrFloat("epsilon", 1e-12f), false);
        List<Operand<?>> outs = new ArrayList<>();
        outs.add(NormalizationHandler.scaleShift(tf, s.y(), ctx.input(5), ctx.input(6)));
        outs.add(ctx.node().attrInt("mask_index_type", 1) == 0 ? null : maskIndex(tf, ctx, ids));
        outs.add(sum);
        return outs;
    }

    private static Operand<TInt32> maskIndex(Ops tf, NodeContext ctx, Operand<?> ids) {
        if (!ctx.hasInput(7)) {
            Operand<TInt64> batch = tf.reshape(TfOps.dim(tf, ids, 0), TfOps.longs(tf, 1));
            return tf.zeros(batch, TInt32.class);
        }
        Operand<?> ones = tf.math.equal(any(TfOps.cast(tf, ctx.input(7), TInt32.class)), any(tf.constant(1)));
        return tf.sum(tf.dtypes.cast(ones, TInt32.class), tf.constant(1), Sum.keepDims(false));
    }
}
