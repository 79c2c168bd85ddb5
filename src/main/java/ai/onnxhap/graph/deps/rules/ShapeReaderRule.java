package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Shape and Size read only the dimensions, which follow the cut at run time; what they feed must then be
 * cut as well, which the group checks once it is complete.
 */
public final class ShapeReaderRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (!tensor.equals(node.input(0))) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' output cannot be cut");
        }
        p.shapeRead(node, axis);
    }
}
