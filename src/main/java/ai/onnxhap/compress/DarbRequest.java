package ai.onnxhap.compress;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.tf.train.TrainConfig;

/**
 * One DARB compression, typed and checked: what the CLI builds from its options and {@link DarbCompression} runs.
 *
 * @param inputSha256 SHA-256 of the model file as given, for the provenance record
 * @param gate        retraining and validation settings, or null to mask only (no validation data, or a dry run)
 * @param runtime     where scoring, retraining and validation sessions run
 */
public record DarbRequest(OnnxModel model, String inputSha256, DarbOptions options, AccuracyGate.Settings gate,
                          CompressOptions.Runtime runtime) {
    public DarbRequest {
        java.util.Objects.requireNonNull(runtime, "runtime");
    }

    /**
     * The request a user's options make: retrain and gate on the job's data split when there is validation data
     * and this is not a dry run.
     *
     * @param maxAccuracyDrop the gate in points; null: measure but do not gate
     */
    public static DarbRequest of(OnnxModel model, DarbOptions options, CompressionJob.Data data, TrainConfig training,
                                 Double maxAccuracyDrop, CompressOptions.Runtime runtime, boolean dryRun) {
        if (maxAccuracyDrop != null && maxAccuracyDrop != AccuracyGate.NO_TARGET && data.validation() == null) {
            throw OnnxHapException.usage("--max-accuracy-drop needs data to measure accuracy on (--data or --val-data)");
        }
        maxAccuracyDrop = AccuracyGate.target(maxAccuracyDrop, data.validation() != null && !dryRun);
        var gate = dryRun || data.validation() == null ? null : new AccuracyGate.Settings(data.train(),
                data.validation(), training, maxAccuracyDrop, runtime.ort(), runtime.device(),
                AccuracyGate.ValidationSet.of(data));
        return new DarbRequest(model, HapRequest.hash(model), options, gate, runtime);
    }
}
