package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/**
 * Scaled dot-product attention over heads, shared by ONNX Runtime's Attention, MultiHeadAttention and
 * GroupQueryAttention. Masks are additive biases (0 where a key is kept, the op's filter value where not), as
 * ORT's CPU kernels apply them, so fully visible rows compute the same softmax.
 */
final class HeadAttention {
    private HeadAttention() {
    }

    /** [B, S, heads·D] → [B, heads, S, D]. */
    static Operand<?> splitHeads(Ops tf, Operand<?> x, long heads, long headSize) {
        Operand<TInt64> lead = tf.slice(TfOps.shapeOf(tf, x), TfOps.longs(tf, 0), TfOps.longs(tf, 2));
        Operand<?> split = tf.reshape(any(x), tf.concat(List.of(lead, TfOps.longs(tf, heads, headSize)),
                tf.constant(0)));
        return TfOps.transpose(tf, split, 0, 2, 1, 3);
    }

    /** [B, heads, S, D] → [B, S, heads·D]. */
    static Operand<?> mergeHeads(Ops tf, Operand<?> x, long hidden) {
        Operand<?> t = TfOps.transpose(tf, x, 0, 2, 1, 3);
        Operand<TInt64> lead = tf.slice(TfOps.shapeOf(tf, t), TfOps.longs(tf, 0), TfOps.longs(tf, 2));
        return tf.reshape(any(t), tf.concat(List.of(lead, TfOps.longs(tf, hidden)), tf.constant(0)));
    }

    /**
     * softmax(q·kᵀ·scale + bias)·v for q [B, N, S, D] and k, v [B, KV, T, D] with N a multiple of KV: query
     * head h reads key/value head h / (N / KV). The grouped query heads are folded into the sequence axis
     * rather than k and v repeated, so the graph holds only reshapes and products. {@code bias} broadcasts to
     * [B, N, S, T]; null for none.
     */
    static Operand<?> attend(Ops tf, Operand<?> q, Operand<?> k, Operand<?> v, long heads, long kvHeads,
                             double scale, Operand<?> bias) {
        long group = heads / kvHeads;
        long d = TfOps.shape(q)[3];
        Operand<TInt64> batch = TfOps.dim(tf, q, 0);
        Operand<TInt64> s = TfOps.dim(tf, q, 2);
        Operand<TInt64> t = TfOps.dim(tf, k, 2);
        Operand<?> qg = group == 1 ? q : tf.reshape(any(q), stack(tf, batch, c(tf, kvHeads), c(tf, -1), c(tf, d)));
        Operand<?> scores = TfOps.batchMatMul(tf, qg, TfOps.transpose(tf, k, 0, 1, 3, 2));
        scores = tf.math.mul(num(scores), num(TfOps.scalarLike(tf, scale, scores)));
        if (group != 1) {
            scores = tf.reshape(any(scores), stack(tf, batch, c(tf, heads), s, t));
        }
        if (bias != null) {
            scores = tf.math.add(num(scores), num(TfOps.cast(tf, bias, scores.type())));
        }
        Operand<?> probs = tf.nn.softmax(num(scores));
        if (group != 1) {
            probs = tf.reshape(any(probs), stack(tf, batch, c(tf, kvHeads), c(tf, -1), t));
        }
        Operand<?> out = TfOps.batchMatMul(tf, probs, v);
        return group == 1 ? out : tf.reshape(any(out), stack(tf, batch, c(tf, heads), s, c(tf, d)));
    }

    /** 0 where {@code keep}, {@code filter} elsewhere, as float. */
    static Operand<?> biasWhere(Ops tf, Operand<?> keep, double filter) {
        return tf.select(any(keep), any(tf.constant(0f)), any(tf.constant((float) filter)));
    }

    /**
     * [B, 1, 1, T] bias from a key mask: a 1-D mask [B] gives each row's key count (keys ≥ it are padding), a
     * 2-D mask [B, T] keeps keys where it is positive. Other forms are refused, naming the node.
     */
    static Operand<?> keyMaskBias(NodeContext ctx, int input, Operand<?> keys, double filter) {
        Ops tf = ctx.tf();
        Operand<?> mask = ctx.input(input);
        int rank = ctx.rank(input);
        Operand<?> keep;
        if (rank == 1) {
            long[] ms = ctx.shape(input);
            long b = TfOps.shape(keys)[0];
            if (ms[0] >= 0 && b >= 0 && ms[0] != b) {
                throw ctx.unsupported("mask_index of shape [" + ms[0] + "] for batch " + b
                        + ": only right-padding lengths [B] are supported (not start/end pairs [2B])");
            }
            Operand<TInt64> positions = tf.range(tf.constant(0L), TfOps.dim(tf, keys, 2), tf.constant(1L));
            Operand<?> lengths = tf.expandDims(any(TfOps.cast(tf, mask, TInt64.class)), tf.constant(1));
            keep = tf.math.less(num(tf.expandDims(positions, tf.constant(0))), num(lengths));
        } else if (rank == 2) {
            keep = tf.math.greater(num(TfOps.cast(tf, mask, org.tensorflow.types.TFloat32.class)),
                    num(tf.constant(0f)));
        } else {
            throw ctx.unsupported("a mask of rank " + rank + ": only [B] lengths or a [B, T] key mask are supported");
        }
        Operand<?> bias = biasWhere(tf, keep, filter);
        return tf.expandDims(any(tf.expandDims(any(bias), tf.constant(1))), tf.constant(1));
    }

    /**
     * The additive mask of Attention and MultiHeadAttention: the key mask at input {@code maskInput} when given,
     * plus the causal mask when unidirectional=1, both at the node's mask_filter_value (ORT's default −10000).
     * Null when neither applies.
     */
    static Operand<?> maskBias(NodeContext ctx, int maskInput, Operand<?> q, Operand<?> k) {
        double filter = ctx.node().attrFloat("mask_filter_value", -10000f);
        Operand<?> bias = ctx.hasInput(maskInput) ? keyMaskBias(ctx, maskInput, k, filter) : null;
        if (ctx.node().attrInt("unidirectional", 0) != 0) {
            Operand<?> causal = causalBias(ctx.tf(), q, filter);
            bias = bias == null ? causal : ctx.tf().math.add(num(bias), num(causal));
        }
        return bias;
    }

    /** [S, T] bias hiding keys after each query (key j > query i), for S == T (no past). */
    static Operand<?> causalBias(Ops tf, Operand<?> q, double filter) {
        Operand<TInt64> positions = tf.range(tf.constant(0L), TfOps.dim(tf, q, 2), tf.constant(1L));
        Operand<?> keep = tf.math.lessEqual(tf.expandDims(positions, tf.constant(0)),
                tf.expandDims(positions, tf.constant(1)));
        return biasWhere(tf, keep, filter);
    }

    /** 1/√D unless the node's {@code scale} attribute sets it (0 means the default, as in ORT). */
    static double scale(NodeContext ctx, long headSize) {
        double s = ctx.node().attrFloat("scale", 0f);
        return s == 0 ? 1 / Math.sqrt(headSize) : s;
    }

    /** Refuses given inputs at {@code indices} (past state, attention bias, ...), naming them. */
    static void refuseInputs(NodeContext ctx, int from, String... names) {
        for (int i = from; i < Math.min(ctx.inputCount(), from + names.length); i++) {
            if (ctx.hasInput(i)) {
                throw ctx.unsupported("input " + i + " (" + names[i - from] + ") is not supported by the TensorFlow"
                        + " translation");
            }
        }
        if (ctx.inputCount() > from + names.length) {
            throw ctx.unsupported(ctx.inputCount() + " inputs; the TensorFlow translation reads at most "
                    + (from + names.length));
        }
    }

    /** A required positive integer attribute. */
    static long positive(NodeContext ctx, String attr) {
        long v = ctx.node().attrInt(attr, 0);
        if (v <= 0) {
            throw ctx.unsupported("attribute " + attr + " must be a positive integer");
        }
        return v;
    }

    /** The last dimension, which the head split needs statically. */
    static long hidden(NodeContext ctx, Operand<?> x, String what) {
        long[] s = TfOps.shape(x);
        if (s.length != 3 || s[2] < 0) {
            throw ctx.unsupported(what + " must be [B, S, hidden] with a static hidden size");
        }
        return s[2];
    }

    /** Hidden size split into heads, or a clear refusal. */
    static long headSize(NodeContext ctx, long hidden, long heads) {
        if (hidden % heads != 0) {
            throw ctx.unsupported("hidden size " + hidden + " is not a multiple of num_heads " + heads);
        }
        return hidden / heads;
    }

    private static Operand<TInt64> c(Ops tf, long v) {
        return tf.constant(v);
    }

    private static Operand<TInt64> stack(Ops tf, Operand<TInt64> a, Operand<TInt64> b, Operand<TInt64> x,
                                         Operand<TInt64> y) {
        return tf.stack(List.of(a, b, x, y));
    }
}
