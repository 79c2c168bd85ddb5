package ai.onnxhap.score;

import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.Tensor;
import java.util.function.Function;

/** Scores every unit of a group: higher means more important, so the lowest are pruned first. */
public interface Importance {
    double[] scores(PruningGroup group, Function<String, Tensor> weights);

    /** A short name for reports and provenance. */
    String name();

    /**
     * Whether scores of different groups are on one scale (an estimated loss increase is; a weight magnitude
     * is not, so magnitude scores are normalised by their group's mean before global ranking).
     */
    default boolean comparableAcrossGroups() {
        return false;
    }
}
