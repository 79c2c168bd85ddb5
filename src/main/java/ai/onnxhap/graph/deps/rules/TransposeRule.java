package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/** Transpose moves the cut axis to where {@code perm} sends it (reversed axes without perm). */
public final class TransposeRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        int rank = Axes.rank(p, node.input(0), node);
        long[] perm = node.attrInts("perm", null);
        if (perm == null) {
            perm = new long[rank];
            for (int k = 0; k < rank; k++) {
                perm[k] = rank - 1 - k;
            }
        }
        if (tensor.equals(node.input(0))) {
            for (int k = 0; k < rank; k++) {
                if (perm[k] == axis) {
                    p.value(node.output(0), k, map);
                }
            }
            p.value(tensor, axis, map);
        } else {
            p.value(node.input(0), (int) perm[axis], map);
            p.value(tensor, axis, map);
        }
    }
}
