package ai.onnxhap.plan.sparse;

/**
 * Index storage per kept weight, the decoding-cost comparison of DARB: a block layout stores each kept weight's
 * offset in its block (log2 b bits) plus, for DARB, one small code per row naming its block size; CSR stores a
 * column index per weight plus a row pointer per row; row-balanced storage needs the column index only.
 */
public final class IndexBits {
    private IndexBits() {
    }

    public static int ceilLog2(long x) {
        return x <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(x - 1);
    }

    /** Column index per weight, plus (rows + 1) row pointers of ⌈log2(kept + 1)⌉ bits spread over the weights. */
    public static double csr(int rows, int cols, long kept) {
        return ceilLog2(cols) + (rows + 1.0) * ceilLog2(kept + 1) / kept;
    }

    /**
     * The one block size whose layout (one weight per block, the same in every row) comes closest to keeping
     * {@code target} weights, the fewer kept on a tie: the fixed-block baseline. It misses the target by less than
     * one block per row, as it cannot adapt.
     */
    public static int fixedBlockSize(int rows, int cols, long target) {
        int best = cols;
        long bestGap = Long.MAX_VALUE;
        for (int b = cols; b >= 1; b--) {
            long gap = Math.abs((long) rows * BlockAllocation.blocks(cols, b) - target);
            if (gap < bestGap) {
                best = b;
                bestGap = gap;
            }
        }
        return best;
    }

    /** Fixed-block pruning at the same target: every kept weight costs ⌈log2 b⌉ bits and rows need no code. */
    public static double fixedBlock(int rows, int cols, long target) {
        return ceilLog2(fixedBlockSize(rows, cols, target));
    }

    /** Bits per kept weight of a layout, as its own pattern stores it. */
    public static double of(MatrixLayout layout) {
        MatrixView m = layout.matrix();
        long kept = layout.keptCount();
        return switch (layout.pattern()) {
            case DARB, FIXED_BLOCK -> blockBits(layout);
            case ROW_BALANCED -> ceilLog2(m.cols());
            case IRREGULAR -> csr(m.rows(), m.cols(), kept);
        };
    }

    private static double blockBits(MatrixLayout layout) {
        int[] sizes = layout.blockSizes();
        long kept = layout.keptCount();
        double bits = 0;
        for (int r = 0; r < sizes.length; r++) {
            bits += (double) layout.keptInRow(r).length * ceilLog2(sizes[r]);
        }
        if (layout.pattern() == SparsityPattern.DARB) {
            // Each row's block size is one of log2(maxBlock) + 1 powers of two.
            int choices = ceilLog2(BlockAllocation.maxBlock(layout.matrix().cols())) + 1;
            bits += (double) sizes.length * ceilLog2(choices);
        }
        return bits / kept;
    }
}
