package ai.onnxhap.compress;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * --device and --threads reach the sessions compress opens for scoring and implant fitting. On this CPU build of
 * ONNX Runtime a session asked to run on CUDA refuses to open, so a run with device CUDA fails exactly where a
 * session honours the setting, and a session that ignored it would let the run succeed.
 */
class RuntimeSettingsTest {
    private static final OnnxModel CNN = TestModels.mlp(-1, 16, 32, 4, 2);
    private static final CompressOptions.Runtime CUDA = new CompressOptions.Runtime(
            OrtModel.Options.defaults().withThreads(1).withDevice(OrtModel.Device.CUDA), TfModel.Device.CPU);

    private static CompressOptions options(String criterion, CompressOptions.Implanting implanting) {
        Map<String, long[]> shapes = InputShapes.resolve(Graph.of(CNN), Map.of(), 1);
        return new CompressOptions(new PlanOptions(0.5, 0.9, Set.of(), 1), criterion, 0, Map.of(), 0.5, shapes,
                new CompressOptions.Calibration(null, true, 8, 1, 4), implanting);
    }

    @Test
    void hessianScoringOpensItsTeacherSessionWithTheGivenDevice() {
        assumeFalse(OrtModel.cudaAvailable(), "this ONNX Runtime build has CUDA");
        CompressOptions o = options("hessian", CompressOptions.Implanting.none());
        new Compressor(OrtShapeOracle.INSTANCE).compress(CNN, "", o, true); // defaults: runs
        OnnxHapException e = assertThrows(OnnxHapException.class,
                () -> new Compressor(OrtShapeOracle.INSTANCE).compress(CNN, "", o.withRuntime(CUDA), true));
        assertTrue(e.getMessage().contains("cuda"), e.getMessage());
    }

    @Test
    void implantFittingOpensItsSessionsWithTheGivenDevice() {
        assumeFalse(OrtModel.cudaAvailable(), "this ONNX Runtime build has CUDA");
        CompressOptions o = options("l1", new CompressOptions.Implanting(0.5, ChannelImplant.Style.LOWRANK, true));
        var result = new Compressor(OrtShapeOracle.INSTANCE).compress(CNN, "", o, true);
        assertTrue(!result.report().implants().isEmpty(), "the plan implants nothing; the test needs an implant");
        OnnxHapException e = assertThrows(OnnxHapException.class,
                () -> new Compressor(OrtShapeOracle.INSTANCE).compress(CNN, "", o.withRuntime(CUDA), true));
        assertTrue(e.getMessage().contains("cuda"), e.getMessage());
    }

    @Test
    void retrainingAndItsValidationOpenTheirSessionsWithTheGivenDevice() {
        assumeFalse(OrtModel.cudaAvailable(), "this ONNX Runtime build has CUDA");
        var data = ai.onnxhap.data.DataSet.random(CNN, 32, 1, Map.of());
        var training = ai.onnxhap.tf.train.TrainConfig.defaults().withEpochs(1);
        var cpu = new AccuracyGate.Settings(data, data, training, null, OrtModel.Options.defaults().withThreads(1),
                TfModel.Device.CPU);
        AccuracyGate.run(CNN, CNN, cpu, CompressionJob.Progress.SILENT); // runs
        for (var epochs : new int[] {1, 0}) { // retrained then compared, or compared only
            var cuda = new AccuracyGate.Settings(data, data, training.withEpochs(epochs), null, CUDA.ort(),
                    TfModel.Device.CPU);
            OnnxHapException e = assertThrows(OnnxHapException.class,
                    () -> AccuracyGate.run(CNN, CNN, cuda, CompressionJob.Progress.SILENT), "epochs " + epochs);
            assertTrue(e.getMessage().contains("cuda"), e.getMessage());
        }
    }

    @Test
    void validateAndCheckOpenTheirSessionsWithTheGivenDevice() {
        assumeFalse(OrtModel.cudaAvailable(), "this ONNX Runtime build has CUDA");
        Map<String, long[]> shapes = Map.of("x", new long[] {2, 16});
        assertTrue(CompatibilityCheck.run(new CompatibilityCheck.Request(CNN, shapes,
                CompressOptions.Runtime.of(1, OrtModel.Device.CPU))).ok());
        CheckReport check = CompatibilityCheck.run(new CompatibilityCheck.Request(CNN, shapes, CUDA));
        assertTrue(!check.ok() && check.importError().contains("cuda"), String.valueOf(check.importError()));
        var settings = new ai.onnxhap.validate.ValidationRunner.Settings(null, "none", 8, 4, 0, 1, CUDA.ort(), null, 0);
        OnnxHapException validate = assertThrows(OnnxHapException.class,
                () -> ai.onnxhap.validate.ValidationRunner.run(CNN, CNN, settings));
        assertTrue(validate.getMessage().contains("cuda"), validate.getMessage());
    }
}
