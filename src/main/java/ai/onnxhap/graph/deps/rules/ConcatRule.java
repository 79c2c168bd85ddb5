package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Concat along the cut axis: each input owns a window of the output, so cuts shift by the input's offset
 * (and an output cut splits into its inputs' windows). Along another axis every operand is cut alike.
 */
public final class ConcatRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String out = node.output(0);
        int rank = Axes.rank(p, out, node);
        int concatAxis = Axes.normalize(node.requireInt("axis"), rank);
        if (axis != concatAxis) {
            for (String in : node.inputs()) {
                p.tensor(in, axis, map, Member.Role.THROUGH);
            }
            p.value(out, axis, map);
            return;
        }
        int offset = 0;
        for (String in : node.inputs()) {
            int size = (int) p.shape(in)[axis];
            if (tensor.equals(out)) {
                IndexMap window = map.window(offset, offset + size);
                if (!window.isEmpty()) {
                    p.tensor(in, axis, window, Member.Role.THROUGH);
                }
            } else if (in.equals(tensor)) {
                p.value(out, axis, map.shift(offset));
                p.value(in, axis, map);
                return;
            }
            offset += size;
        }
        p.value(out, axis, map);
    }
}
