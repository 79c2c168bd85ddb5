package ai.onnxhap.compress;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.plan.PlanOptions;
import java.util.Map;

/**
 * How to compress: the plan's budget, the scoring criterion, low-rank implants asked for, and the input
 * shapes the analysis runs at.
 *
 * @param criterion     l1, l2 or random (Hessian arrives with the TF backend)
 * @param implants      node name → rank of its low-rank implant (0: chosen from {@code implantBudget})
 * @param implantBudget implant parameters as a fraction of the original weight's, when no rank is given
 * @param inputShapes   concrete shape per model input
 */
public record CompressOptions(PlanOptions plan, String criterion, long seed, Map<String, Integer> implants,
                              double implantBudget, Map<String, long[]> inputShapes) {
    public CompressOptions {
        if (!(implantBudget > 0 && implantBudget <= 1)) {
            throw OnnxHapException.usage("--implant-budget must be in (0, 1], got " + implantBudget);
        }
        implants = Map.copyOf(implants);
        inputShapes = Map.copyOf(inputShapes);
    }
}
