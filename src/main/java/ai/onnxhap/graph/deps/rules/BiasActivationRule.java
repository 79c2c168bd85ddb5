package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * ONNX Runtime's fused activations with an optional bias along the last axis (com.microsoft FastGelu,
 * BiasGelu, Gelu, QuickGelu): element-wise, so every axis passes through; a cut on the last axis also cuts
 * the bias.
 */
public final class BiasActivationRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String in = node.input(0);
        String out = node.output(0);
        if (!tensor.equals(in) && !tensor.equals(out)) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would cut its bias '" + tensor + "'");
        }
        int rank = Axes.rank(p, in, node);
        p.value(in, axis, map);
        p.value(out, axis, map);
        if (axis == rank - 1 && node.inputs().size() > 1 && !node.input(1).isEmpty()) {
            p.tensor(node.input(1), 0, map, Member.Role.THROUGH);
        }
    }
}
