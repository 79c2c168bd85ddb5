package ai.onnxhap.plan.sparse;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.OnnxHapException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays out the kept weights of every eligible matrix at the same target ratio. For DARB: prune the matrix
 * irregularly by saliency to the target, count each row's survivors (its density), give rows power-of-two block
 * sizes that track those densities ({@link BlockAllocation}), and keep each block's most salient weight
 * ({@link BlockMaxMasking}).
 */
public final class DarbPlanner {
    private DarbPlanner() {
    }

    /**
     * @param ratio         elements per kept weight, above 1
     * @param saliency      per tensor, a score per element in the tensor's layout; magnitude |w| where absent
     * @param minElements   tensors below this size stay dense
     * @param excludedNodes nodes whose weights stay dense
     */
    public static DarbPlan plan(Graph graph, double ratio, SparsityPattern pattern, Map<String, float[]> saliency,
                                int minElements, Set<String> excludedNodes) {
        if (!(ratio > 1) || Double.isInfinite(ratio)) {
            throw OnnxHapException.usage("ratio " + ratio + "x must be above 1x");
        }
        EligibleMatrices.Found found = EligibleMatrices.find(graph, minElements, excludedNodes);
        if (found.matrices().isEmpty()) {
            StringBuilder why = new StringBuilder();
            for (EligibleMatrices.Skipped s : found.skipped()) {
                why.append(why.length() == 0 ? " (" : "; ").append(s.tensor()).append(": ").append(s.reason());
            }
            throw OnnxHapException.invalidModel(graph.model().label() + " has no weight matrix to prune: DARB prunes "
                    + "float32 weights of Gemm, MatMul, Conv, LSTM, GRU and RNN with at least " + minElements
                    + " elements" + (why.length() == 0 ? "" : why + ")"));
        }
        List<MatrixLayout> layouts = new ArrayList<>();
        for (MatrixView m : found.matrices()) {
            float[] flat = saliency.containsKey(m.tensor()) ? saliency.get(m.tensor())
                    : magnitude(graph.initializer(m.tensor()).floats());
            layouts.add(layout(m, m.gather(flat), ratio, pattern));
        }
        return new DarbPlan(ratio, pattern, layouts, found.skipped());
    }

    /** How many weights a matrix keeps at a ratio; at least one per row, or the ratio cannot be met. */
    public static long target(MatrixView m, double ratio) {
        long target = Math.round(m.elements() / ratio);
        if (target < m.rows()) {
            throw OnnxHapException.usage(String.format(java.util.Locale.ROOT,
                    "ratio %sx cannot be met on %s (%d×%d): every row keeps at least one weight, so at most %dx; "
                            + "lower --ratio or exclude node '%s'", trim(ratio), m.label(), m.rows(), m.cols(),
                    m.cols(), m.node()));
        }
        return target;
    }

    /** @param viewSaliency row-major m×n scores of the matrix */
    public static MatrixLayout layout(MatrixView m, float[] viewSaliency, double ratio, SparsityPattern pattern) {
        long target = target(m, ratio);
        int rows = m.rows();
        int cols = m.cols();
        return switch (pattern) {
            case DARB -> {
                boolean[] survive = topK(viewSaliency, target);
                int[] perRow = new int[rows];
                double[] mass = new double[rows];
                for (int i = 0; i < survive.length; i++) {
                    perRow[i / cols] += survive[i] ? 1 : 0;
                    mass[i / cols] += viewSaliency[i];
                }
                int[] sizes = BlockAllocation.blockSizes(perRow, mass, cols, target);
                yield new MatrixLayout(m, pattern, sizes, BlockMaxMasking.keep(viewSaliency, rows, cols, sizes));
            }
            case FIXED_BLOCK -> {
                int[] sizes = new int[rows];
                Arrays.fill(sizes, IndexBits.fixedBlockSize(rows, cols, target));
                yield new MatrixLayout(m, pattern, sizes, BlockMaxMasking.keep(viewSaliency, rows, cols, sizes));
            }
            case ROW_BALANCED -> {
                int[][] kept = new int[rows][];
                for (int r = 0; r < rows; r++) {
                    long k = target / rows + (r < target % rows ? 1 : 0);
                    boolean[] survive = topK(Arrays.copyOfRange(viewSaliency, r * cols, (r + 1) * cols), k);
                    kept[r] = positions(survive, 0, cols);
                }
                yield new MatrixLayout(m, pattern, new int[rows], kept);
            }
            case IRREGULAR -> {
                boolean[] survive = topK(viewSaliency, target);
                int[][] kept = new int[rows][];
                for (int r = 0; r < rows; r++) {
                    kept[r] = positions(survive, r * cols, cols);
                }
                yield new MatrixLayout(m, pattern, new int[rows], kept);
            }
        };
    }

    /** The k highest scores (the lower index first among equal scores). */
    static boolean[] topK(float[] scores, long k) {
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        boolean[] keep = new boolean[scores.length];
        if (k <= 0) {
            return keep;
        }
        float threshold = sorted[(int) (scores.length - k)];
        long left = k;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] > threshold) {
                keep[i] = true;
                left--;
            }
        }
        for (int i = 0; i < scores.length && left > 0; i++) {
            if (scores[i] == threshold) {
                keep[i] = true;
                left--;
            }
        }
        return keep;
    }

    private static int[] positions(boolean[] survive, int from, int length) {
        int count = 0;
        for (int c = 0; c < length; c++) {
            count += survive[from + c] ? 1 : 0;
        }
        int[] out = new int[count];
        int k = 0;
        for (int c = 0; c < length; c++) {
            if (survive[from + c]) {
                out[k++] = c;
            }
        }
        return out;
    }

    public static float[] magnitude(float[] w) {
        float[] s = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = Math.abs(w[i]);
        }
        return s;
    }

    private static String trim(double ratio) {
        return ratio == Math.rint(ratio) ? Long.toString((long) ratio) : String.format(java.util.Locale.ROOT, "%.2f",
                ratio);
    }
}
