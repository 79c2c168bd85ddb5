package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * MatMul Y[..., M, N] = A[..., M, K] · B[..., K, N] with broadcast batch axes. With a constant B, the cut
 * axis N is B's columns (a layer's output features) and K is B's rows (its inputs). With two computed
 * operands (attention's Q·Kᵀ and P·V) batch axes such as heads tie A, B and Y together, and K ties A to B.
 */
public final class MatMulRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String a = node.input(0);
        String b = node.input(1);
        String y = node.output(0);
        int ra = Axes.rank(p, a, node);
        int rb = Axes.rank(p, b, node);
        int ry = Axes.rank(p, y, node);
        if (ra < 2 || rb < 2) {
            throw p.notPrunable("MatMul '" + node.name() + "' has a 1-D operand");
        }
        // Work in Y's axis numbering: batch axes, then M (ry-2) and N (ry-1); K is A's last / B's second to last.
        boolean isK = (tensor.equals(a) && axis == ra - 1) || (tensor.equals(b) && !tensor.equals(a) && axis == rb - 2);
        if (isK) {
            p.value(a, ra - 1, map);
            p.tensor(b, rb - 2, map, Member.Role.CONSUMER);
            return;
        }
        int yAxis;
        if (tensor.equals(y)) {
            yAxis = axis;
        } else if (tensor.equals(a)) {
            yAxis = axis == ra - 2 ? ry - 2 : axis + ry - ra;
        } else {
            yAxis = axis == rb - 1 ? ry - 1 : axis + ry - rb;
        }
        p.value(y, yAxis, map);
        if (yAxis == ry - 1) {
            p.tensor(b, rb - 1, map, Member.Role.PRODUCER);
        } else if (yAxis == ry - 2) {
            p.value(a, ra - 2, map);
        } else {
            long size = p.shape(y)[yAxis];
            cutBatchAxis(a, yAxis - (ry - ra), size, map, p);
            cutBatchAxis(b, yAxis - (ry - rb), size, map, p);
        }
    }

    private static void cutBatchAxis(String operand, int axis, long size, IndexMap map, Propagation p) {
        if (axis >= 0 && p.shape(operand)[axis] == size && size > 1) {
            p.tensor(operand, axis, map, Member.Role.THROUGH);
        }
    }
}
