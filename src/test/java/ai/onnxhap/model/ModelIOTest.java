package ai.onnxhap.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.OperatorSetIdProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.testing.TestModels;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelIOTest {
    @TempDir
    Path dir;

    private Path write(OnnxModel m, String name) {
        Path p = dir.resolve(name);
        ModelIO.save(m, p);
        return p;
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void saveThenLoadGivesTheSameProto() {
        OnnxModel m = TestModels.mlp(2, 8, 16, 4, 1);
        OnnxModel back = ModelIO.load(write(m, "mlp.onnx"));
        assertEquals(m.proto(), back.proto());
        assertEquals(13L, back.opset());
    }

    @Test
    void unknownFieldsSurviveARoundTrip() throws IOException {
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(999, UnknownFieldSet.Field.newBuilder().addLengthDelimited(
                        com.google.protobuf.ByteString.copyFromUtf8("future")).addVarint(7).build())
                .build();
        ModelProto base = TestModels.mlp(2, 4, 4, 2, 3).proto();
        NodeProto node = base.getGraph().getNode(0).toBuilder().setUnknownFields(extra).build();
        ModelProto withUnknown = base.toBuilder().setUnknownFields(extra)
                .setGraph(base.getGraph().toBuilder().setNode(0, node)).build();
        Path in = dir.resolve("in.onnx");
        Files.write(in, withUnknown.toByteArray());
        OnnxModel loaded = ModelIO.load(in);
        Path out = write(loaded, "out.onnx");
        ModelProto reread = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(extra, reread.getUnknownFields());
        assertEquals(extra, reread.getGraph().getNode(0).getUnknownFields());
        assertArrayEquals(withUnknown.toByteArray(), Files.readAllBytes(out), "bytes unchanged");
    }

    @Test
    void externalDataIsReadWrittenAndKept() throws IOException {
        OnnxModel m = TestModels.mlp(2, 64, 128, 10, 5);
        Path ext = dir.resolve("ext.onnx");
        ModelIO.save(m, ext, new ModelIO.SaveOptions(ModelIO.ExternalDataPolicy.ALWAYS, 1024, OnnxModel.INLINE_LIMIT_BYTES));
        assertTrue(Files.exists(dir.resolve("ext.onnx.data")));
        ModelProto onDisk = ModelProto.parseFrom(Files.readAllBytes(ext));
        TensorProto w = onDisk.getGraph().getInitializer(0);
        assertEquals(TensorProto.DataLocation.EXTERNAL, w.getDataLocation());
        assertFalse(w.hasRawData());
        // b (128 floats = 512 bytes) is under the 1 KiB threshold and stays inline.
        assertTrue(onDisk.getGraph().getInitializer(1).hasRawData());

        OnnxModel loaded = ModelIO.load(ext);
        assertTrue(loaded.hasExternalData());
        for (TensorProto t : m.proto().getGraph().getInitializerList()) {
            TensorProto l = loaded.proto().getGraph().getInitializerList().stream()
                    .filter(x -> x.getName().equals(t.getName())).findFirst().orElseThrow();
            assertArrayEquals(TensorCodec.decode(t).floats(), loaded.tensor(l).floats(), t.getName());
        }
        assertEquals(m.proto(), loaded.inlined().proto(), "inlining restores the original");

        // AUTO keeps an externally stored model external, in a new data file beside the output.
        Path copy = write(loaded, "copy.onnx");
        assertTrue(Files.exists(dir.resolve("copy.onnx.data")));
        assertEquals(m.proto(), ModelIO.load(copy).inlined().proto());
        // NEVER inlines everything.
        Path inline = dir.resolve("inline.onnx");
        ModelIO.save(loaded, inline, new ModelIO.SaveOptions(ModelIO.ExternalDataPolicy.NEVER, 0, OnnxModel.INLINE_LIMIT_BYTES));
        assertEquals(m.proto(), ModelProto.parseFrom(Files.readAllBytes(inline)));
    }

    @Test
    void largeModelsGoExternalAutomatically() throws IOException {
        OnnxModel m = TestModels.mlp(2, 64, 128, 10, 5);
        Path out = dir.resolve("big.onnx");
        // A tiny inline limit stands in for protobuf's 2 GB ceiling.
        ModelIO.save(m, out, new ModelIO.SaveOptions(ModelIO.ExternalDataPolicy.AUTO, 1024, 10_000));
        assertTrue(Files.exists(dir.resolve("big.onnx.data")));
        assertTrue(Files.size(out) < 10_000);
        assertEquals(m.proto(), ModelIO.load(out).inlined().proto());
    }

    @Test
    void bundledExternalDataFixtureLoads() {
        Path fixture = TestModels.testdata().resolve("mlp_external/model.onnx");
        OnnxModel ext = ModelIO.load(fixture);
        OnnxModel plain = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        assertTrue(ext.hasExternalData());
        for (TensorProto t : plain.proto().getGraph().getInitializerList()) {
            TensorProto e = ext.proto().getGraph().getInitializerList().stream()
                    .filter(x -> x.getName().equals(t.getName())).findFirst().orElseThrow();
            assertArrayEquals(plain.tensor(t).toDoubles(), ext.tensor(e).toDoubles(), 0.0, t.getName());
        }
    }

    private OnnxHapException loadFails(Path p, ErrorCode code) {
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> ModelIO.load(p));
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void badInputsGetOneClearLine() throws IOException {
        assertEquals("no such file: " + dir.resolve("missing.onnx"),
                loadFails(dir.resolve("missing.onnx"), ErrorCode.IO).getMessage());
        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        assertTrue(loadFails(empty, ErrorCode.MODEL_NOT_SUPPORTED).getMessage().contains("is empty"));

        byte[] good = TestModels.conv(1, 3, 8, 3, 1, 1, 1, 8, 8, 1).proto().toByteArray();
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(good, good.length / 2));
        assertTrue(loadFails(truncated, ErrorCode.MODEL_NOT_SUPPORTED).getMessage().contains("not a valid ONNX model"));

        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is a text file, not a model\n");
        assertTrue(loadFails(text, ErrorCode.MODEL_NOT_SUPPORTED).getMessage().contains("not"));

        ModelProto foreign = TestModels.mlp(1, 2, 2, 2, 1).proto().toBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.example.secret").setVersion(1)).build();
        Path unknownDomain = dir.resolve("domain.onnx");
        Files.write(unknownDomain, foreign.toByteArray());
        assertTrue(loadFails(unknownDomain, ErrorCode.MODEL_NOT_SUPPORTED).getMessage()
                .contains("unknown operator domain 'com.example.secret'"));

        loadFails(dir, ErrorCode.IO);
    }

    @Test
    void outputEqualToInputIsRefusedAndNothingIsWritten() throws IOException {
        Path in = write(TestModels.mlp(1, 4, 4, 2, 1), "model.onnx");
        byte[] before = Files.readAllBytes(in);
        OnnxModel m = ModelIO.load(in);
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> ModelIO.save(m, in));
        assertEquals(ErrorCode.USAGE, e.code());
        assertThrows(OnnxHapException.class, () -> ModelIO.save(m, dir.resolve("./sub/../model.onnx")));
        assertArrayEquals(before, Files.readAllBytes(in));
        assertEquals(List.of("model.onnx"), listing());
    }

    @Test
    void theInputsExternalDataFileIsNeverOverwritten() throws IOException {
        Path ext = dir.resolve("a.onnx");
        ModelIO.save(TestModels.mlp(2, 64, 128, 10, 5), ext,
                new ModelIO.SaveOptions(ModelIO.ExternalDataPolicy.ALWAYS, 1024, OnnxModel.INLINE_LIMIT_BYTES));
        OnnxModel m = ModelIO.load(ext);
        byte[] data = Files.readAllBytes(dir.resolve("a.onnx.data"));
        // Saving as "a.onnx.data" would put the model itself over the data it reads.
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> ModelIO.save(m, dir.resolve("a.onnx.data")));
        assertEquals(ErrorCode.USAGE, e.code());
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("a.onnx.data")));
    }

    @Test
    void unwritableOrMissingDirectoryIsAnIoError() throws IOException {
        OnnxModel m = TestModels.mlp(1, 4, 4, 2, 1);
        OnnxHapException missing = assertThrows(OnnxHapException.class,
                () -> ModelIO.save(m, dir.resolve("nope/out.onnx")));
        assertEquals(ErrorCode.IO, missing.code());
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            if (Files.isWritable(locked)) {
                // root ignores permission bits: make the target a read-only mount stand-in instead.
                Path occupied = Files.createDirectory(dir.resolve("occupied.onnx"));
                OnnxHapException isDir = assertThrows(OnnxHapException.class, () -> ModelIO.save(m, occupied));
                assertEquals(ErrorCode.USAGE, isDir.code());
                OnnxHapException proc = assertThrows(OnnxHapException.class,
                        () -> ModelIO.save(m, Path.of("/proc/onnx-hap-test.onnx")));
                assertEquals(ErrorCode.IO, proc.code());
            } else {
                OnnxHapException e = assertThrows(OnnxHapException.class, () -> ModelIO.save(m, locked.resolve("o.onnx")));
                assertEquals(ErrorCode.IO, e.code());
            }
            try (Stream<Path> s = Files.list(locked)) {
                assertEquals(0, s.count());
            }
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void newWeightValuesKeepNamesTypesAndGraph() {
        OnnxModel m = TestModels.mlp(2, 4, 3, 2, 1);
        float[] w = new float[12];
        java.util.Arrays.fill(w, 0.25f);
        OnnxModel updated = m.withInitializerValues(java.util.Map.of("W", Tensor.ofFloats("W", new long[] {4, 3}, w)));
        assertEquals(m.proto().getGraph().getNodeList(), updated.proto().getGraph().getNodeList());
        TensorProto back = updated.proto().getGraph().getInitializer(0);
        assertEquals("W", back.getName());
        assertArrayEquals(w, TensorCodec.decode(back).floats());
        assertEquals(m.proto().getGraph().getInitializer(1), updated.proto().getGraph().getInitializer(1));
        assertThrows(IllegalArgumentException.class, () -> m.withInitializerValues(
                java.util.Map.of("W", Tensor.ofFloats("W", new long[] {3, 4}, w))));
        assertThrows(IllegalArgumentException.class, () -> m.withInitializerValues(
                java.util.Map.of("nope", Tensor.ofFloats("nope", new long[] {1}, new float[1]))));
    }
}
