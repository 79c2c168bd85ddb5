package ai.onnxhap.plan.sparse;

import java.util.List;

/**
 * The layouts chosen for every eligible matrix of a model at one target ratio, plus the weights left dense.
 *
 * @param targetRatio elements per kept weight asked for
 */
public record DarbPlan(double targetRatio, SparsityPattern pattern, List<MatrixLayout> layouts,
                       List<EligibleMatrices.Skipped> skipped) {
    public DarbPlan {
        layouts = List.copyOf(layouts);
        skipped = List.copyOf(skipped);
    }

    public long elements() {
        return layouts.stream().mapToLong(l -> l.matrix().elements()).sum();
    }

    public long keptCount() {
        return layouts.stream().mapToLong(MatrixLayout::keptCount).sum();
    }

    /** Elements per kept weight over all pruned matrices. */
    public double achievedRatio() {
        return elements() / (double) keptCount();
    }
}
