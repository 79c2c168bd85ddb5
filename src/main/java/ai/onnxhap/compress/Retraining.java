package ai.onnxhap.compress;

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
    public record Report(String loss, int trainSamples, int validationSamples, List<ProgressListener.EpochStats> history,
                         ModelComparison comparison) {
    }

    public record Result(OnnxModel model, Report report) {
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
        String output = Graph.of(student).outputs().get(0).name();
        Tensor targets;
        Loss loss;
        if (bound.labels().isPresent()) {
            loss = Loss.CROSS_ENTROPY;
            targets = bound.labels().get();
        } else {
            loss = Loss.DISTILLATION;
            String teacherOutput = Graph.of(teacher).outputs().get(0).name();
            try (OrtModel session = OrtModel.open(teacher, ort)) {
                targets = session.run(ModelInputs.bind(train, teacher), config.batchSize()).get(teacherOutput);
            }
        }
        FineTune.Result trained = FineTune.run(student, Map.of(), bound, targets, loss, output, config, masks, Set.of(),
                progress, device);
        ModelComparison comparison = Validator.compare(teacher, trained.model(), check, config.batchSize(), ort);
        String name = loss == Loss.CROSS_ENTROPY ? "cross-entropy" : "distillation";
        return new Result(trained.model(), new Report(name, bound.size(), check.size(), trained.history(), comparison));
    }
}
