package ai.onnxhap.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.provenance.Provenance;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The provenance record is enough to replay a compression: the same stages, settings, training and runtime on the
 * same data give the same bytes. One schema for both methods; it round-trips through its reader.
 */
class ProvenanceReplayTest {
    private static final TrainConfig TRAINING = new TrainConfig(1, 32, 1e-3, TrainConfig.Optimizer.ADAM, 0.9, 1e-4,
            TrainConfig.Schedule.CONSTANT, 1, 0.1, 4.0, 3);

    private static DataSet data(String fixture, OnnxModel model) {
        return ModelInputs.bind(DataLoader.load(TestModels.testdata().resolve(fixture + ".npz")), model);
    }

    @Test
    void aTwoStageHapRunWithImplantsReplaysToTheSameBytes() {
        OnnxModel original = ModelIO.load(TestModels.testdata().resolve("resnet_fmnist.onnx"));
        DataSet all = data("resnet_fmnist", original);
        var data = CompressionJob.Data.of(all, null, null, 7);
        Map<String, long[]> shapes = InputShapes.resolve(Graph.of(original), Map.of(), 1);
        var options = new CompressOptions(new PlanOptions(0.5, 0.9, Set.of(), 8), "l1", 7, Map.of(), 0.5, shapes,
                new CompressOptions.Calibration(all, false, 64, 1, 32),
                new CompressOptions.Implanting(0.2, ChannelImplant.Style.LOWRANK, true))
                .withRuntime(new CompressOptions.Runtime(OrtModel.Options.defaults().withThreads(1), TfModel.Device.CPU));
        String sha = "a".repeat(64);
        // Retrained between the stages and after them: since every weight update waits for every gradient
        // (issue 17), retraining repeats bit for bit, so the replay covers it too.
        CompressionJob.Outcome run = CompressionJob.run(new HapRequest(original, sha, options, 2, data,
                TRAINING, null, false, null), OrtShapeOracle.INSTANCE, CompressionJob.Progress.SILENT);

        Provenance record = Provenance.read(run.model()).orElseThrow();
        assertEquals(Provenance.VERSION, record.version());
        assertEquals("hap", record.method());
        assertEquals(2, record.stages().size());
        assertTrue(record.stages().stream().anyMatch(s -> !s.hap().implantedUnits().isEmpty()), "no implant recorded");
        assertEquals(1 - Math.sqrt(0.5), record.stages().get(1).hap().ratio(), 1e-12);
        assertEquals(1, record.training().epochs());
        assertEquals(Set.of("calibration", "train", "validation"), record.data().keySet());
        assertEquals(original.proto().getIrVersion(), record.input().irVersion());
        // the reader gives back what was written
        String written = run.model().proto().getMetadataPropsList().stream()
                .filter(p -> p.getKey().equals(Provenance.KEY)).findFirst().orElseThrow().getValue();
        assertEquals(written, Json.string(record));

        CompressionJob.Outcome replayed = CompressionJob.replay(original, sha, record, data, OrtShapeOracle.INSTANCE,
                CompressionJob.Progress.SILENT);
        assertArrayEquals(run.model().proto().toByteArray(), replayed.model().proto().toByteArray());

        var otherData = CompressionJob.Data.of(all, null, null, 8); // another split: other fingerprints
        assertThrows(OnnxHapException.class, () -> CompressionJob.replay(original, sha, record, otherData,
                OrtShapeOracle.INSTANCE, CompressionJob.Progress.SILENT));
    }

    @Test
    void aTwoStageDarbRunReplaysToTheSameBytes() {
        OnnxModel original = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        DataSet all = data("mlp_fmnist", original);
        DataSet train = all.slice(0, 192);
        DataSet validation = all.slice(192, 256);
        var options = new DarbOptions(16, ai.onnxhap.plan.sparse.SparsityPattern.DARB, "magnitude", 2, 4096, Set.of(),
                false, null, 0);
        // Masked retraining between the stages and after them, replayed bit for bit with the masks and storage.
        var gate = new AccuracyGate.Settings(train, validation, TRAINING, null,
                OrtModel.Options.defaults().withThreads(1), TfModel.Device.CPU);
        String sha = "b".repeat(64);
        DarbCompression.Result run = DarbCompression.run(new DarbRequest(original, sha, options, gate,
                new CompressOptions.Runtime(gate.ort(), gate.device())), CompressionJob.Progress.SILENT);
        Provenance record = Provenance.read(run.model()).orElseThrow();
        assertEquals("darb", record.method());
        assertEquals(2, record.stages().size());
        assertEquals(16, record.stages().get(1).darb().targetRatio(), 1e-9);

        DarbCompression.Result replayed = DarbCompression.replay(original, sha, record, null, train, validation);
        assertEquals(Json.string(record), Json.string(Provenance.read(replayed.model()).orElseThrow()));
        assertArrayEquals(run.model().proto().toByteArray(), replayed.model().proto().toByteArray());
    }

    @Test
    void trainingSettingsAndRuntimeRoundTripThroughTheRecord() {
        assertEquals(TRAINING, Records.training(Records.training(TRAINING)));
        var runtime = new CompressOptions.Runtime(OrtModel.Options.defaults().withThreads(3), TfModel.Device.CPU);
        assertEquals(runtime, Records.runtime(Records.runtime(runtime)));
    }

    @Test
    void aCorruptOrNewerRecordIsAnErrorNotAnEmptyResult() {
        OnnxModel mlp = TestModels.mlp(-1, 16, 8, 4, 2);
        assertTrue(Provenance.read(mlp).isEmpty());
        assertThrows(OnnxHapException.class, () -> Provenance.read(mlp.withMetadata(Provenance.KEY, "{not json")));
        assertThrows(OnnxHapException.class, () -> Provenance.read(mlp.withMetadata(Provenance.KEY,
                "{\"version\": 99}")));
    }
}
