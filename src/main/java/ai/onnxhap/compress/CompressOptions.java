package ai.onnxhap.compress;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.plan.PlanOptions;
import java.util.Map;

/**
 * How to compress: the plan's budget, the scoring criterion, low-rank implants asked for, and the input
 * shapes the analysis runs at.
 *
 * @param criterion     hessian (second-order sensitivity), l1, l2 or random; null: hessian
 * @param implants      node name → rank of its low-rank implant (0: chosen from {@code implantBudget})
 * @param implantBudget implant parameters as a fraction of the original weight's, when no rank is given
 * @param inputShapes   concrete shape per model input
 */
public record CompressOptions(PlanOptions plan, String criterion, long seed, Map<String, Integer> implants,
                              double implantBudget, Map<String, long[]> inputShapes, Calibration calibration,
                              Implanting implanting, Runtime runtime) {

    /**
     * Where the sessions a compression opens run: ONNX Runtime (scoring's teacher outputs, implant fitting) and
     * TensorFlow (Hessian scoring). Retraining and validation take the same settings through the job.
     */
    public record Runtime(ai.onnxhap.validate.OrtModel.Options ort, ai.onnxhap.tf.TfModel.Device device) {
        public Runtime {
            java.util.Objects.requireNonNull(ort, "ort");
            java.util.Objects.requireNonNull(device, "device");
        }

        /**
         * A user's --threads and --device: ONNX Runtime with that many intra-op threads on that device, TensorFlow
         * on the matching one (CUDA → GPU, AUTO → TensorFlow's own placement).
         */
        public static Runtime of(int threads, ai.onnxhap.validate.OrtModel.Device device) {
            var tf = switch (device) {
                case CPU -> ai.onnxhap.tf.TfModel.Device.CPU;
                case CUDA -> ai.onnxhap.tf.TfModel.Device.GPU;
                case AUTO -> ai.onnxhap.tf.TfModel.Device.AUTO;
            };
            return new Runtime(ai.onnxhap.validate.OrtModel.Options.defaults().withThreads(threads).withDevice(device),
                    tf);
        }

        /** ONNX Runtime's defaults (all processors, CPU) and TensorFlow's own placement. */
        public static Runtime defaults() {
            return new Runtime(ai.onnxhap.validate.OrtModel.Options.defaults(), ai.onnxhap.tf.TfModel.Device.AUTO);
        }
    }

    public CompressOptions(PlanOptions plan, String criterion, long seed, Map<String, Integer> implants,
                           double implantBudget, Map<String, long[]> inputShapes, Calibration calibration,
                           Implanting implanting) {
        this(plan, criterion, seed, implants, implantBudget, inputShapes, calibration, implanting, Runtime.defaults());
    }

    public CompressOptions withRuntime(Runtime r) {
        return new CompressOptions(plan, criterion, seed, implants, implantBudget, inputShapes, calibration, implanting,
                r);
    }

    public CompressOptions withPlan(PlanOptions p) {
        return new CompressOptions(p, criterion, seed, implants, implantBudget, inputShapes, calibration, implanting,
                runtime);
    }

    public CompressOptions withRatio(double ratio) {
        return new CompressOptions(plan.withRatio(ratio), criterion, seed, implants, implantBudget, inputShapes,
                calibration, implanting, runtime);
    }

    /**
     * HAP's neural implants: of the units the ranking would remove, the most sensitive {@code ratio} keep their
     * place, computed by a smaller component (see {@link ai.onnxhap.rewrite.ChannelImplant}); the plan removes
     * more elsewhere so the implants stay inside the budget.
     *
     * @param ratio share of the units to remove that get an implant instead (0: none)
     * @param fit   refit each implant's last linear map by least squares on the calibration data
     */
    public record Implanting(double ratio, ai.onnxhap.rewrite.ChannelImplant.Style style, boolean fit) {
        public Implanting {
            if (!(ratio >= 0 && ratio < 1)) {
                throw OnnxHapException.usage("--implant-ratio must be in [0, 1), got " + ratio);
            }
        }

        public static Implanting none() {
            return new Implanting(0, ai.onnxhap.rewrite.ChannelImplant.Style.LOWRANK, true);
        }
    }

    public CompressOptions(PlanOptions plan, String criterion, long seed, Map<String, Integer> implants,
                           double implantBudget, Map<String, long[]> inputShapes, Calibration calibration) {
        this(plan, criterion, seed, implants, implantBudget, inputShapes, calibration, Implanting.none());
    }

    /**
     * Data for second-order scoring.
     *
     * @param data      calibration inputs (labels optional: without them the model is its own teacher); null for none
     * @param synthetic score on N(0,1) inputs when there is no data (labelled as such in the report)
     * @param samples   how many samples the Hessian is estimated on
     * @param probes    Rademacher probes (each costs one forward and double-backward pass over the samples); 0: adaptive
     */
    public record Calibration(ai.onnxhap.data.DataSet data, boolean synthetic, int samples, int probes, int batchSize) {
        public Calibration {
            if (samples < 1 || probes < 0) {
                throw OnnxHapException.usage("--probes must be auto or at least 1, and --hessian-samples at least 1");
            }
        }

        /** Samples per forward and double-backward pass of the Hessian estimate. */
        public static final int BATCH_SIZE = 64;

        public static Calibration of(ai.onnxhap.data.DataSet data, boolean synthetic, int samples, int probes) {
            return new Calibration(data, synthetic, samples, probes, BATCH_SIZE);
        }

        public static Calibration none() {
            return new Calibration(null, false, 256, 16, BATCH_SIZE);
        }
    }

    public CompressOptions(PlanOptions plan, String criterion, long seed, Map<String, Integer> implants,
                           double implantBudget, Map<String, long[]> inputShapes) {
        this(plan, criterion, seed, implants, implantBudget, inputShapes, Calibration.none());
    }
    public CompressOptions {
        criterion = criterion == null ? "hessian" : criterion;
        if (!(implantBudget > 0 && implantBudget <= 1)) {
            throw OnnxHapException.usage("--implant-budget must be in (0, 1], got " + implantBudget);
        }
        implants = Map.copyOf(implants);
        inputShapes = Map.copyOf(inputShapes);
        java.util.Objects.requireNonNull(runtime, "runtime");
    }
}
