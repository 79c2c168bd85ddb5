package ai.onnxhap.compress;

import ai.onnxhap.plan.sparse.EligibleMatrices;
import java.util.List;
import java.util.Map;

/**
 * What a DARB compression did, per matrix and in total: densities, block sizes, ratios, index bits per kept
 * weight of the chosen layout against CSR and fixed-size blocks at the same ratio, and bytes on disk.
 */
public record DarbReport(String pattern, String criterion, double targetRatio, int steps, boolean dense,
                         List<Matrix> matrices, List<EligibleMatrices.Skipped> skipped, Totals totals) {
    public DarbReport {
        matrices = List.copyOf(matrices);
        skipped = List.copyOf(skipped);
    }

    /**
     * @param densityBefore  share of non-zero weights in the input model
     * @param densityAfter   share of kept weights
     * @param blockSizes     rows per block size (empty for row-balanced and irregular layouts)
     * @param indexBits      index bits per kept weight of this layout
     * @param csrBits        the same weights in CSR (column index + amortised row pointers)
     * @param fixedBlockBits fixed-size block pruning at the same ratio (⌈log2 b⌉)
     */
    public record Matrix(String tensor, String part, String node, String opType, int rows, int cols,
                         double densityBefore, double densityAfter, double ratio, Map<Integer, Integer> blockSizes,
                         double indexBits, double csrBits, double fixedBlockBits) {
        public Matrix {
            // Sorted by block size, for tables and JSON alike.
            blockSizes = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(blockSizes));
        }
    }

    /**
     * @param indexBits           kept-weighted mean over matrices, likewise csrBits and fixedBlockBits
     * @param modelBytesBefore    serialized size of the input model, all data inline
     * @param sparseTensors       weights written as sparse_initializer
     */
    public record Totals(long elements, long kept, double ratio, double indexBits, double csrBits,
                         double fixedBlockBits, long modelBytesBefore, long modelBytesAfter, int sparseTensors) {
    }
}
