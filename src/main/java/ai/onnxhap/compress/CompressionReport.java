package ai.onnxhap.compress;

import ai.onnxhap.plan.PruningPlan;
import java.util.List;
import java.util.Map;

/**
 * What compress did: the plan, per-group changes and model totals before and after (parameters as
 * counted by inspect, MACs at {@link #inputShapes}).
 *
 * @param scoring how the scores were computed (Hessian: route, probes drawn, samples, batch); null for
 *                data-free criteria
 */
public record CompressionReport(String tool, String inputModel, String inputSha256, String criterion, double ratio,
                                long seed, Map<String, long[]> inputShapes, PruningPlan plan, List<LayerChange> layers,
                                List<ImplantChange> implants,
                                long paramsBefore, long paramsAfter, long macsBefore, long macsAfter, boolean dryRun,
                                String scoring) {
}
