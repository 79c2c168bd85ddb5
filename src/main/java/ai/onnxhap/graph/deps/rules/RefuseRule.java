package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/** Ops known to mix units in ways a cut cannot follow (DepthToSpace, Einsum, fused attention, ...). */
public final class RefuseRule implements OpRule {
    private final String why;

    public RefuseRule(String why) {
        this.why = why;
    }

    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        throw p.notPrunable(node.opType() + " '" + node.name() + "' " + why);
    }
}
