package ai.onnxhap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCommandsTest {
    @TempDir
    Path dir;

    @Test
    void checkPassesOnTheFixtureAndNamesWhatTheBackendLacks() throws Exception {
        CliTest.Run ok = CliTest.run("check", TestModels.testdata().resolve("resnet_fmnist.onnx").toString(), "--json");
        assertEquals(0, ok.code(), ok.err());
        JsonNode r = Json.mapper().readTree(ok.out());
        assertTrue(r.get("ok").asBoolean());
        assertTrue(r.get("tfVsOrtRelativeError").asDouble() < 1e-5, ok.out());
        assertEquals(6, r.get("prunableByKind").get("channel").asInt());

        GraphProto g = GraphProto.newBuilder().setName("unique").addInput(TestModels.floatInfo("x", 6))
                .addOutput(TestModels.floatInfo("y"))
                .addNode(NodeProto.newBuilder().setName("u").setOpType("Unique").addInput("x").addOutput("y")).build();
        Path det = dir.resolve("unique.onnx");
        ModelIO.save(OnnxModel.of(TestModels.wrap(g, 13)), det);
        CliTest.Run no = CliTest.run("check", det.toString());
        assertEquals(3, no.code(), no.err());
        assertTrue(no.out().contains("unsupported ops: Unique"), no.out());
    }

    @Test
    void finetuneImprovesTheFixtureOnItsDataAndWritesOnnx() throws Exception {
        Path out = dir.resolve("tuned.onnx");
        CliTest.Run r = CliTest.run("finetune", TestModels.testdata().resolve("mlp_fmnist.onnx").toString(), "-o",
                out.toString(), "--data", TestModels.testdata().resolve("mlp_fmnist.npz").toString(), "--epochs", "2",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode report = Json.mapper().readTree(r.out());
        assertEquals("cross-entropy", report.get("loss").asText());
        JsonNode history = report.get("history");
        assertTrue(history.get(1).get("meanLoss").asDouble() < history.get(0).get("meanLoss").asDouble());
        JsonNode c = report.get("comparison");
        assertTrue(c.get("candidateAccuracy").asDouble() >= c.get("referenceAccuracy").asDouble(), r.out());
        assertTrue(Files.exists(out));
        assertEquals(ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx")).proto().getGraph().getNodeList(),
                ModelIO.load(out).proto().getGraph().getNodeList());
        CliTest.Run noData = CliTest.run("finetune", TestModels.testdata().resolve("mlp_fmnist.onnx").toString(), "-o",
                dir.resolve("x.onnx").toString());
        assertEquals(2, noData.code());
        assertFalse(Files.exists(dir.resolve("x.onnx")));
    }
}
