package ai.onnxhap.validate;

import ai.onnxhap.graph.ModelSummary;
import ai.onnxhap.validate.LatencyReport;
import ai.onnxhap.validate.ModelComparison;

/**
 * Original and compressed model side by side: size, cost, latency and how far the outputs agree.
 *
 * @param dataSource where the comparison inputs came from ("random (seed 0)" when no data was given)
 * @param maxAccuracyDrop the gate in percentage points, or null when none was asked for
 * @param passed whether the gate holds (true without a gate)
 */
public record ValidationReport(
        ModelSummary original,
        ModelSummary compressed,
        String dataSource,
        ModelComparison comparison,
        LatencyReport originalLatency,
        LatencyReport compressedLatency,
        Double maxAccuracyDrop,
        Double accuracyDrop,
        boolean passed) {
}
