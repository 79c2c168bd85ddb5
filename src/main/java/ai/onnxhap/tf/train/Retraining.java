package ai.onnxhap.tf.train;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.train.FineTune;
import ai.onnxhap.tf.train.Loss;
import ai.onnxhap.tf.train.ProgressListener;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.ModelComparison;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.Validator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retrains a (compressed) model on TensorFlow: with labels by cross-entropy, without them by distillation
 * from a teacher (the original model, run in ONNX Runtime), then compares it with the teacher in ONNX Runtime.
 */
public final class Retraining {
    private Retraining() {
    }

    /**
     * @param loss       "cross-entropy" or "distillation"
     * @param comparison teacher vs retrained student on the validation data
     */
    /**
     * @param batchNorm BatchNormalization nodes whose running statistics were re-estimated on the training data
     *                  (kept only when that did not lower the validation accuracy or agreement)
     */
    public record Report(String loss, int trainSamples, int validationSamples, List<ProgressListener.EpochStats> history,
                         ModelComparison comparison, List<String> batchNorm) {
    }

    public record Result(OnnxModel model, Report report) {
    }

    /**
     * Training keeps every activation for the backward pass plus its gradient: refuse a batch whose estimate
     * (activations at batch 1, from the exact shapes, × batch × 3) exceeds 80% of the machine's memory, before
     * TensorFlow would die natively.
     */
    static void requireMemoryFor(OnnxModel model, DataSet data, int batchSize, long physicalBytes) {
        Graph graph = Graph.of(model);
        Map<String, long[]> one = new java.util.LinkedHashMap<>();
        // Shapes only: a streamed data set must not be copied onto the heap here.
        data.names().forEach(name -> {
            long[] s = data.shape(name).clone();
            s[0] = 1;
            one.put(name, s);
        });
        long perSample = 0;
        for (long[] shape : ai.onnxhap.validate.OrtShapeOracle.INSTANCE.shapes(model, one).values()) {
            perSample += ai.onnxhap.graph.CostModel.numel(shape) * 4;
        }
        long batch = Math.min(batchSize, data.size());
        double needed = 3.0 * perSample * batch;
        if (needed > 0.8 * physicalBytes) {
            throw ai.onnxhap.model.OnnxHapException.usage(String.format(java.util.Locale.ROOT,
                    "batch size %d needs about %.1f GiB to train, this machine has %.1f GiB; lower --batch-size", batch,
                    needed / (1L << 30), physicalBytes / (double) (1L << 30)));
        }
    }

    private static long physicalMemory() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : Long.MAX_VALUE;
    }

    /** Runs a finetune job: the whole graph trains, nothing is masked. */
    public static Result run(FinetuneRequest r, ProgressListener progress) {
        return run(r.model(), r.teacher(), r.train(), r.validation(), r.training(), Map.of(), progress, r.ort(),
                r.device());
    }

    /**
     * @param validation data to compare on after training; the training data when null
     * @param masks      weights to keep at zero (per initializer, 1 = free, 0 = stays zero)
     */
    public static Result run(OnnxModel student, OnnxModel teacher, DataSet train, DataSet validation, TrainConfig config,
                             Map<String, Tensor> masks, ProgressListener progress) {
        return run(student, teacher, train, validation, config, masks, progress, OrtModel.Options.defaults(),
                ai.onnxhap.tf.TfModel.Device.AUTO);
    }

    /** As above, with ONNX Runtime's settings for teacher and comparison, and the TensorFlow device for training. */
    public static Result run(OnnxModel student, OnnxModel teacher, DataSet train, DataSet validation, TrainConfig config,
                             Map<String, Tensor> masks, ProgressListener progress, OrtModel.Options ort,
                             ai.onnxhap.tf.TfModel.Device device) {
        DataSet bound = ModelInputs.bind(train, student);
        DataSet check = ModelInputs.bind(validation == null ? train : validation, student);
        requireMemoryFor(student, bound, config.batchSize(), physicalMemory());
        // Trained on the tensor part: the logits behind a final Softmax, the probabilities behind a ZipMap.
        ai.onnxhap.graph.TensorPart part = ai.onnxhap.graph.TensorPart.of(student);
        String output = part.output();
        Tensor targets;
        Loss loss;
        if (bound.labels().isPresent()) {
            loss = Loss.CROSS_ENTROPY;
            targets = bound.labels().get();
        } else {
            loss = Loss.DISTILLATION;
            ai.onnxhap.graph.TensorPart teacherPart = ai.onnxhap.graph.TensorPart.of(teacher);
            String teacherOutput = teacherPart.output();
            try (OrtModel session = OrtModel.open(teacherPart.model(), ort)) {
                targets = session.run(ModelInputs.bind(train, teacher), config.batchSize()).get(teacherOutput);
            }
        }
        FineTune.Result trained = FineTune.run(part.model(), Map.of(), bound, targets, loss, output, config, masks,
                Set.of(), progress, device);
        OnnxModel model = part.model() == student ? trained.model() : student.withInitializerValues(
                trainedValues(trained.model(), trained.trained()));
        ModelComparison comparison = Validator.compare(teacher, model, check, config.batchSize(), ort);
        // Statistics from the compressed network's own activations; inference-mode training left them as exported.
        BatchNormStatistics.Result bn = BatchNormStatistics.reestimate(model,
                bound.slice(0, Math.min(BN_SAMPLES, bound.size())), ort);
        List<String> reestimated = List.of();
        if (!bn.nodes().isEmpty()) {
            ModelComparison withBn = Validator.compare(teacher, bn.model(), check, config.batchSize(), ort);
            if (score(withBn) >= score(comparison)) {
                model = bn.model();
                comparison = withBn;
                reestimated = bn.nodes();
            }
        }
        String name = loss == Loss.CROSS_ENTROPY ? "cross-entropy" : "distillation";
        return new Result(model, new Report(name, bound.size(), check.size(), trained.history(), comparison,
                reestimated));
    }

    private static Map<String, Tensor> trainedValues(OnnxModel trained, java.util.Collection<String> names) {
        Graph g = Graph.of(trained);
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        names.forEach(n -> out.put(n, g.initializer(n)));
        return out;
    }

    /** Samples BatchNorm statistics are re-estimated on. */
    static final int BN_SAMPLES = 2048;

    private static double score(ModelComparison c) {
        if (c.candidateAccuracy() != null) {
            return c.candidateAccuracy();
        }
        return c.dropPoints() == null ? 0 : -c.dropPoints();
    }
}
