package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Reshape and Flatten. Input and output axes are paired into runs of equal element count. A cut axis may
 * be the leading axis of a run that merges (channel → C·H·W features, heads → head·dim features: each index
 * becomes a block) or split (features → heads: whole blocks become one index). Reshape's target entry for
 * the cut axis is rewritten where it is a literal.
 */
public final class ReshapeRule implements OpRule {
    @Override
    public void propagate(Node node, String tensor, int axis, IndexMap map, Propagation p) {
        long[] in = p.shape(node.input(0));
        long[] out = p.shape(node.output(0));
        if (in == null || out == null) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' has unknown shapes");
        }
        if (!tensor.equals(node.input(0)) && !tensor.equals(node.output(0))) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' would cut its shape input");
        }
        boolean forward = tensor.equals(node.input(0));
        long[] from = forward ? in : out;
        long[] to = forward ? out : in;
        // Find the run of axes around `axis` in `from` and its partner run in `to`.
        int i = 0;
        int j = 0;
        while (i < from.length || j < to.length) {
            int i0 = i;
            int j0 = j;
            long pf = i < from.length ? from[i++] : 1;
            long pt = j < to.length ? to[j++] : 1;
            while (pf != pt) {
                if (pf < pt && i < from.length) {
                    pf *= from[i++];
                } else if (j < to.length) {
                    pt *= to[j++];
                } else {
                    throw p.notPrunable(node.opType() + " '" + node.name() + "' reshapes in a way that cannot be followed");
                }
            }
            if (axis >= i0 && axis < i) {
                follow(node, forward, from, to, axis, i0, i, j0, j, map, p);
                return;
            }
        }
        throw p.notPrunable(node.opType() + " '" + node.name() + "': axis " + axis + " not found");
    }

    private static void follow(Node node, boolean forward, long[] from, long[] to, int axis, int i0, int i1, int j0,
                               int j1, IndexMap map, Propagation p) {
        // Leading size-1 axes on either side do not change the index mapping.
        while (i0 < axis && from[i0] == 1) {
            i0++;
        }
        while (j0 < j1 - 1 && to[j0] == 1) {
            j0++;
        }
        if (axis != i0) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' mixes the cut axis with the axes before it");
        }
        long innerFrom = product(from, axis + 1, i1);
        long innerTo = product(to, j0 + 1, j1);
        IndexMap mapped;
        if (innerFrom == innerTo) {
            mapped = map;
        } else if (innerFrom > innerTo && innerFrom % innerTo == 0) {
            mapped = map.expand((int) (innerFrom / innerTo));
        } else if (innerTo % innerFrom == 0) {
            mapped = map.collapse((int) (innerTo / innerFrom));
        } else {
            mapped = null;
        }
        if (mapped == null) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' splits a unit of the cut axis");
        }
        String target = forward ? node.output(0) : node.input(0);
        p.value(target, j0, mapped);
        if (node.opType().equals("Reshape")) {
            int outAxis = forward ? j0 : axis;
            String outValue = node.output(0);
            p.shapeEntry(node, 1, outAxis, outValue, outAxis);
        }
    }

    private static long product(long[] dims, int from, int to) {
        long n = 1;
        for (int k = from; k < to; k++) {
            n *= dims[k];
        }
        return n;
    }
}
