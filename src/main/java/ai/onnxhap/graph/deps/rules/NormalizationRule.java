package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * BatchNormalization and InstanceNormalization: per-channel statistics and affine parameters (inputs 1..)
 * follow the channel axis; other axes pass through.
 */
public final class NormalizationRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (!tensor.equals(node.input(0)) && !OpRule.isOutput(node, tensor)) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would cut its parameter '" + tensor + "'");
        }
        p.value(node.input(0), axis, map);
        p.value(node.output(0), axis, map);
        if (axis == 1) {
            for (int i = 1; i < node.inputs().size(); i++) {
                if (!node.input(i).isEmpty()) {
                    p.tensor(node.input(i), 0, map, Member.Role.THROUGH);
                }
            }
        }
        for (int i = 1; i < node.outputs().size(); i++) {
            // Training-mode running statistics outputs are per channel too.
            if (!node.output(i).isEmpty() && axis == 1) {
                p.value(node.output(i), 0, map);
            }
        }
    }
}
