package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * ONNX Runtime's Attention (com.microsoft): input [B, S, E_in] projected by one packed weight [E_in, 3E] and
 * bias [3E] into q, k, v, then multi-head attention. mask_index may be right-padding lengths [B] or a key
 * mask [B, S]; unidirectional=1 adds the causal mask. Past/present state, qkv_hidden_sizes, attention_bias
 * and rotary embedding are refused with the node named.
 */
public final class AttentionHandler implements OpHandler {
    @Override
    public InputRole inputRole(int input) {
        return input == 1 || input == 2 ? InputRole.WEIGHT : InputRole.DATA;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        HeadAttention.refuseInputs(ctx, 4, "past", "attention_bias", "past_sequence_length");
        if (ctx.wantsOutput(1) && ctx.outputCount() > 1) {
            throw ctx.unsupported("output present (past/present state) is not supported by the TensorFlow translation");
        }
        if (ctx.node().hasAttribute("qkv_hidden_sizes")) {
            throw ctx.unsupported("attribute qkv_hidden_sizes is not supported (q, k and v must share the packed"
                    + " weight's thirds)");
        }
        if (ctx.node().attrInt("do_rotary", 0) != 0) {
            throw ctx.unsupported("do_rotary=1 is not supported");
        }
        long heads = HeadAttention.positive(ctx, "num_heads");
        long[] ws = ctx.shape(1);
        if (ws.length != 2 || ws[1] < 0 || ws[1] % 3 != 0) {
            throw ctx.unsupported("weights must be [input_hidden, 3·hidden] with a static size");
        }
        long hidden = ws[1] / 3;
        long d = HeadAttention.headSize(ctx, hidden, heads);
        Operand<?> qkv = TfOps.batchMatMul(tf, ctx.input(0), ctx.input(1));
        if (ctx.hasInput(2)) {
            qkv = tf.math.add(num(qkv), num(ctx.input(2)));
        }
        List<Operand<?>> parts = new ArrayList<>(tf.splitV(any(qkv), tf.constant(new long[] {hidden, hidden, hidden}),
                tf.constant(-1), 3L).output());
        Operand<?> q = HeadAttention.splitHeads(tf, parts.get(0), heads, d);
        Operand<?> k = HeadAttention.splitHeads(tf, parts.get(1), heads, d);
        Operand<?> v = HeadAttention.splitHeads(tf, parts.get(2), heads, d);
        Operand<?> bias = HeadAttention.maskBias(ctx, 3, q, k);
        Operand<?> out = HeadAttention.attend(tf, q, k, v, heads, heads, HeadAttention.scale(ctx, d), bias);
        return List.of(HeadAttention.mergeHeads(tf, out, hidden));
    }
}
