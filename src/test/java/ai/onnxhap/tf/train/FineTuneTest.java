package ai.onnxhap.tf.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Train on TF, write back into ONNX, and ORT must compute what TF computes with the trained weights. */
class FineTuneTest {

    @Test
    void trainedWeightsGoBackIntoOnnxAndOrtAgreesWithTf() {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        DataSet data = ModelInputs.bind(DataLoader.load(TestModels.testdata().resolve("mlp_fmnist.npz")), model);
        Map<String, long[]> shapes = Map.of("input", new long[] {32, 784});
        TrainConfig config = new TrainConfig(2, 32, 1e-3, TrainConfig.Optimizer.ADAM, 0.9, 1e-4,
                TrainConfig.Schedule.COSINE, 1, 0.1, 4.0, 0);
        FineTune.Result r = FineTune.run(model, shapes, data, data.labels().orElseThrow(), Loss.CROSS_ENTROPY, "logits",
                config, Map.of(), Set.of(), ProgressListener.NONE);
        assertEquals(2, r.history().size());
        assertEquals(6, r.trained().size(), "three Gemm weights and biases");
        assertTrue(r.history().get(1).meanLoss() < r.history().get(0).meanLoss(), r.history().toString());
        // The graph is untouched; only weight values changed.
        assertEquals(model.proto().getGraph().getNodeList(), r.model().proto().getGraph().getNodeList());
        assertNotEquals(model.proto().getGraph().getInitializer(0), r.model().proto().getGraph().getInitializer(0));

        DataSet batch = data.slice(0, 32);
        float[] tfOut;
        try (TfModel tf = TfModel.build(r.model(), shapes)) {
            tfOut = tf.run(batch.inputs()).get("logits").floats();
        }
        float[] ortOut;
        try (OrtModel ort = OrtModel.open(r.model())) {
            ortOut = ort.run(batch.inputs()).get("logits").floats();
        }
        double scale = 0;
        double err = 0;
        for (int i = 0; i < tfOut.length; i++) {
            scale = Math.max(scale, Math.abs(ortOut[i]));
            err = Math.max(err, Math.abs(ortOut[i] - tfOut[i]));
        }
        assertTrue(err <= 1e-4 * Math.max(1, scale), "ORT vs TF after training: " + err);
        assertEquals(TensorCodec.decode(model.proto().getGraph().getInitializer(0)).type(),
                TensorCodec.decode(r.model().proto().getGraph().getInitializer(0)).type());
    }
}
