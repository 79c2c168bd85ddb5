package ai.onnxhap.tf.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.train.ProgressListener;
import ai.onnxhap.tf.train.TrainConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrainingTest {

    @Test
    void aBatchTooLargeForMemoryIsRefusedBeforeTraining() {
        OnnxModel m = ModelIO.load(TestModels.testdata().resolve("resnet_fmnist.onnx"));
        DataSet data = ModelInputs.bind(DataLoader.load(TestModels.testdata().resolve("resnet_fmnist.npz")), m);
        // About 0.3 MB of activations per sample: 256 samples fit 1 GiB, not 64 MiB.
        assertDoesNotThrow(() -> Retraining.requireMemoryFor(m, data, 256, 1L << 30));
        OnnxHapException e = assertThrows(OnnxHapException.class,
                () -> Retraining.requireMemoryFor(m, data, 256, 64L << 20));
        assertTrue(e.getMessage().startsWith("batch size 256 needs about"), e.getMessage());
    }

    @Test
    void withoutLabelsTheStudentIsDistilledFromTheTeacher() {
        OnnxModel teacher = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        DataSet unlabelled = DataLoader.load(TestModels.testdata().resolve("mlp_fmnist.npz")).withoutLabels();
        TrainConfig config = new TrainConfig(1, 64, 1e-4, TrainConfig.Optimizer.ADAM, 0.9, 0,
                TrainConfig.Schedule.CONSTANT, 1, 0.1, 4.0, 0);
        Retraining.Result r = Retraining.run(teacher, teacher, unlabelled, null, config, Map.of(), ProgressListener.NONE);
        assertEquals("distillation", r.report().loss());
        // Distilling a model from itself at a small rate keeps its predictions.
        double agreement = r.report().comparison().outputs().get(0).top1Agreement();
        assertTrue(agreement > 0.97, "agreement " + agreement);
    }
}
