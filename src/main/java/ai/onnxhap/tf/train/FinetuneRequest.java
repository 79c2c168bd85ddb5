package ai.onnxhap.tf.train;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.validate.OrtModel;
import java.util.Objects;

/**
 * One finetune job, typed and checked: retrain a model's weights on data (labels: cross-entropy; none:
 * distillation from the teacher) and compare the result with the teacher.
 *
 * @param teacher    the model distilled from and compared with; null: the model itself, before training
 * @param validation data to compare on; null: the training data
 * @param ort        ONNX Runtime's settings for the teacher's outputs and the comparison
 * @param device     where TensorFlow trains
 */
public record FinetuneRequest(OnnxModel model, OnnxModel teacher, DataSet train, DataSet validation,
                              TrainConfig training, OrtModel.Options ort, TfModel.Device device) {
    public FinetuneRequest {
        if (train == null) {
            throw OnnxHapException.usage("finetune needs training data: --data");
        }
        teacher = teacher == null ? model : teacher;
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(ort, "ort");
        Objects.requireNonNull(device, "device");
    }

    /** Whether the model is compared with a separate teacher (not its own state before training). */
    public boolean hasTeacher() {
        return teacher != model;
    }
}
