package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Ops that keep every axis where it is and act per element (activations, Identity, Cast, Dropout) or
 * per channel over other axes (pooling): the cut passes from the data input to every output unchanged.
 * Extra inputs (Clip's bounds, pooling has none) are scalars and stay.
 */
public final class PassThroughRule implements OpRule {
    private final boolean channelOnly;

    /** @param channelOnly pooling and resizing only keep axes 0 and 1 (batch, channel) intact */
    public PassThroughRule(boolean channelOnly) {
        this.channelOnly = channelOnly;
    }

    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (channelOnly && axis > 1) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' changes axis " + axis);
        }
        if (!node.input(0).equals(tensor) && !OpRule.isOutput(node, tensor)) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would cut its parameter input '" + tensor + "'");
        }
        p.value(node.input(0), axis, map);
        for (String out : node.outputs()) {
            if (!out.isEmpty() && p.shape(out) != null && p.shape(out).length == Axes.rank(p, node.input(0), node)) {
                p.value(out, axis, map);
            }
        }
    }
}
