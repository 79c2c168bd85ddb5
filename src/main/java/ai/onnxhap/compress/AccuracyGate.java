package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.ProgressListener;
import ai.onnxhap.tf.train.Retraining;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.ModelComparison;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.Validator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * After surgery: retrain the compressed model (when there is training data and epochs), compare it with the
 * original in ONNX Runtime on validation data, and decide against the accuracy target. The decision is the
 * caller's to act on (exit code 1, nothing written unless asked).
 */
public final class AccuracyGate {
    public static final String VALIDATION_KEY = "onnx-hap.validation";

    /**
     * The target when none is given and there is validation data: at most 1 point of accuracy lost (without
     * labels: at most 1% of top-1 predictions changed), so a pipeline that forgets the option never ships a
     * ruined model.
     */
    public static final double DEFAULT_MAX_DROP = 1.0;

    /** What {@code --max-accuracy-drop none} becomes: measure, never refuse. */
    public static final double NO_TARGET = Double.POSITIVE_INFINITY;

    /**
     * The target a job holds to: the one given ({@link #NO_TARGET} included, so that resolving twice changes
     * nothing), else the default when there is validation data, else null.
     */
    public static Double target(Double given, boolean validated) {
        return given != null ? given : validated ? DEFAULT_MAX_DROP : null;
    }

    private AccuracyGate() {
    }

    /**
     * @param train           data to retrain on, or null for none
     * @param validation      data to compare on (required)
     * @param maxAccuracyDrop percentage points (labels: accuracy; none: share of changed top-1 predictions); null for no gate
     */
    public record Settings(DataSet train, DataSet validation, TrainConfig training, Double maxAccuracyDrop,
                           OrtModel.Options ort, TfModel.Device device, ValidationSet validationSet) {
        public Settings(DataSet train, DataSet validation, TrainConfig training, Double maxAccuracyDrop,
                        OrtModel.Options ort, TfModel.Device device) {
            this(train, validation, training, maxAccuracyDrop, ort, device, null);
        }
    }

    /**
     * Which rows the gate measured on, for the report.
     *
     * @param source  the option they came from ("--val-data", "the other 20% of --data", ...)
     * @param overlap how many of them are also training rows
     */
    public record ValidationSet(String source, int rows, int overlap) {
        /** The job data's validation set, or null when it has none. */
        public static ValidationSet of(CompressionJob.Data data) {
            return data.validation() == null ? null
                    : new ValidationSet(data.validationSource(), data.validation().size(), data.overlap());
        }
    }

    /** @param drop accuracy drop (or top-1 disagreement) in points; null when neither can be measured */
    public record Outcome(OnnxModel model, Retraining.Report retraining, ModelComparison comparison, Double drop,
                          Double maxAccuracyDrop, boolean passed, ValidationSet validationSet) {
        /**
         * Whether the validation set is too small to resolve the target: under 1,000 samples for a 1-point target,
         * 1,000 / target in general (a point is then 10 samples, about the spread of a drop measured on them).
         */
        public boolean tooSmallForTarget() {
            return maxAccuracyDrop != null && maxAccuracyDrop > 0 && comparison.samples() < 1000 / maxAccuracyDrop;
        }
    }

    public static Outcome run(OnnxModel original, OnnxModel compressed, Settings s, ProgressListener progress) {
        return run(original, compressed, s, Map.of(), progress);
    }

    /** As above, retraining with weight masks (1 = free, 0 = stays zero) so pruned weights stay pruned. */
    public static Outcome run(OnnxModel original, OnnxModel compressed, Settings s,
                              Map<String, ai.onnxhap.model.Tensor> masks, ProgressListener progress) {
        OnnxModel model = compressed;
        Retraining.Report retraining = null;
        ModelComparison comparison;
        if (s.train() != null && s.training().epochs() > 0) {
            Retraining.Result r = Retraining.run(compressed, original, s.train(), s.validation(), s.training(), masks,
                    progress, s.ort(), s.device());
            model = r.model();
            retraining = r.report();
            comparison = r.report().comparison();
        } else {
            comparison = Validator.compare(original, compressed, ModelInputs.bind(s.validation(), original),
                    s.training().batchSize(), s.ort());
        }
        Double drop = comparison.dropPoints();
        Double max = s.maxAccuracyDrop() == null || s.maxAccuracyDrop() == NO_TARGET ? null : s.maxAccuracyDrop();
        boolean passed = max == null || (drop != null && drop <= max);
        return new Outcome(withValidation(model, comparison, drop), retraining, comparison, drop, max, passed,
                s.validationSet());
    }

    private static OnnxModel withValidation(OnnxModel model, ModelComparison c, Double drop) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("samples", c.samples());
        v.put("accuracyOriginal", c.referenceAccuracy());
        v.put("accuracyCompressed", c.candidateAccuracy());
        v.put("dropPoints", drop);
        return model.withMetadata(VALIDATION_KEY, Json.string(v));
    }
}
