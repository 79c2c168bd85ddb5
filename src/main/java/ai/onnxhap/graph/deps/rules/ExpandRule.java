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
        int outAxis = inAxis + offset;
        // An output axis the input broadcasts into (repeat_kv's copies of one key/value head for each query
        // head) shrinks by its target entry alone; the input stays.
        boolean broadcast = tensor.equals(out) && (inAxis < 0 || p.shape(in)[inAxis] == 1);
        if (!broadcast && p.shape(in)[inAxis] != p.shape(out)[outAxis]) {
            throw p.notPrunable("Expand '" + node.name() + "' broadcasts along the cut axis");
        }
        if (!broadcast) {
            p.value(in, inAxis, map);
        }
        p.value(out, outAxis, map);
        Tensor target = p.constant(node.input(1));
        if (target == null) {
            throw p.notPrunable("Expand '" + node.name() + "' has a computed target shape");
        }
        int entry = outAxis - (Axes.rank(p, out, node) - (int) target.size());
        if (entry >= 0 && target.longs()[entry] == p.shape(out)[outAxis]) {
            p.shapeEntry(node, 1, entry, out, outAxis);
        } else if (broadcast) {
            throw p.notPrunable("Expand '" + node.name() + "' broadcasts along the cut axis by a shape it does not spell");
        }
    }
}
