package ai.onnxhap.validate;

import java.util.List;

/**
 * A candidate model compared with its reference on the same data.
 *
 * @param samples             number of samples run
 * @param outputs             one entry per reference output, in the reference's output order
 * @param accuracyOutput      the [N, C] output used for accuracy; null without labels
 * @param referenceAccuracy   fraction (0..1) of samples whose arg-max class equals the label; null without labels
 * @param candidateAccuracy   the same for the candidate
 * @param accuracyDropPoints  100 * (reference - candidate accuracy), in percentage points; null without labels
 */
public record ModelComparison(int samples, List<OutputComparison> outputs, String accuracyOutput,
                              Double referenceAccuracy, Double candidateAccuracy, Double accuracyDropPoints,
                              Intervals intervals) {
    public ModelComparison {
        outputs = List.copyOf(outputs);
    }

    /** Without intervals (no labels). */
    public ModelComparison(int samples, List<OutputComparison> outputs, String accuracyOutput,
                           Double referenceAccuracy, Double candidateAccuracy, Double accuracyDropPoints) {
        this(samples, outputs, accuracyOutput, referenceAccuracy, candidateAccuracy, accuracyDropPoints, null);
    }

    /** The largest absolute error over all outputs. */
    public double maxAbsError() {
        return outputs.stream().mapToDouble(OutputComparison::maxAbsError).max().orElse(0);
    }

    /**
     * The accuracy drop in points with labels; without them the share of samples whose top-1 class changed,
     * in points; null when there is neither (no classification output).
     */
    public Double dropPoints() {
        if (accuracyDropPoints != null) {
            return accuracyDropPoints;
        }
        return outputs.stream().map(OutputComparison::top1Agreement).filter(java.util.Objects::nonNull).findFirst()
                .map(agree -> 100 * (1 - agree)).orElse(null);
    }

    public boolean bitwiseIdentical() {
        return outputs.stream().allMatch(OutputComparison::bitwiseIdentical);
    }
}
