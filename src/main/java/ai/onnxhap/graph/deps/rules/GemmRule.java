package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/** Gemm Y = A·B + C: output features are B's columns (rows with transB) and C's last axis; A's K axis reads B's K. */
public final class GemmRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String b = node.input(1);
        if (!p.isInitializer(b)) {
            throw p.notPrunable("Gemm '" + node.name() + "' multiplies two computed values");
        }
        boolean transA = node.attrInt("transA", 0) != 0;
        boolean transB = node.attrInt("transB", 0) != 0;
        if (OpRule.isOutput(node, tensor) && axis == 1) {
            p.parameter(b, transB ? 0 : 1, map, Member.Role.PRODUCER);
            String c = node.input(2);
            if (!c.isEmpty()) {
                long[] cs = p.shape(c);
                if (cs != null && cs.length > 0 && cs[cs.length - 1] > 1) {
                    p.tensor(c, cs.length - 1, map, Member.Role.PRODUCER);
                }
            }
            p.value(tensor, 1, map);
        } else if (tensor.equals(node.input(0)) && axis == (transA ? 0 : 1)) {
            p.parameter(b, transB ? 1 : 0, map, Member.Role.CONSUMER);
            p.value(tensor, axis, map);
        } else {
            throw p.notPrunable("Gemm '" + node.name() + "' would be cut on its batch axis");
        }
    }
}
