package ai.onnxhap.plan.sparse;

import java.util.PriorityQueue;

/**
 * DARB's density-adaptive block sizes: row i gets a power-of-two block size b_i, so it keeps ⌈n/b_i⌉ weights
 * (one per block), with the number of blocks tracking the row's density under irregular pruning.
 *
 * <p>Water-filling: every row starts with one block (the smallest power of two ≥ n); the row whose kept count
 * lags its irregular survivors the most (largest survivors/blocks) halves its block size, as long as the total
 * stays within the target; a row whose next halving would overshoot stops. The total ends at or below the
 * target, short of it by less than the smallest next increment, which is at most the blocks of the sparsest row.
 */
public final class BlockAllocation {
    private BlockAllocation() {
    }

    /** Smallest power of two ≥ n: one block covers the whole row. */
    public static int maxBlock(int n) {
        return Integer.highestOneBit(Math.max(1, n - 1)) << (n > 1 ? 1 : 0);
    }

    public static int blocks(int n, int blockSize) {
        return (n + blockSize - 1) / blockSize;
    }

    /**
     * @param survivors per row, how many of its weights irregular pruning to the same target keeps
     * @param cols      row length n
     * @param target    total weights to keep, at least one per row
     */
    public static int[] blockSizes(int[] survivors, int cols, long target) {
        double[] mass = new double[survivors.length];
        for (int r = 0; r < mass.length; r++) {
            mass[r] = survivors[r];
        }
        return blockSizes(survivors, mass, cols, target);
    }

    /**
     * @param mass per row, its total saliency: orders rows of equal survivors per block (rows that irregular
     *             pruning emptied would otherwise share the leftover budget by position)
     */
    public static int[] blockSizes(int[] survivors, double[] mass, int cols, long target) {
        int rows = survivors.length;
        if (target < rows) {
            throw new IllegalArgumentException("target " + target + " is below one weight per row (" + rows + ")");
        }
        int[] size = new int[rows];
        java.util.Arrays.fill(size, maxBlock(cols));
        long total = rows;
        // Largest survivors per block first, then largest saliency per block, then the lower row.
        PriorityQueue<Integer> queue = new PriorityQueue<>((a, b) -> {
            int c = Double.compare(perBlock(survivors[b], cols, size[b]), perBlock(survivors[a], cols, size[a]));
            if (c == 0) {
                c = Double.compare(perBlock(mass[b], cols, size[b]), perBlock(mass[a], cols, size[a]));
            }
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int r = 0; r < rows; r++) {
            queue.add(r);
        }
        while (!queue.isEmpty()) {
            int r = queue.poll();
            if (size[r] == 1) {
                continue;
            }
            long more = blocks(cols, size[r] / 2) - blocks(cols, size[r]);
            if (total + more > target) {
                continue; // this row's next step no longer fits, and the total only grows
            }
            size[r] /= 2;
            total += more;
            queue.add(r);
        }
        return size;
    }

    private static double perBlock(double amount, int cols, int size) {
        return amount / blocks(cols, size);
    }
}
