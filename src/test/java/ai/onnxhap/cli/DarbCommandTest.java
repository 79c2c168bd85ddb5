package ai.onnxhap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.ModelIO;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compress --method darb} end to end: sparse output, block export, the gate, and refusals that write nothing. */
class DarbCommandTest {
    private static final Path MLP = TestModels.testdata().resolve("mlp_fmnist.onnx");
    private static final Path MLP_DATA = TestModels.testdata().resolve("mlp_fmnist.npz");

    @TempDir
    Path dir;

    @Test
    void writesASparseModelSmallerByTheRatioWithItsBlockLayout() throws Exception {
        Path out = dir.resolve("darb.onnx");
        Path blocks = dir.resolve("blocks.json");
        CliTest.Run r = CliTest.run("compress", MLP.toString(), "--method", "darb", "--ratio", "16x", "--data",
                MLP_DATA.toString(), "--epochs", "1", "-o", out.toString(), "--export-blocks", blocks.toString(),
                "--max-accuracy-drop", "none");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Index bits"), r.out());
        assertTrue(r.out().contains("Accuracy"), r.out());
        // 16x fewer weights in the large matrices; values plus int64 indices make the file about 5x smaller.
        assertTrue(Files.size(out) * 4 < Files.size(MLP), Files.size(out) + " vs " + Files.size(MLP));
        assertTrue(ModelIO.load(out).proto().getGraph().getSparseInitializerCount() > 0);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        JsonNode doc = Json.mapper().readTree(blocks.toFile());
        assertEquals("onnx-hap.darb-blocks", doc.get("format").asText());
        assertTrue(doc.get("matrices").size() > 0);
        CliTest.Run validate = CliTest.run("validate", MLP.toString(), out.toString(), "--data", MLP_DATA.toString());
        assertEquals(0, validate.code(), validate.err());
    }

    @Test
    void aRatioNoMatrixCanMeetIsRefusedAndNothingIsWritten() {
        Path out = dir.resolve("x.onnx");
        CliTest.Run r = CliTest.run("compress", MLP.toString(), "--method", "darb", "--ratio", "1000x", "-o",
                out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("cannot be met"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aModelWithoutEligibleMatricesIsRefused() throws Exception {
        Path small = dir.resolve("small.onnx");
        ModelIO.save(TestModels.gemm(4, 4, new float[16], new float[4]), small);
        Path out = dir.resolve("x.onnx");
        CliTest.Run r = CliTest.run("compress", small.toString(), "--method", "darb", "--ratio", "2x", "-o",
                out.toString());
        assertEquals(ExitCodes.MODEL_NOT_SUPPORTED, r.code(), r.err());
        assertTrue(r.err().contains("no weight matrix"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissedTargetExitsOneAndWritesNothing() {
        Path out = dir.resolve("x.onnx");
        CliTest.Run r = CliTest.run("compress", MLP.toString(), "--method", "darb", "--ratio", "50x", "--data",
                MLP_DATA.toString(), "--epochs", "0", "--max-accuracy-drop", "0", "-o", out.toString());
        assertEquals(ExitCodes.ACCURACY_TARGET_MISSED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Nothing written"), r.out());
        assertFalse(Files.exists(out));
    }
}
