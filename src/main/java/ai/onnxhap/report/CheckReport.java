package ai.onnxhap.report;

import java.util.List;
import java.util.Map;

/**
 * Whether onnx-hap can compress a model: ops the TensorFlow backend lacks, prunable groups found, and how
 * closely the TensorFlow graph reproduces ONNX Runtime on a synthetic batch.
 *
 * @param tfVsOrtRelativeError max |tf − ort| / max |ort| over all outputs; null when the TF graph could not be built
 */
public record CheckReport(String model, List<String> unsupportedOps, String importError, int groups,
                          Map<String, Integer> prunableByKind, List<String> notPrunable, Double tfVsOrtRelativeError,
                          double tolerance, boolean ok) {
}
