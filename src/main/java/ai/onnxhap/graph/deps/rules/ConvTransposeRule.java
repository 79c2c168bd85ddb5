package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/** ConvTranspose: W is [C_in, C_out/group, k...], so input channels are rows and output channels columns. */
public final class ConvTransposeRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String w = node.input(1);
        if (!p.isInitializer(w) || node.attrInt("group", 1) != 1) {
            throw p.notPrunable("ConvTranspose '" + node.name() + "' has a computed weight or groups");
        }
        if (axis != 1) {
            throw p.notPrunable("ConvTranspose '" + node.name() + "' would be cut on axis " + axis);
        }
        if (OpRule.isOutput(node, tensor)) {
            p.parameter(w, 1, map, Member.Role.PRODUCER);
            if (!node.input(2).isEmpty()) {
                p.parameter(node.input(2), 0, map, Member.Role.PRODUCER);
            }
            p.value(tensor, 1, map);
        } else {
            p.parameter(w, 0, map, Member.Role.CONSUMER);
            p.value(tensor, 1, map);
        }
    }
}
