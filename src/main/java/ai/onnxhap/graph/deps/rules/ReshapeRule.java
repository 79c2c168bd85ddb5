package ai.onnxhap.graph.deps.rules;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.OpRule;
import ai.onnxhap.graph.deps.Propagation;

/**
 * Reshape and Flatten. Input and output axes are paired into runs of equal element count; within a run the
 * elements keep their row-major order. A unit's indices on the cut axis become a set of flat positions in
 * the run, and the cut lands on the axis of the other side where that set is "every outer position × some
 * indices × every inner position": channel → C·H·W features and heads → head·dim features (each index
 * becomes a block), features → heads (whole blocks become one index), a packed [3·H·D] → [3, H, D] (each
 * head owns a stride of three blocks), heads folded into the batch axis [B, H·D] → [B·H, D]. A unit whose
 * positions no axis can hold (a head split across a smaller head size) refuses the group. Reshape's target
 * entry for the cut axis is rewritten where it is a literal.
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
        int[][] flat = flatPositions(map, product(from, i0, axis), from[axis], product(from, axis + 1, i1));
        int toAxis = -1;
        IndexMap mapped = null;
        // Size-1 axes last: they can hold a unit only when the group has one.
        for (int pass = 0; pass < 2 && mapped == null; pass++) {
            for (int k = j0; k < j1 && mapped == null; k++) {
                if ((to[k] > 1) == (pass == 0)) {
                    mapped = onAxis(flat, product(to, j0, k), to[k], product(to, k + 1, j1));
                    toAxis = k;
                }
            }
        }
        if (mapped == null) {
            throw p.notPrunable(node.opType() + " '" + node.name() + "' splits a unit of the cut axis");
        }
        String target = forward ? node.output(0) : node.input(0);
        p.value(target, toAxis, mapped);
        if (node.opType().equals("Reshape")) {
            int outAxis = forward ? toAxis : axis;
            p.shapeEntry(node, 1, outAxis, node.output(0), outAxis);
        }
    }

    /** Each unit's positions in the run, row-major: outer × the unit's indices × inner. */
    private static int[][] flatPositions(IndexMap map, long outer, long size, long inner) {
        int[][] flat = new int[map.units()][];
        for (int u = 0; u < flat.length; u++) {
            int[] idx = map.of(u);
            int[] f = new int[Math.toIntExact(outer * idx.length * inner)];
            int n = 0;
            for (long o = 0; o < outer; o++) {
                for (int x : idx) {
                    for (long r = 0; r < inner; r++) {
                        f[n++] = Math.toIntExact((o * size + x) * inner + r);
                    }
                }
            }
            flat[u] = f;
        }
        return flat;
    }

    /**
     * The units as indices of an axis with {@code outer} positions before it and {@code inner} after it, or
     * null when some unit's positions are not whole slices along it or two units would share an index.
     */
    private static IndexMap onAxis(int[][] flat, long outer, long size, long inner) {
        int[][] out = new int[flat.length][];
        boolean[] owned = new boolean[Math.toIntExact(size)];
        for (int u = 0; u < flat.length; u++) {
            int[] idx = java.util.Arrays.stream(flat[u]).map(f -> (int) ((f / inner) % size)).sorted().distinct()
                    .toArray();
            if ((long) idx.length * outer * inner != flat[u].length) {
                return null;
            }
            for (int x : idx) {
                if (owned[x]) {
                    return null;
                }
                owned[x] = true;
            }
            out[u] = idx;
        }
        return IndexMap.of(out);
    }

    private static long product(long[] dims, int from, int to) {
        long n = 1;
        for (int k = from; k < to; k++) {
            n *= dims[k];
        }
        return n;
    }
}
