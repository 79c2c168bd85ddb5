package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.AttributeEdit;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.Propagation;
import ai.onnxhap.graph.deps.OpRule;

/**
 * ONNX Runtime's fused attention ops (domain com.microsoft). {@code Attention} holds the Q/K/V projections as
 * one [hidden_in, 3·hidden] weight: a head is D columns in each third, plus its bias entries. {@code
 * MultiHeadAttention} takes projected Q, K, V [B, S, hidden]: a head is a block of D features of each, which
 * spreads back to the projections. Either way the output's head block and {@code num_heads} follow.
 */
public final class FusedAttentionRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        long heads = node.requireInt("num_heads");
        long[] out = p.shape(node.output(0));
        if (out == null || out.length != 3) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' has an unexpected output shape");
        }
        int hidden = (int) out[2];
        int d = (int) (hidden / heads);
        boolean packedWeights = node.opType().equals("Attention");
        if (packedWeights && tensor.equals(node.input(0))) {
            // Cutting the input features: rows of the packed weight, not heads.
            p.parameter(node.input(1), 0, map, Member.Role.CONSUMER);
            p.value(tensor, axis, map);
            return;
        }
        if (node.hasAttribute("qkv_hidden_sizes") || node.outputs().size() > 1 && !node.output(1).isEmpty()) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' uses qkv_hidden_sizes or a KV cache");
        }
        if (axis != 2) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would be cut on axis " + axis);
        }
        IndexMap headMap = map.collapse(d);
        if (headMap == null) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would lose part of a head");
        }
        IndexMap features = headMap.expand(d);
        IndexMap qkv = features.union(features.shift(hidden)).union(features.shift(2 * hidden));
        p.value(node.output(0), 2, features);
        if (packedWeights) {
            p.parameter(node.input(1), 1, qkv, Member.Role.PRODUCER);
        } else {
            for (int i = 0; i < 3; i++) {
                if (node.input(i).isEmpty() || p.shape(node.input(i)) == null || p.shape(node.input(i)).length != 3) {
                    throw p.notPrunable("MultiHeadAttention '" + node.name() + "' takes packed or cached inputs");
                }
                p.value(node.input(i), 2, features);
            }
        }
        String bias = node.input(packedWeights ? 2 : 3);
        if (!bias.isEmpty()) {
            p.tensor(bias, 0, qkv, Member.Role.PRODUCER);
        }
        p.attributeEdit(new AttributeEdit(node.name(), "num_heads", -1, node.output(0), 2, d));
    }
}
