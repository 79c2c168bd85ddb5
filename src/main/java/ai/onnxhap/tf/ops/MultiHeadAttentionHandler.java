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
 * ONNX Runtime's MultiHeadAttention (com.microsoft) with separately projected query [B, S, E], key [B, L, E]
 * and value [B, L, Ev]: an optional packed bias [E + E + Ev] (trainable) is added to them, and an optional
 * key_padding_mask gives lengths [B] or a key mask [B, L]. Packed or pre-split (4-D) q/k/v, past state and
 * attention_bias are refused with the node named. present_key/present_value are k and v as [B, N, L, D].
 */
public final class MultiHeadAttentionHandler implements OpHandler {
    @Override
    public InputRole inputRole(int input) {
        return input == 3 ? InputRole.WEIGHT : InputRole.DATA;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        HeadAttention.refuseInputs(ctx, 5, "attention_bias", "past_key", "past_value", "past_sequence_length",
                "cache_indirection");
        if (!ctx.hasInput(1) || !ctx.hasInput(2)) {
            throw ctx.unsupported("packed query/key/value are not supported: give key and value separately");
        }
        if (ctx.outputCount() > 3 && ctx.wantsOutput(3)) {
            throw ctx.unsupported("output qk is not supported");
        }
        long heads = HeadAttention.positive(ctx, "num_heads");
        Operand<?> q = ctx.input(0);
        Operand<?> k = ctx.input(1);
        Operand<?> v = ctx.input(2);
        long hidden = HeadAttention.hidden(ctx, q, "query");
        if (HeadAttention.hidden(ctx, k, "key") != hidden) {
            throw ctx.unsupported("key hidden size differs from the query's");
        }
        long vHidden = HeadAttention.hidden(ctx, v, "value");
        long d = HeadAttention.headSize(ctx, hidden, heads);
        long dv = HeadAttention.headSize(ctx, vHidden, heads);
        if (ctx.hasInput(3)) {
            List<Operand<?>> b = new ArrayList<>(tf.splitV(any(ctx.input(3)),
                    tf.constant(new long[] {hidden, hidden, vHidden}), tf.constant(0), 3L).output());
            q = tf.math.add(num(q), num(b.get(0)));
            k = tf.math.add(num(k), num(b.get(1)));
            v = tf.math.add(num(v), num(b.get(2)));
        }
        Operand<?> qh = HeadAttention.splitHeads(tf, q, heads, d);
        Operand<?> kh = HeadAttention.splitHeads(tf, k, heads, d);
        Operand<?> vh = HeadAttention.splitHeads(tf, v, heads, dv);
        Operand<?> bias = HeadAttention.maskBias(ctx, 4, qh, kh);
        Operand<?> out = HeadAttention.attend(tf, qh, kh, vh, heads, heads, HeadAttention.scale(ctx, d), bias);
        return List.of(HeadAttention.mergeHeads(tf, out, vHidden), kh, vh);
    }
}
