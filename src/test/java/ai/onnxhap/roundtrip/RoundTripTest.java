package ai.onnxhap.roundtrip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.testing.TestModels;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load → save must not change what a model computes: ONNX Runtime's outputs on the saved copy are
 * bitwise those of the original file, for ONNX's own backend test suite and our fixtures.
 */
class RoundTripTest {
    static final Path ONNX_TESTDATA = Path.of("/usr/share/libonnx-testdata/data");

    @TempDir
    Path dir;

    @Test
    void everyOnnxBackendTestModelThatOrtRunsRoundTripsBitwise() throws IOException {
        assertTrue(Files.isDirectory(ONNX_TESTDATA.resolve("node")),
                "ONNX's backend test data is missing: apt-get install libonnx-testdata");
        List<Path> models;
        try (Stream<Path> s = Files.walk(ONNX_TESTDATA, 3)) {
            models = s.filter(p -> p.getFileName().toString().equals("model.onnx")).sorted().toList();
        }
        int checked = 0;
        int ortCannot = 0;
        List<String> failures = new ArrayList<>();
        for (Path model : models) {
            Path set = model.resolveSibling("test_data_set_0");
            if (!Files.isDirectory(set)) {
                continue;
            }
            List<OrtRaw.Input> inputs = readInputs(set);
            Map<String, byte[]> expected;
            try {
                expected = OrtRaw.run(model, inputs);
            } catch (OrtException | RuntimeException e) {
                ortCannot++; // ONNX Runtime itself cannot run it (unsupported op, training op, ...)
                continue;
            }
            String label = ONNX_TESTDATA.relativize(model.getParent()).toString();
            try {
                OnnxModel loaded = ModelIO.load(model);
                Path copy = dir.resolve(label.replace('/', '_') + ".onnx");
                ModelIO.save(loaded, copy);
                Map<String, byte[]> actual = OrtRaw.run(copy, inputs);
                assertEquals(expected.keySet(), actual.keySet(), label);
                for (String out : expected.keySet()) {
                    assertArrayEquals(expected.get(out), actual.get(out), label + " output " + out);
                }
                Files.delete(copy);
                checked++;
            } catch (OnnxHapException | OrtException | AssertionError e) {
                failures.add(label + ": " + e.getMessage());
            }
        }
        System.out.printf("round trip: %d ONNX backend models bitwise equal, %d not runnable by ONNX Runtime%n",
                checked, ortCannot);
        if (!failures.isEmpty()) {
            fail(failures.size() + " models changed in a round trip:\n" + String.join("\n", failures));
        }
        // Debian's suite has about 1,200 models; ORT runs the large majority. Guard against skipping them all.
        assertTrue(checked > 900, "only " + checked + " models checked (" + ortCannot + " not runnable by ORT)");
    }

    /** Inputs as the test data stores them; input_N.pb files hold TensorProtos (sequence inputs are skipped). */
    private static List<OrtRaw.Input> readInputs(Path set) throws IOException {
        List<OrtRaw.Input> inputs = new ArrayList<>();
        for (int i = 0; Files.exists(set.resolve("input_" + i + ".pb")); i++) {
            TensorProto p;
            try {
                p = TensorProto.parseFrom(Files.readAllBytes(set.resolve("input_" + i + ".pb")));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                break;
            }
            if (!DataType.isKnownCode(p.getDataType())) {
                break;
            }
            Tensor t;
            try {
                t = TensorCodec.decode(p);
            } catch (OnnxHapException e) {
                break;
            }
            inputs.add(toInput(t));
        }
        return inputs;
    }

    static OrtRaw.Input toInput(Tensor t) {
        if (t.type() == DataType.STRING) {
            String[] s = t.strings().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toArray(String[]::new);
            return new OrtRaw.Input(t.shape(), OnnxJavaType.STRING, null, s);
        }
        OnnxJavaType type = switch (t.type()) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case BOOL -> OnnxJavaType.BOOL;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case BFLOAT16 -> OnnxJavaType.BFLOAT16;
            default -> OnnxJavaType.UNKNOWN;
        };
        ByteBuffer raw = TensorCodec.rawBytes(t);
        ByteBuffer direct = ByteBuffer.allocateDirect(raw.remaining()).order(ByteOrder.nativeOrder());
        direct.put(raw).flip();
        return new OrtRaw.Input(t.shape(), type, direct, null);
    }

    @Test
    void bundledFixturesRoundTripBitwise() throws Exception {
        List<String> fixtures = List.of("resnet_fmnist", "transformer_fmnist", "lstm_fmnist", "gru_fmnist", "mlp_fmnist");
        for (String name : fixtures) {
            Path model = TestModels.testdata().resolve(name + ".onnx");
            OnnxModel loaded = ModelIO.load(model);
            DataSet data = ModelInputs.bind(DataLoader.load(TestModels.testdata().resolve(name + ".npz")), loaded)
                    .slice(0, 16);
            List<OrtRaw.Input> inputs = data.inputs().values().stream().map(RoundTripTest::toInput).toList();
            Path copy = dir.resolve(name + ".onnx");
            ModelIO.save(loaded, copy);
            Map<String, byte[]> expected = OrtRaw.run(model, inputs);
            Map<String, byte[]> actual = OrtRaw.run(copy, inputs);
            for (String out : expected.keySet()) {
                assertArrayEquals(expected.get(out), actual.get(out), name + " output " + out);
            }
        }
    }

    @Test
    void exporterCorpusRoundTripsBitwise() throws Exception {
        List<Path> models;
        try (Stream<Path> s = Files.list(TestModels.testdata().resolve("corpus"))) {
            models = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        assertTrue(models.size() >= 20, "corpus has " + models.size() + " models");
        for (Path model : models) {
            OnnxModel loaded = ModelIO.load(model);
            ai.onnxhap.graph.Graph graph = ai.onnxhap.graph.Graph.of(loaded);
            var inputs = ai.onnxhap.validate.OrtShapeOracle.syntheticInputs(graph,
                    ai.onnxhap.graph.InputShapes.resolve(graph, Map.of(), 2), 0).values().stream()
                    .map(RoundTripTest::toInput).toList();
            Path copy = dir.resolve(model.getFileName());
            ModelIO.save(loaded, copy);
            Map<String, byte[]> expected = OrtRaw.run(model, inputs);
            Map<String, byte[]> actual = OrtRaw.run(copy, inputs);
            for (String out : expected.keySet()) {
                assertArrayEquals(expected.get(out), actual.get(out), model.getFileName() + " output " + out);
            }
        }
    }
}
