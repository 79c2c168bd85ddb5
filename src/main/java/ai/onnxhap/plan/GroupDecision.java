package ai.onnxhap.plan;

import ai.onnxhap.graph.deps.PruningGroup;

/**
 * What the plan does with one group: which units go, replayable by the rewrite stage.
 *
 * @param removedUnits indices into the group's root dimension, ascending
 */
public record GroupDecision(String group, PruningGroup.Kind kind, String rootNode, int units, int[] removedUnits,
                            Status status, String reason) {

    public enum Status { PRUNED, KEPT, EXCLUDED, NOT_PRUNABLE }

    public int keptUnits() {
        return units - removedUnits.length;
    }
}
