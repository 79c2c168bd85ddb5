package ai.onnxhap.graph.deps;

import java.util.Arrays;

/**
 * Which indices along one tensor axis belong to each unit of a group (a channel, a head, a neuron).
 * Maps are composed as a group spreads: Concat shifts them, Flatten expands each index into a block,
 * a head-splitting Reshape collapses blocks back into one index.
 */
public final class IndexMap {
    private final int[][] indices;

    private IndexMap(int[][] indices) {
        this.indices = indices;
    }

    /** Unit u owns index u. */
    public static IndexMap identity(int units) {
        int[][] m = new int[units][];
        for (int u = 0; u < units; u++) {
            m[u] = new int[] {u};
        }
        return new IndexMap(m);
    }

    /** Unit u owns {@code indices[u]} (sorted here). */
    public static IndexMap of(int[][] indices) {
        int[][] m = new int[indices.length][];
        for (int u = 0; u < indices.length; u++) {
            m[u] = Arrays.stream(indices[u]).sorted().toArray();
        }
        return new IndexMap(m);
    }

    public int units() {
        return indices.length;
    }

    public int[] of(int unit) {
        return indices[unit].clone();
    }

    /** Every index this map touches. */
    public int size() {
        return Arrays.stream(indices).mapToInt(a -> a.length).sum();
    }

    public IndexMap shift(int offset) {
        return map(i -> new int[] {i + offset});
    }

    /** Each index i becomes the block [i·k, i·k + k) (Flatten of C×H×W, heads merged back into features). */
    public IndexMap expand(int k) {
        return map(i -> {
            int[] block = new int[k];
            for (int j = 0; j < k; j++) {
                block[j] = i * k + j;
            }
            return block;
        });
    }

    /** Inverse of {@link #expand}: each unit must own whole blocks of size k; null when it does not. */
    public IndexMap collapse(int k) {
        int[][] out = new int[indices.length][];
        for (int u = 0; u < indices.length; u++) {
            int[] idx = indices[u];
            if (idx.length % k != 0) {
                return null;
            }
            out[u] = new int[idx.length / k];
            for (int b = 0; b < out[u].length; b++) {
                int start = idx[b * k];
                if (start % k != 0) {
                    return null;
                }
                for (int j = 0; j < k; j++) {
                    if (idx[b * k + j] != start + j) {
                        return null;
                    }
                }
                out[u][b] = start / k;
            }
        }
        return new IndexMap(out);
    }

    /** Indices in [from, to), shifted down by from (Split outputs, Concat inputs seen from the output). */
    public IndexMap window(int from, int to) {
        int[][] out = new int[indices.length][];
        for (int u = 0; u < indices.length; u++) {
            out[u] = Arrays.stream(indices[u]).filter(i -> i >= from && i < to).map(i -> i - from).toArray();
        }
        return new IndexMap(out);
    }

    private IndexMap map(java.util.function.IntFunction<int[]> f) {
        int[][] out = new int[indices.length][];
        for (int u = 0; u < indices.length; u++) {
            out[u] = Arrays.stream(indices[u]).mapToObj(f).flatMapToInt(Arrays::stream).toArray();
        }
        return new IndexMap(out);
    }

    /** Per unit, this map's indices followed by the other's (Q, K and V sections of one packed weight). */
    public IndexMap union(IndexMap other) {
        int[][] out = new int[indices.length][];
        for (int u = 0; u < indices.length; u++) {
            out[u] = java.util.stream.IntStream.concat(Arrays.stream(indices[u]), Arrays.stream(other.indices[u]))
                    .sorted().toArray();
        }
        return new IndexMap(out);
    }

    /**
     * Combines two views of the same axis: one may know only part of it (a Split output's window seen from the
     * input), or each may know another part of a unit (both directions of an RNN concatenated: unit u is
     * feature u and feature H+u). A unit owns the union of its indices. Null when an index would belong to
     * two units (a channel shuffle).
     */
    public IndexMap merge(IndexMap other) {
        if (other.indices.length != indices.length) {
            return null;
        }
        int[][] out = new int[indices.length][];
        java.util.Set<Integer> owned = new java.util.HashSet<>();
        for (int u = 0; u < indices.length; u++) {
            out[u] = java.util.stream.IntStream.concat(Arrays.stream(indices[u]), Arrays.stream(other.indices[u]))
                    .sorted().distinct().toArray();
            for (int i : out[u]) {
                if (!owned.add(i)) {
                    return null;
                }
            }
        }
        return new IndexMap(out);
    }

    /** True when no unit touches anything (e.g. the part of a Concat that belongs to another input). */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** Indices kept when only the given units stay, ascending. */
    public int[] kept(int[] keptUnits) {
        return Arrays.stream(keptUnits).flatMap(u -> Arrays.stream(indices[u])).sorted().toArray();
    }

    /** Indices of the given units, ascending. */
    public int[] removed(int[] removedUnits) {
        return kept(removedUnits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexMap other && Arrays.deepEquals(indices, other.indices);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(indices);
    }

    @Override
    public String toString() {
        return indices.length <= 8 ? Arrays.deepToString(indices) : "IndexMap[" + indices.length + " units, " + size()
                + " indices]";
    }
}
