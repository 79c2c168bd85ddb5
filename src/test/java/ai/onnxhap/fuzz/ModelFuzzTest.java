package ai.onnxhap.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxhap.graph.CostModel;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.graph.ModelInspector;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtShapeOracle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted and truncated models must only ever produce onnx-hap's documented errors: no other
 * exception, no hang, no JVM crash. The count comes from -Dhap.fuzz.cases (300 in the default build;
 * the README documents a 10,000-case run). The seeds are small models built here, the fixtures and, where
 * ../shared/foreign exists, the foreign-exporter models (see ForeignModelsTest).
 */
class ModelFuzzTest {
    @TempDir
    Path dir;

    private static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(TestModels.conv(-1, 3, 8, 3, 1, 1, 1, 8, 8, 1).proto().toByteArray());
        seeds.add(TestModels.mlp(-1, 16, 8, 4, 2).proto().toByteArray());
        for (String fixture : List.of("resnet_fmnist", "transformer_fmnist", "lstm_fmnist", "mlp_fmnist")) {
            seeds.add(Files.readAllBytes(TestModels.testdata().resolve(fixture + ".onnx")));
        }
        // Real models from other exporters (opset 7 to 16, fp16, Constant-node weights, If subgraphs, ZipMap), kept
        // outside the repository in ../shared/foreign; CI has it beside the checkout.
        Path foreign = TestModels.testdata().toAbsolutePath().getParent().resolveSibling("shared").resolve("foreign");
        if (Files.isDirectory(foreign)) {
            try (Stream<Path> s = Files.list(foreign)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList()) {
                    seeds.add(Files.readAllBytes(p));
                }
            }
        }
        return seeds;
    }

    static byte[] mutate(byte[] src, Random rnd) {
        byte[] b = src.clone();
        switch (rnd.nextInt(6)) {
            case 0 -> {
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 1 -> {
                int flips = 1 + rnd.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 2 -> {
                int n = 1 + rnd.nextInt(16);
                for (int i = 0; i < n; i++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                return b;
            }
            case 3 -> {
                // Overwrite a run, e.g. a length prefix or a tag, with 0xff: large varints.
                int at = rnd.nextInt(b.length);
                Arrays.fill(b, at, Math.min(b.length, at + 1 + rnd.nextInt(8)), (byte) 0xff);
                return b;
            }
            case 4 -> {
                int at = rnd.nextInt(b.length);
                byte[] extra = new byte[1 + rnd.nextInt(32)];
                rnd.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                return out;
            }
            default -> {
                // Cut a chunk out of the middle.
                int from = rnd.nextInt(b.length);
                int to = Math.min(b.length, from + 1 + rnd.nextInt(64));
                byte[] out = new byte[b.length - (to - from)];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, to, out, from, b.length - to);
                return out;
            }
        }
    }

    /**
     * Everything inspect does with a model (load, check, decode weights, resolve shapes, run ORT), then what
     * compress does before scoring: undo exporter habits and find the pruning groups.
     */
    private void exercise(Path file) {
        OnnxModel model = ModelIO.load(file);
        Graph graph = Graph.of(model);
        CostModel.parameterCount(graph);
        for (String name : graph.initializerProtos().keySet()) {
            graph.initializer(name);
        }
        Map<String, long[]> shapes = InputShapes.resolve(graph, Map.of(), 2);
        new ModelInspector(OrtShapeOracle.INSTANCE).inspect(model, shapes);
        ModelIO.save(model, dir.resolve("resaved.onnx"));
        OnnxModel normalized = ai.onnxhap.graph.ExportHabits.normalize(model,
                m -> OrtShapeOracle.INSTANCE.shapes(m, shapes));
        new ai.onnxhap.graph.deps.GroupFinder(Graph.of(normalized), OrtShapeOracle.INSTANCE.shapes(normalized, shapes))
                .findAll();
    }

    @Test
    void mutatedModelsFailOnlyWithDocumentedErrors() throws IOException {
        int cases = Integer.getInteger("hap.fuzz.cases", 300);
        List<byte[]> seeds = seeds();
        Random rnd = new Random(20261121);
        Path file = dir.resolve("fuzz.onnx");
        List<String> escapes = new ArrayList<>();
        int rejected = 0;
        for (int i = 0; i < cases; i++) {
            byte[] mutated = mutate(seeds.get(i % seeds.size()), rnd);
            Files.write(file, mutated);
            int caseNo = i;
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> exercise(file), "case " + caseNo + " hung");
            } catch (OnnxHapException e) {
                rejected++;
                assertTrue(!e.getMessage().isBlank() && !e.getMessage().contains("\n"), "one-line message: " + e);
            } catch (RuntimeException | Error e) {
                Path kept = dir.resolveSibling("fuzz-case-" + i + ".onnx");
                Files.write(kept, mutated);
                escapes.add("case " + i + " (" + kept + "): " + e);
            }
        }
        System.out.printf("fuzz: %d mutated models, %d rejected with a documented error, %d accepted%n", cases,
                rejected, cases - rejected - escapes.size());
        if (!escapes.isEmpty()) {
            fail(escapes.size() + " undocumented failures:\n" + String.join("\n", escapes));
        }
    }
}
