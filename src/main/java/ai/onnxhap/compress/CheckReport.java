package ai.onnxhap.compress;

import java.util.List;
import java.util.Map;

/**
 * Whether onnx-hap can compress a model: ops the TensorFlow backend lacks, prunable groups found, and how
 * closely the TensorFlow graph reproduces ONNX Runtime on a synthetic batch.
 *
 * @param prunable             each prunable group: what its units are and how many
 * @param tfVsOrtRelativeError max |tf − ort| / max |ort| over all outputs; null when the TF graph could not be built
 */
public record CheckReport(String model, List<String> unsupportedOps, String importError, int groups,
                          Map<String, Integer> prunableByKind, List<Prunable> prunable, List<String> notPrunable,
                          Double tfVsOrtRelativeError, double tolerance, boolean ok) {

    /** A prunable group as {@code compress} lists it: kind (channel, head, kv-group, ffn, hidden, rnn-unit), units. */
    public record Prunable(String group, String kind, int units, boolean exact) {
    }
}
