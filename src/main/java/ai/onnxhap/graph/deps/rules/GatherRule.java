package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Gather along another axis than the cut one (a ViT's class token x[:, 0]): the cut axis keeps its place,
 * shifted by the rank the indices add or remove. Gathering along the cut axis would pick units by position.
 */
public final class GatherRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String data = node.input(0);
        int rank = Axes.rank(p, data, node);
        int gatherAxis = Axes.normalize(node.attrInt("axis", 0), rank);
        int indexRank = Axes.rank(p, node.input(1), node);
        if (tensor.equals(node.input(1))) {
            throw p.notPrunable("Gather '" + node.name() + "' would cut its indices");
        }
        boolean forward = tensor.equals(data);
        int dataAxis = forward ? axis : (axis < gatherAxis ? axis : axis - indexRank + 1);
        if (dataAxis == gatherAxis || (!forward && axis >= gatherAxis && axis < gatherAxis + indexRank)) {
            throw p.notPrunable("Gather '" + node.name() + "' selects along the cut axis");
        }
        int outAxis = dataAxis < gatherAxis ? dataAxis : dataAxis + indexRank - 1;
        p.value(data, dataAxis, map);
        p.value(node.output(0), outAxis, map);
    }
}
