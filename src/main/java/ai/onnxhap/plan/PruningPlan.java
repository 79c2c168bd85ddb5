package ai.onnxhap.plan;

import java.util.List;

/**
 * The decisions for every group found, with the parameter budget they were made for.
 *
 * @param prunableParams the budget: parameters in weights that some prunable group cuts (or, with a MACs
 *                       budget, the MACs those weights take part in)
 * @param targetParams   ratio × prunableParams
 * @param plannedParams  what the decisions remove, in the budget's unit
 */
public record PruningPlan(String criterion, double ratio, List<GroupDecision> decisions, long prunableParams,
                          long targetParams, long plannedParams, PlanOptions.Budget budget) {
    public PruningPlan {
        decisions = List.copyOf(decisions);
    }
}
