package ai.onnxhap.compress;

import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.plan.GroupDecision;

/**
 * One group before and after: its units, the parameters of the weights it cuts, the MACs of the nodes it
 * touches, and its units' mean score under the criterion (null when not scored).
 *
 * @param unitsAfter     units left, implanted ones included
 * @param implantedUnits units computed by an implant instead of the original op
 */
public record LayerChange(String group, PruningGroup.Kind kind, String rootNode, int unitsBefore, int unitsAfter,
                          int implantedUnits,
                          long paramsBefore, long paramsAfter, long macsBefore, long macsAfter,
                          GroupDecision.Status status, String reason, Double meanScore) {
}
