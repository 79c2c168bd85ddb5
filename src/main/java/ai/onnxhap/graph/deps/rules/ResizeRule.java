package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;
import ai.onnxhap.model.Tensor;

/**
 * Resize and the deprecated Upsample (opsets 7–9, still written by old converters) scale the spatial axes of a
 * feature map: a channel passes through when its axis keeps scale 1. Output sizes given explicitly (Resize's
 * {@code sizes}) would need rewriting with the cut, and a scale that is not a constant cannot be checked, so
 * both stop the group.
 */
public final class ResizeRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (!tensor.equals(node.input(0)) && !tensor.equals(node.output(0))) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would cut its scales or sizes");
        }
        double scale = scaleOf(node, axis, p);
        if (scale != 1.0) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' scales the cut axis " + axis
                    + (Double.isNaN(scale) ? " by sizes or scales that are not constants" : " by " + scale));
        }
        p.value(node.input(0), axis, map);
        p.value(node.output(0), axis, map);
    }

    /** The scale of one axis; NaN when it is not known from constants. */
    private static double scaleOf(Node node, int axis, Propagation p) {
        if (node.opType().equals("Upsample") && node.hasAttribute("scales")) {
            float[] s = node.attrFloats("scales", new float[0]);
            return axis < s.length ? s[axis] : Double.NaN;
        }
        // Upsample 9 and Resize 10: (X, scales); Resize 11+: (X, roi, scales, sizes).
        int scalesAt = node.opType().equals("Upsample") || p.opset() < 11 ? 1 : 2;
        if (node.inputs().size() > 3 && !node.input(3).isEmpty()) {
            return Double.NaN;
        }
        if (node.inputs().size() <= scalesAt || node.input(scalesAt).isEmpty()) {
            return Double.NaN;
        }
        Tensor scales = p.known(node.input(scalesAt));
        if (scales == null || axis >= scales.size()) {
            return Double.NaN;
        }
        return scales.floats()[axis];
    }
}
