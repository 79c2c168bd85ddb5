package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * ONNX Runtime's com.microsoft EmbedLayerNormalization: word + position (+ segment) embeddings, normalised. Its
 * output's last axis is the hidden width: the embedding tables' columns, gamma and beta shrink with it and the
 * statistics run over fewer elements (inexact). The mask output and the id inputs are never cut.
 */
public final class EmbedLayerNormalizationRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (!tensor.equals(node.output(0)) || axis != 2) {
            throw p.notPrunable("EmbedLayerNormalization '" + node.name() + "' would cut '" + tensor + "' on axis " + axis);
        }
        p.value(tensor, axis, map);
        p.inexact("EmbedLayerNormalization '" + node.name() + "' normalises over the cut axis");
        for (int i : new int[] {2, 3, 4}) {
            if (node.inputs().size() > i && !node.input(i).isEmpty()) {
                p.tensor(node.input(i), 1, map, Member.Role.PRODUCER);
            }
        }
        for (int i : new int[] {5, 6}) {
            if (node.inputs().size() > i && !node.input(i).isEmpty()) {
                p.tensor(node.input(i), 0, map, Member.Role.THROUGH);
            }
        }
    }
}
