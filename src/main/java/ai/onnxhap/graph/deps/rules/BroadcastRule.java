package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Element-wise ops with NumPy broadcasting (Add, Mul, Where, ...): every input that carries the cut axis
 * at full size is cut with it (a residual branch, an SE gate, a per-channel constant); inputs that
 * broadcast along it (size 1 or lower rank) stay.
 */
public final class BroadcastRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String out = node.output(0);
        int outRank = Axes.rank(p, out, node);
        int aligned = axis + outRank - Axes.rank(p, tensor, node);
        long size = p.shape(out)[aligned];
        for (String in : node.inputs()) {
            if (in.isEmpty()) {
                continue;
            }
            long[] s = p.shape(in);
            if (s == null) {
                throw p.notPrunable("shape of '" + in + "' (input of " + node.name() + ") is unknown");
            }
            int a = aligned - (outRank - s.length);
            if (a >= 0 && s[a] == size && size > 1) {
                p.tensor(in, a, map, Member.Role.THROUGH);
            }
        }
        p.value(out, aligned, map);
    }
}
