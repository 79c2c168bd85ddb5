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

    public enum Kind { CHANNEL, NEURON, FFN_NEURON, HEAD }

    public PruningGroup {
        members = List.copyOf(members);
        shapeEdits = List.copyOf(shapeEdits);
        attributeEdits = List.copyOf(attributeEdits);
    }

    public List<Member> parameters() {
        return members.stream().filter(Member::isParameter).toList();
    }
}
