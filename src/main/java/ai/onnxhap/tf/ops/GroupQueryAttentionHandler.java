package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/**
 * ONNX Runtime's GroupQueryAttention (com.microsoft) for a prompt without past: query [B, S, N·D], key and
 * value [B, S, KV·D]; query head h reads key/value head h / (N / KV). Causal, as in ORT 1.2x, and keys past
 * seqlens_k[b] + 1 are hidden (ORT leaves query positions past a row's length undefined; here they attend to
 * the row's keys). present_key/present_value are k and v as [B, KV, S, D]. Past state, packed qkv,
 * rotary, local windows, softcap and smooth softmax are refused with the node named.
 */
public final class GroupQueryAttentionHandler implements OpHandler {
    /** Masked scores: far below any real score, so their probability is exactly 0 as in ORT's kernel. */
    private static final double MASKED = -1e9;

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        if (!ctx.hasInput(1) || !ctx.hasInput(2)) {
            throw ctx.unsupported("packed qkv is not supported: give key and value separately");
        }
        if (ctx.hasInput(3) || ctx.hasInput(4)) {
            throw ctx.unsupported("past_key/past_value are not supported (prompt only, no KV cache)");
        }
        HeadAttention.refuseInputs(ctx, 7, "cos_cache", "sin_cache", "position_ids", "attention_bias", "head_sink");
        var n = ctx.node();
        if (n.attrInt("do_rotary", 0) != 0 || n.attrInt("local_window_size", -1) != -1
                || n.attrFloat("softcap", 0f) != 0 || n.attrInt("smooth_softmax", 0) != 0) {
            throw ctx.unsupported("do_rotary, local_window_size, softcap and smooth_softmax must keep their defaults");
        }
        if (ctx.outputCount() > 3 && ctx.wantsOutput(3)) {
            throw ctx.unsupported("output output_qk is not supported");
        }
        long heads = HeadAttention.positive(ctx, "num_heads");
        long kvHeads = HeadAttention.positive(ctx, "kv_num_heads");
        if (heads % kvHeads != 0) {
            throw ctx.unsupported("num_heads " + heads + " is not a multiple of kv_num_heads " + kvHeads);
        }
        long d = HeadAttention.headSize(ctx, HeadAttention.hidden(ctx, ctx.input(0), "query"), heads);
        long s = ctx.shape(0)[1];
        Optional<long[]> total = ctx.staticInts(6);
        if (s >= 0 && total.isPresent() && total.get().length == 1 && total.get()[0] != s) {
            throw ctx.unsupported("total_sequence_length " + total.get()[0] + " differs from the sequence length "
                    + s + ": that needs a KV cache");
        }
        Operand<?> q = HeadAttention.splitHeads(tf, ctx.input(0), heads, d);
        Operand<?> k = HeadAttention.splitHeads(tf, ctx.input(1), kvHeads, d);
        Operand<?> v = HeadAttention.splitHeads(tf, ctx.input(2), kvHeads, d);
        // Key j is visible to query i when j ≤ i and j ≤ seqlens_k[b] (seqlens_k is the row's length − 1).
        Operand<TInt64> positions = tf.range(tf.constant(0L), TfOps.dim(tf, k, 2), tf.constant(1L));
        Operand<?> last = tf.expandDims(any(TfOps.cast(tf, ctx.input(5), TInt64.class)), tf.constant(1));
        Operand<?> inRow = tf.math.lessEqual(tf.expandDims(positions, tf.constant(0)), num(last));
        Operand<?> lengthBias = HeadAttention.biasWhere(tf, inRow, MASKED);
        lengthBias = tf.expandDims(any(tf.expandDims(any(lengthBias), tf.constant(1))), tf.constant(1));
        Operand<?> bias = tf.math.add(num(lengthBias), num(HeadAttention.causalBias(tf, q, MASKED)));
        Operand<?> out = HeadAttention.attend(tf, q, k, v, heads, kvHeads, HeadAttention.scale(ctx, d), bias);
        return List.of(HeadAttention.mergeHeads(tf, out, heads * d), k, v);
    }
}
