package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Split along the cut axis: each output is a window of the input. The split sizes live in an attribute or
 * input that would need rewriting, so a cut that changes a window's size is refused unless the sizes are
 * implied (equal split); along another axis every operand is cut alike.
 */
public final class SplitRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String in = node.input(0);
        int rank = Axes.rank(p, in, node);
        int splitAxis = Axes.normalize(node.attrInt("axis", 0), rank);
        if (axis != splitAxis) {
            p.value(in, axis, map);
            for (String out : node.outputs()) {
                p.value(out, axis, map);
            }
            return;
        }
        throw p.notPrunable("Split '" + node.name() + "' divides the cut axis into fixed windows");
    }
}
