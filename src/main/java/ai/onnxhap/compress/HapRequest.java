package ai.onnxhap.compress;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.tf.train.TrainConfig;

/**
 * One HAP compression, typed and checked: what the CLI builds from its options and the library runs. The
 * runtime (device, threads) travels in the options and reaches every session the job opens.
 *
 * @param inputSha256     SHA-256 of the model file as given (see {@link #hash}), for the provenance record
 * @param steps           prune in this many stages, each removing the same share of what remains
 * @param maxAccuracyDrop the gate in points; null: measure but do not gate
 * @param searchRounds    null: compress at the options' ratio; n ≥ 1: bisect for the largest ratio meeting the gate
 * @param minSpeedup      the speed target against the original in ONNX Runtime; null: {@link SpeedGate#NOT_SLOWER}
 */
public record HapRequest(OnnxModel model, String inputSha256, CompressOptions options, int steps,
                         CompressionJob.Data data, TrainConfig training, Double maxAccuracyDrop, boolean dryRun,
                         Integer searchRounds, Double minSpeedup) {
    /** With the default speed target (not slower than the original). */
    public HapRequest(OnnxModel model, String inputSha256, CompressOptions options, int steps,
                      CompressionJob.Data data, TrainConfig training, Double maxAccuracyDrop, boolean dryRun,
                      Integer searchRounds) {
        this(model, inputSha256, options, steps, data, training, maxAccuracyDrop, dryRun, searchRounds, null);
    }

    public HapRequest {
        if (minSpeedup != null && !(minSpeedup >= 0 && Double.isFinite(minSpeedup))) {
            throw OnnxHapException.usage("--min-speedup must be a number of at least 0 (0: no speed gate), got "
                    + minSpeedup);
        }
        if (steps < 1) {
            throw OnnxHapException.usage("--steps must be at least 1, got " + steps);
        }
        if (maxAccuracyDrop != null && maxAccuracyDrop != AccuracyGate.NO_TARGET && data.validation() == null
                && !dryRun) {
            throw OnnxHapException.usage("--max-accuracy-drop needs data to measure accuracy on (--data or --val-data)");
        }
        maxAccuracyDrop = AccuracyGate.target(maxAccuracyDrop, data.validation() != null && !dryRun);
        if (searchRounds != null && options.plan().budget() == ai.onnxhap.plan.PlanOptions.Budget.LATENCY) {
            throw OnnxHapException.usage("--search bisects a parameter --ratio; with --target-latency the latency "
                    + "decides the ratio");
        }
        if (searchRounds != null && (maxAccuracyDrop == null || dryRun || data.validation() == null
                || searchRounds < 1)) {
            throw OnnxHapException.usage("--search needs --max-accuracy-drop, data to measure accuracy on, an "
                    + "output (no --dry-run) and --search-rounds >= 1");
        }
    }

    public HapRequest withOptions(CompressOptions o) {
        return new HapRequest(model, inputSha256, o, steps, data, training, maxAccuracyDrop, dryRun, searchRounds,
                minSpeedup);
    }

    /** The SHA-256 of the file the model was loaded from, or of its bytes when it was built in memory. */
    public static String hash(OnnxModel model) {
        return model.source().map(ai.onnxhap.provenance.Hashing::sha256)
                .orElseGet(() -> ai.onnxhap.provenance.Hashing.sha256(model.proto().toByteArray()));
    }

    /** The share of what remains each stage removes: 1 − (1 − ratio)^(1/stages). */
    public double stageRatio() {
        return stageRatio(options.plan().ratio(), dryRun ? 1 : steps);
    }

    static double stageRatio(double ratio, int stages) {
        return 1 - Math.pow(1 - ratio, 1.0 / stages);
    }
}
