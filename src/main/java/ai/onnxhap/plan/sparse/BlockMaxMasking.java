package ai.onnxhap.plan.sparse;

/**
 * Block-max weight masking (BMWM): row i is cut into contiguous blocks of b_i columns (the last one may be
 * shorter) and only the most salient weight of each block survives, so each kept weight's position is its
 * offset inside its block: log2(b_i) bits, and every block decodes independently.
 */
public final class BlockMaxMasking {
    private BlockMaxMasking() {
    }

    /**
     * @param saliency row-major m×n scores (|w|, or Hessian-weighted)
     * @return per row, the kept column indices in ascending order (one per block; the first on ties)
     */
    public static int[][] keep(float[] saliency, int rows, int cols, int[] blockSizes) {
        int[][] kept = new int[rows][];
        for (int r = 0; r < rows; r++) {
            int b = blockSizes[r];
            int[] row = new int[BlockAllocation.blocks(cols, b)];
            for (int k = 0; k < row.length; k++) {
                int best = k * b;
                for (int c = best + 1; c < Math.min(cols, (k + 1) * b); c++) {
                    if (saliency[r * cols + c] > saliency[r * cols + best]) {
                        best = c;
                    }
                }
                row[k] = best;
            }
            kept[r] = row;
        }
        return kept;
    }
}
