package ai.onnxhap.plan;

import ai.onnxhap.model.OnnxHapException;
import java.util.Set;

/**
 * @param ratio          fraction of the budget (prunable parameters, or their MACs) to remove, in [0, 1)
 * @param maxLayerRatio  at most this fraction of any one group's units is removed (a layer is never emptied)
 * @param exclude        node names whose groups stay untouched
 * @param roundTo        kept channel/neuron counts are multiples of this (vectorised kernels run fastest on
 *                       whole blocks of 8 or 16 channels); heads and layers narrower than it are not rounded
 * @param ranking        how units of different groups compete when their scores share one scale
 * @param pruneHidden    whether residual-stream (hidden) groups may be cut: their removal changes every
 *                       LayerNorm's statistics, so it is not equivalent to masking and off by default
 */
public record PlanOptions(double ratio, double maxLayerRatio, Set<String> exclude, int roundTo, Budget budget,
                          Ranking ranking, boolean pruneHidden) {

    /** What the ratio is a fraction of. */
    public enum Budget {
        /** Elements of the weights prunable groups cut. */
        PARAMS,
        /** Multiply-accumulates those weights take part in (each weight element stands for its node's MACs share). */
        MACS,
        /**
         * The original's measured latency in ONNX Runtime. The planner never sees it: the job finds, by measuring,
         * the parameter ratio that removes this share of the latency, and plans that.
         */
        LATENCY
    }

    /**
     * How a comparable score (HAP's sensitivity estimates the loss a unit's removal costs) becomes a rank. Scores
     * that do not compare across groups (magnitudes) are normalised per group and ranked as they are either way.
     */
    public enum Ranking {
        /** The lowest score first, as HAP's paper ranks. */
        SCORE,
        /**
         * The lowest score per unit of budget the removal frees first: a greedy knapsack, so a unit that costs
         * little loss but frees many parameters (a wide layer's) goes before one that frees few.
         */
        PER_COST
    }

    public PlanOptions(double ratio, double maxLayerRatio, Set<String> exclude, int roundTo) {
        this(ratio, maxLayerRatio, exclude, roundTo, Budget.PARAMS);
    }

    public PlanOptions(double ratio, double maxLayerRatio, Set<String> exclude, int roundTo, Budget budget) {
        this(ratio, maxLayerRatio, exclude, roundTo, budget, Ranking.SCORE);
    }

    public PlanOptions(double ratio, double maxLayerRatio, Set<String> exclude, int roundTo, Budget budget,
                       Ranking ranking) {
        this(ratio, maxLayerRatio, exclude, roundTo, budget, ranking, false);
    }

    /**
     * roundTo "auto": the job measures which width multiple the runtime's kernels run fastest for this model and
     * plans with it; the planner itself never sees it.
     */
    public static final int AUTO_ROUND = 0;

    /** Widths auto rounding chooses between: the vector widths of AVX2 (8 floats) and AVX-512 (16 floats). */
    public static final java.util.List<Integer> ROUND_CANDIDATES = java.util.List.of(8, 16);

    public PlanOptions withRoundTo(int r) {
        return new PlanOptions(ratio, maxLayerRatio, exclude, r, budget, ranking, pruneHidden);
    }

    /** Half the prunable parameters: where HAP's paper reports about no loss on ResNets. */
    public static final Ratio DEFAULT_RATIO = Ratio.removing(0.5);

    /**
     * The options as a user gives them: a parameter ratio as written (null: {@link #DEFAULT_RATIO}), or a MACs
     * fraction instead when {@code targetMacs} is given.
     */
    public static PlanOptions of(Ratio ratio, Double targetMacs, double maxLayerRatio, Set<String> exclude,
                                 int roundTo, Ranking ranking, boolean pruneHidden) {
        return of(ratio, targetMacs, null, maxLayerRatio, exclude, roundTo, ranking, pruneHidden);
    }

    /** As above, or a share of the measured latency to remove when {@code targetLatency} is given. */
    public static PlanOptions of(Ratio ratio, Double targetMacs, Double targetLatency, double maxLayerRatio,
                                 Set<String> exclude, int roundTo, Ranking ranking, boolean pruneHidden) {
        if (targetMacs != null && targetLatency != null) {
            throw OnnxHapException.usage("give --target-macs or --target-latency, not both");
        }
        if (targetLatency != null) {
            return new PlanOptions(targetLatency, maxLayerRatio, exclude, roundTo, Budget.LATENCY, ranking,
                    pruneHidden);
        }
        return targetMacs == null
                ? new PlanOptions((ratio == null ? DEFAULT_RATIO : ratio).removed(), maxLayerRatio, exclude, roundTo,
                        Budget.PARAMS, ranking, pruneHidden)
                : new PlanOptions(targetMacs, maxLayerRatio, exclude, roundTo, Budget.MACS, ranking, pruneHidden);
    }

    public PlanOptions withRatio(double r) {
        return new PlanOptions(r, maxLayerRatio, exclude, roundTo, budget, ranking, pruneHidden);
    }

    /** A parameter budget at this ratio, the other settings kept (what a latency target becomes once measured). */
    public PlanOptions withParamsRatio(double r) {
        return new PlanOptions(r, maxLayerRatio, exclude, roundTo, Budget.PARAMS, ranking, pruneHidden);
    }

    public PlanOptions withRanking(Ranking r) {
        return new PlanOptions(ratio, maxLayerRatio, exclude, roundTo, budget, r, pruneHidden);
    }

    public PlanOptions withPruneHidden(boolean on) {
        return new PlanOptions(ratio, maxLayerRatio, exclude, roundTo, budget, ranking, on);
    }

    public PlanOptions {
        if (!(ratio >= 0 && ratio < 1)) {
            throw OnnxHapException.usage((budget == Budget.MACS ? "--target-macs"
                    : budget == Budget.LATENCY ? "--target-latency" : "--ratio")
                    + " must be a fraction in [0, 1), got " + ratio);
        }
        if (!(maxLayerRatio > 0 && maxLayerRatio < 1)) {
            throw OnnxHapException.usage("--max-layer-ratio must be in (0, 1), got " + maxLayerRatio);
        }
        if (roundTo < 1 && roundTo != AUTO_ROUND) {
            throw OnnxHapException.usage("--round-to must be auto or at least 1, got " + roundTo);
        }
        exclude = Set.copyOf(exclude);
        java.util.Objects.requireNonNull(ranking, "ranking");
    }
}
