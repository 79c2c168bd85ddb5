package ai.onnxhap.compress;

import ai.onnxhap.plan.PlanOptions;
import java.util.Map;

/**
 * How to compress: the plan's budget, the scoring criterion, and the input shapes the analysis runs at.
 *
 * @param criterion   l1, l2 or random (Hessian arrives with the TF backend)
 * @param inputShapes concrete shape per model input
 */
public record CompressOptions(PlanOptions plan, String criterion, long seed, Map<String, long[]> inputShapes) {
    public CompressOptions {
        inputShapes = Map.copyOf(inputShapes);
    }
}
