package ai.onnxhap.plan.sparse;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which weights of one matrix survive: per row the kept column indices (ascending) and, for block patterns,
 * the row's block size (0 for row-balanced and irregular layouts).
 */
public record MatrixLayout(MatrixView matrix, SparsityPattern pattern, int[] blockSizes, int[][] kept) {
    public MatrixLayout {
        blockSizes = blockSizes.clone();
        int[][] copy = new int[kept.length][];
        for (int r = 0; r < kept.length; r++) {
            copy[r] = kept[r].clone();
        }
        kept = copy;
    }

    @Override
    public int[] blockSizes() {
        return blockSizes.clone();
    }

    public int[] keptInRow(int row) {
        return kept[row].clone();
    }

    @Override
    public int[][] kept() {
        int[][] copy = new int[kept.length][];
        for (int r = 0; r < kept.length; r++) {
            copy[r] = kept[r].clone();
        }
        return copy;
    }

    public long keptCount() {
        long n = 0;
        for (int[] row : kept) {
            n += row.length;
        }
        return n;
    }

    /** Elements per kept weight. */
    public double ratio() {
        return matrix.elements() / (double) keptCount();
    }

    /** Rows per block size, ascending (empty for patterns without blocks). */
    public Map<Integer, Integer> blockSizeHistogram() {
        Map<Integer, Integer> h = new TreeMap<>();
        if (pattern == SparsityPattern.DARB || pattern == SparsityPattern.FIXED_BLOCK) {
            for (int b : blockSizes) {
                h.merge(b, 1, Integer::sum);
            }
        }
        return h;
    }

    /** Sets 1 at every kept position of this matrix inside the tensor's flat mask. */
    public void markKept(float[] tensorMask) {
        for (int r = 0; r < kept.length; r++) {
            for (int c : kept[r]) {
                tensorMask[matrix.index(r, c)] = 1f;
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MatrixLayout l && l.matrix.equals(matrix) && l.pattern == pattern
                && Arrays.equals(l.blockSizes, blockSizes) && Arrays.deepEquals(l.kept, kept);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(kept) * 31 + pattern.hashCode();
    }
}
