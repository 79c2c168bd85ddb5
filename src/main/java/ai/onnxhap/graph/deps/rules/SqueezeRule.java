package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/** Squeeze and Unsqueeze renumber axes around size-1 axes; the cut axis itself is never one of them. */
public final class SqueezeRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        long[] in = p.shape(node.input(0));
        long[] out = p.shape(node.output(0));
        if (in == null || out == null) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' has unknown shapes");
        }
        boolean forward = tensor.equals(node.input(0));
        long[] from = forward ? in : out;
        long[] to = forward ? out : in;
        // The cut axis keeps its position among the axes of size > 1 on both sides.
        int nonTrivialBefore = 0;
        for (int k = 0; k < axis; k++) {
            if (from[k] != 1) {
                nonTrivialBefore++;
            }
        }
        for (int k = 0, seen = 0; k < to.length; k++) {
            if (to[k] != 1) {
                if (seen == nonTrivialBefore) {
                    p.value(forward ? node.output(0) : node.input(0), k, map);
                    p.value(tensor, axis, map);
                    return;
                }
                seen++;
            }
        }
        throw p.notPrunable(node.opType() + " '" + node.name() + "' loses the cut axis");
    }
}
