package ai.onnxhap.rewrite;

import ai.onnxhap.model.OnnxHapException;
import java.util.Arrays;

/**
 * The singular values of one layer's weight, viewed as a [rows, cols] matrix, and the arithmetic that picks an
 * implant's rank: parameter counts, the Eckart–Young error and the budget and energy rules. Pure numbers, so
 * planners can weigh many ranks after one SVD.
 *
 * @param node           the node the weight belongs to
 * @param rows           C_out for Conv, K for Gemm/MatMul
 * @param cols           C_in·∏kernel for Conv, N for Gemm/MatMul
 * @param biasParams     bias elements the layer holds; the implant keeps them
 * @param singularValues σ_1 ≥ σ_2 ≥ ... ≥ 0, min(rows, cols) of them
 */
public record LowRankSpectrum(String node, int rows, int cols, long biasParams, double[] singularValues) {

    public LowRankSpectrum {
        if (rows < 1 || cols < 1 || biasParams < 0) {
            throw new IllegalArgumentException("bad spectrum shape [" + rows + " x " + cols + "] + " + biasParams);
        }
        singularValues = singularValues.clone();
        if (singularValues.length != Math.min(rows, cols)) {
            throw new IllegalArgumentException("a [" + rows + " x " + cols + "] matrix has " + Math.min(rows, cols)
                    + " singular values, got " + singularValues.length);
        }
        for (int i = 0; i < singularValues.length; i++) {
            if (!(singularValues[i] >= 0) || i > 0 && singularValues[i] > singularValues[i - 1]) {
                throw new IllegalArgumentException("singular values must be non-negative and descending: "
                        + Arrays.toString(singularValues));
            }
        }
    }

    @Override
    public double[] singularValues() {
        return singularValues.clone();
    }

    /** min(rows, cols): the rank that reproduces the weight exactly. */
    public int maxRank() {
        return singularValues.length;
    }

    /** Weight plus bias of the original layer. */
    public long originalParams() {
        return (long) rows * cols + biasParams;
    }

    /** Parameters of the two factors plus the kept bias: r·(rows + cols) + bias. */
    public long implantParams(int rank) {
        return implantParams(node, rows, cols, biasParams, rank);
    }

    public boolean savesParameters(int rank) {
        return implantParams(rank) < originalParams();
    }

    /** ‖W − W_r‖_F / ‖W‖_F = sqrt(Σ_{i>r} σ_i² / Σ σ_i²), the best any rank-r matrix can do (Eckart–Young). */
    public double relativeError(int rank) {
        checkRank(node, rows, cols, rank);
        double total = sumOfSquares(0);
        return total == 0 ? 0 : Math.sqrt(sumOfSquares(rank) / total);
    }

    /** The largest rank whose factors hold at most {@code paramFraction} of the weight's elements; at least 1. */
    public int rankForBudget(double paramFraction) {
        if (!(paramFraction > 0) || Double.isInfinite(paramFraction)) {
            throw OnnxHapException.usage("parameter fraction must be a positive number, got " + paramFraction);
        }
        double budget = paramFraction * rows * cols;
        int r = 1;
        while (r < maxRank() && (double) (r + 1) * (rows + cols) <= budget) {
            r++;
        }
        return r;
    }

    /** The smallest rank whose singular values keep at least {@code energy} of Σσ² (0 < energy ≤ 1). */
    public int rankForEnergy(double energy) {
        if (!(energy > 0 && energy <= 1)) {
            throw OnnxHapException.usage("energy must be in (0, 1], got " + energy);
        }
        double total = sumOfSquares(0);
        double kept = 0;
        // Summed in the same order as the total, so energy = 1 is reached exactly at the last value.
        for (int r = 1; r <= maxRank(); r++) {
            kept += singularValues[r - 1] * singularValues[r - 1];
            if (kept >= energy * total) {
                return r;
            }
        }
        return maxRank();
    }

    private double sumOfSquares(int from) {
        double s = 0;
        for (int i = from; i < singularValues.length; i++) {
            s += singularValues[i] * singularValues[i];
        }
        return s;
    }

    static long implantParams(String node, int rows, int cols, long biasParams, int rank) {
        checkRank(node, rows, cols, rank);
        return (long) rank * (rows + cols) + biasParams;
    }

    static void checkRank(String node, int rows, int cols, int rank) {
        if (rank < 1 || rank > Math.min(rows, cols)) {
            throw OnnxHapException.usage("node '" + node + "': rank " + rank + " is outside 1.."
                    + Math.min(rows, cols) + " for its [" + rows + " x " + cols + "] weight");
        }
    }
}
