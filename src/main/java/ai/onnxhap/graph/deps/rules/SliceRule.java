package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;
import ai.onnxhap.model.Tensor;

/**
 * Slice. Along an axis it does not slice, the cut passes through. Along the cut axis with step 1 and literal
 * bounds (the chunks of a packed projection, as {@code nn.MultiheadAttention}'s {@code chunk(3)} is exported)
 * the output is a window of the input, like one output of a Split: cuts shift by the start, and both bounds
 * become their position less the removed indices below them.
 */
public final class SliceRule implements OpRule {
    private static final OpRule OTHER_AXES = new AxisPreservingRule();

    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        String in = node.input(0);
        String out = node.output(0);
        if (!tensor.equals(in) && !tensor.equals(out) || node.hasAttribute("starts")) {
            OTHER_AXES.propagate(node, tensor, axis, map, p);
            return;
        }
        int rank = Axes.rank(p, in, node);
        Tensor starts = p.constant(node.input(1));
        Tensor ends = p.constant(node.input(2));
        Tensor axes = node.inputs().size() > 3 && !node.input(3).isEmpty() ? p.constant(node.input(3)) : null;
        Tensor steps = node.inputs().size() > 4 && !node.input(4).isEmpty() ? p.constant(node.input(4)) : null;
        if (starts == null || ends == null) {
            throw p.notPrunable("Slice '" + node.name() + "' has computed bounds");
        }
        int k = -1;
        for (int i = 0; i < starts.size(); i++) {
            int a = axes == null ? i : Axes.normalize(axes.longs()[i], rank);
            if (a == axis) {
                k = i;
            }
        }
        if (k < 0) {
            OTHER_AXES.propagate(node, tensor, axis, map, p);
            return;
        }
        if (steps != null && steps.longs()[k] != 1) {
            throw p.notPrunable("Slice '" + node.name() + "' steps along the cut axis " + axis);
        }
        long dim = p.shape(in)[axis];
        long rawStart = starts.longs()[k];
        long rawEnd = ends.longs()[k];
        if (rawStart < 0 || rawEnd < 0) {
            throw p.notPrunable("Slice '" + node.name() + "' counts its bounds on the cut axis from the end");
        }
        int start = (int) Math.min(rawStart, dim);
        int end = (int) Math.min(rawEnd, dim);
        IndexMap inputMap = tensor.equals(in) ? map : map.shift(start);
        p.value(in, axis, inputMap);
        IndexMap window = inputMap.window(start, end);
        if (!window.isEmpty()) {
            p.value(out, axis, window);
        }
        if (start > 0) {
            p.positionEntry(node, 1, k, in, axis, start);
        }
        if (end < dim) {
            p.positionEntry(node, 2, k, in, axis, end);
        } else if (rawEnd < Integer.MAX_VALUE && rawEnd > dim) {
            throw p.notPrunable("Slice '" + node.name() + "' ends past the cut axis");
        }
    }
}
