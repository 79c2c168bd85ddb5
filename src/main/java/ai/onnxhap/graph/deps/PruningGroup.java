package ai.onnxhap.graph.deps;

import java.util.List;

/**
 * Everything that must be cut together when units of one structure are removed: the root dimension plus
 * every dimension it forces, with the shape constants and attributes that count the units.
 *
 * @param id          stable name: the root node and what the units are
 * @param kind        what a unit is
 * @param rootNode    the node whose output dimension defines the units
 * @param units       how many units the root dimension has
 * @param members     every cut dimension (values and parameters)
 * @param prunable    false when something in the way cannot be rewritten; {@code reason} names it
 * @param exact       false when removal is not output-equivalent to masking (e.g. LayerNorm over the cut axis)
 */
public record PruningGroup(String id, Kind kind, String rootNode, int units, List<Member> members,
                           List<ShapeEdit> shapeEdits, List<AttributeEdit> attributeEdits, boolean prunable,
                           String reason, boolean exact) {

    /** What a unit is; {@link #label()} is how reports and {@code check} name it. */
    public enum Kind {
        /** A Conv/ConvTranspose output channel. */
        CHANNEL,
        /** A hidden neuron of a Gemm/MatMul pair outside a transformer. */
        NEURON,
        /** A feed-forward neuron of a transformer block (GELU/ReLU MLP, GPT-2 Conv1D, SwiGLU gate+up). */
        FFN,
        /** An attention head: its Q, K, V columns and its rows of the output projection. */
        HEAD,
        /** A key/value head with the query heads that share it (grouped- or multi-query attention). */
        KV_GROUP,
        /** A residual-stream feature; cutting it changes LayerNorm/RMSNorm statistics (inexact). */
        HIDDEN,
        /** A hidden unit of an LSTM/GRU/RNN: its rows of every gate, in every direction. */
        RNN_UNIT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public PruningGroup {
        members = List.copyOf(members);
        shapeEdits = List.copyOf(shapeEdits);
        attributeEdits = List.copyOf(attributeEdits);
    }

    public List<Member> parameters() {
        return members.stream().filter(Member::isParameter).toList();
    }
}
