package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;
import ai.onnxhap.model.Tensor;

/**
 * Ops that act along some axes and leave the others alone: Softmax/LogSoftmax (their axis), reductions
 * (their axes; with keepdims=0 later axes shift), Slice (its sliced axes), Pad (padded axes). A cut on one of
 * the axes they act on changes the result, so it is refused; any other axis passes through.
 */
public final class AxisPreservingRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        if (!tensor.equals(node.input(0)) && !tensor.equals(node.output(0))) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would cut its parameter input");
        }
        int rank = Axes.rank(p, node.input(0), node);
        boolean forward = tensor.equals(node.input(0));
        long[] acted = actedAxes(node, rank, p);
        int inAxis = forward ? axis : inputAxis(node, axis, acted, rank);
        if (forward && Axes.contains(acted, inAxis, rank) && node.opType().startsWith("Reduce")
                && node.attrInt("keepdims", 1) != 0) {
            // A statistic over the cut axis (a decomposed LayerNorm's or RMSNorm's mean): it keeps its size-1
            // axis and is broadcast back, so the cut stops here, but it now runs over fewer elements.
            p.statistic(node.opType() + " '" + node.name() + "' averages over the cut axis " + inAxis
                    + " (a decomposed LayerNorm/RMSNorm)");
            p.value(node.input(0), inAxis, map);
            return;
        }
        if (Axes.contains(acted, inAxis, rank)) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' works along the cut axis " + inAxis
                    + (node.opType().startsWith("Reduce") ? " (statistics over the width, as a decomposed"
                    + " LayerNorm/RMSNorm computes them)" : ""));
        }
        int outAxis = inAxis;
        if (dropsAxes(node)) {
            for (long a : acted) {
                if (Axes.normalize(a, rank) < inAxis) {
                    outAxis--;
                }
            }
        }
        p.value(node.input(0), inAxis, map);
        p.value(node.output(0), outAxis, map);
    }

    private static boolean dropsAxes(Node node) {
        return node.opType().startsWith("Reduce") && node.attrInt("keepdims", 1) == 0;
    }

    private static int inputAxis(Node node, int outAxis, long[] acted, int rank) {
        if (!dropsAxes(node)) {
            return outAxis;
        }
        int in = 0;
        for (int kept = -1; in < rank; in++) {
            if (!Axes.contains(acted, in, rank) && ++kept == outAxis) {
                return in;
            }
        }
        return in;
    }

    private static long[] actedAxes(Node node, int rank, Propagation p) {
        String op = node.opType();
        if (op.equals("Softmax") || op.equals("LogSoftmax") || op.equals("Hardmax")) {
            long def = (p.opset() >= 13) ? -1 : 1;
            long axis = Axes.normalize(node.attrInt("axis", def), rank);
            if (!(p.opset() >= 13)) {
                // Before opset 13 the input is flattened to 2-D at `axis`: every axis from there on is acted on.
                long[] all = new long[rank - (int) axis];
                for (int k = 0; k < all.length; k++) {
                    all[k] = axis + k;
                }
                return all;
            }
            return new long[] {axis};
        }
        if (op.equals("Slice")) {
            return sliceAxes(node, rank, p);
        }
        if (op.equals("Pad")) {
            return paddedAxes(node, rank, p);
        }
        long[] axes = Axes.axesOf(node, 1, p);
        if (axes == null) {
            if (node.attrInt("noop_with_empty_axes", 0) != 0) {
                return new long[0];
            }
            long[] all = new long[rank];
            for (int k = 0; k < rank; k++) {
                all[k] = k;
            }
            return all;
        }
        return axes;
    }

    private static long[] sliceAxes(Node node, int rank, Propagation p) {
        if (node.hasAttribute("starts")) {
            long[] axes = node.attrInts("axes", null);
            return axes != null ? axes : range(node.attrInts("starts", new long[0]).length);
        }
        Tensor starts = p.constant(node.input(1));
        if (starts == null) {
            throw p.notPrunable("Slice '" + node.name() + "' has computed bounds");
        }
        Tensor axes = node.input(3).isEmpty() ? null : p.constant(node.input(3));
        if (!node.input(3).isEmpty() && axes == null) {
            throw p.notPrunable("Slice '" + node.name() + "' has computed axes");
        }
        return axes != null ? axes.longs() : range(starts.size());
    }

    private static long[] paddedAxes(Node node, int rank, Propagation p) {
        long[] pads = node.hasAttribute("pads") ? node.attrInts("pads", null)
                : p.constant(node.input(1)) == null ? null : p.constant(node.input(1)).longs();
        if (pads == null) {
            throw p.notPrunable("Pad '" + node.name() + "' has computed pads");
        }
        long[] axesInput = node.input(3).isEmpty() ? range(rank)
                : p.constant(node.input(3)) == null ? null : p.constant(node.input(3)).longs();
        if (axesInput == null) {
            throw p.notPrunable("Pad '" + node.name() + "' has computed axes");
        }
        int n = axesInput.length;
        return java.util.stream.IntStream.range(0, n).filter(k -> pads[k] != 0 || pads[k + n] != 0)
                .mapToLong(k -> axesInput[k]).toArray();
    }

    private static long[] range(long n) {
        long[] r = new long[(int) n];
        for (int k = 0; k < n; k++) {
            r[k] = k;
        }
        return r;
    }
}
