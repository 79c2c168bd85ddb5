package ai.onnxhap.plan;

import java.util.List;

/**
 * The decisions for every group found, with the parameter budget they were made for.
 *
 * @param prunableParams parameters in weights that some prunable group cuts
 * @param targetParams   ratio × prunableParams
 * @param plannedParams  parameters the decisions remove from those weights
 */
public record PruningPlan(String criterion, double ratio, List<GroupDecision> decisions, long prunableParams,
                          long targetParams, long plannedParams) {
    public PruningPlan {
        decisions = List.copyOf(decisions);
    }
}
