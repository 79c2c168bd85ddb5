package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * LayerNormalization: axes from {@code axis} on are normalised together. A cut there shrinks scale and
 * bias, but the statistics then run over fewer elements, so the result is close to, not equal to, masking.
 */
public final class LayerNormalizationRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (!tensor.equals(node.input(0)) && !node.output(0).equals(tensor)) {
            throw p.notPrunable("LayerNormalization '" + node.name() + "' would cut its parameter '" + tensor + "'");
        }
        int rank = Axes.rank(p, node.input(0), node);
        int from = Axes.normalize(node.attrInt("axis", -1), rank);
        p.value(node.input(0), axis, map);
        p.value(node.output(0), axis, map);
        if (axis >= from) {
            p.inexact("LayerNormalization '" + node.name() + "' normalises over the cut axis");
            for (int i = 1; i <= 2; i++) {
                String param = node.input(i);
                if (!param.isEmpty()) {
                    long[] s = p.shape(param);
                    p.tensor(param, axis - (rank - s.length), map, Member.Role.THROUGH);
                }
            }
        }
    }
}
