package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * ConstantOfShape fills a shape with one value (PyTorch's zero initial state of an LSTM/GRU, built from the
 * batch size and the hidden size): every slice of the fill is alike, so a cut axis only needs its entry of
 * the shape rewritten where a literal spells it.
 */
public final class ConstantOfShapeRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (!OpRule.isOutput(node, tensor)) {
            throw p.notPrunable("ConstantOfShape '" + node.name() + "' would cut its shape input");
        }
        if (p.constant(node.input(0)) == null) {
            throw p.notPrunable("ConstantOfShape '" + node.name() + "' has a shape computed from data");
        }
        p.value(tensor, axis, map);
        p.shapeEntry(node, 0, axis, tensor, axis);
    }
}
