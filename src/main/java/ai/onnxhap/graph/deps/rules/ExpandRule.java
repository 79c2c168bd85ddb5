package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;
import ai.onnxhap.model.Tensor;

/**
 * Expand broadcasts its input to a target shape (a ViT's class token to the batch): the cut axis keeps its
 * place counted from the right. A target entry that spells the cut size (rather than 1 or -1) is rewritten.
 */
public final class ExpandRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String in = node.input(0);
        String out = node.output(0);
        if (!tensor.equals(in) && !tensor.equals(out)) {
            throw p.notPrunable("Expand '" + node.name() + "' would cut its shape input");
        }
        int offset = Axes.rank(p, out, node) - Axes.rank(p, in, node);
        int inAxis = tensor.equals(in) ? axis : axis - offset;
        if (inAxis < 0 || p.shape(in)[inAxis] != p.shape(out)[inAxis + offset]) {
            throw p.notPrunable("Expand '" + node.name() + "' broadcasts along the cut axis");
        }
        p.value(in, inAxis, map);
        p.value(out, inAxis + offset, map);
        Tensor target = p.constant(node.input(1));
        int entry = inAxis + offset - (Axes.rank(p, out, node) - (target == null ? 0 : (int) target.size()));
        if (target == null) {
            throw p.notPrunable("Expand '" + node.name() + "' has a computed target shape");
        }
        if (entry >= 0 && target.longs()[entry] == p.shape(out)[inAxis + offset]) {
            p.shapeEntry(node, 1, entry, out, inAxis + offset);
        }
    }
}
