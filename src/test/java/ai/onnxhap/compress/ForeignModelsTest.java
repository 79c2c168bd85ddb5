package ai.onnxhap.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxhap.cli.CommandLineFactory;
import ai.onnxhap.graph.ExportHabits;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.OperatorSetIdProto;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.rewrite.Surgeon;
import ai.onnxhap.testing.Masking;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtShapeOracle;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real ONNX files from exporters other than torch.onnx (TF/Keras, Paddle, CNTK, MXNet, CoreML, Caffe2, HF/PyTorch
 * 1.10, spox), kept outside the repository in ../shared/foreign (see its README.md and manifest.json; CI has
 * ../shared beside the checkout; the class is skipped where the folder is absent). Each model has an expected
 * outcome below, and a model in the folder without one fails, so a new foreign model must be classified.
 *
 * <p>COMPRESSES: l1 at ratio 0.3 gives a model ONNX Runtime runs, with fewer parameters, equal to the masked
 * original (when every cut group is exact); at ratio 0 the outputs are bitwise the original's. REFUSED: the
 * documented invalid-model error with the expected reason. The CLI never ends in an internal error (exit 70)
 * on any of them. The README's "Supported exporters" table is generated from these results:
 * regenerate it with mvn test -Dtest=ForeignModelsTest -Dhap.readme.update=true
 */
class ForeignModelsTest {
    private static final String BEGIN = "<!-- generated:foreign-exporters:begin -->\n";
    private static final String END = "<!-- generated:foreign-exporters:end -->";

    enum Outcome { COMPRESSES, REFUSED }

    /** What onnx-hap must do with each foreign model (the file name without .onnx). */
    private static final Map<String, Outcome> EXPECTED = Map.of(
            "caffe2_squeezenet_fp16", Outcome.COMPRESSES,
            "cntk_mnist8_modelzoo", Outcome.COMPRESSES,
            "coreml_winmltools_mnist_zipmap", Outcome.COMPRESSES,
            "hf_transformers_tiny_distilbert_seqcls", Outcome.COMPRESSES,
            "keras2onnx_conv1d_lstm_test_model_1", Outcome.COMPRESSES,
            "mxnet_mnist_cnn", Outcome.COMPRESSES,
            "paddle_ppocrv2_cls", Outcome.COMPRESSES,
            "tf2onnx_1.16_keras_cnn_mnist", Outcome.COMPRESSES,
            "spox_silero_vad_if_lstm", Outcome.REFUSED);

    /**
     * Sizes for the symbolic dimensions past the batch axis, as a function of the batch size (the test's inputs;
     * the CLI check passes the same with --shape at batch 1).
     */
    private static final Map<String, LongFunction<Map<String, long[]>>> SHAPES = Map.of(
            "hf_transformers_tiny_distilbert_seqcls", b -> Map.of("input_ids", new long[] {b, 16},
                    "attention_mask", new long[] {b, 16}),
            "spox_silero_vad_if_lstm", b -> Map.of("input", new long[] {b, 512}, "state", new long[] {2, b, 128}));

    /**
     * Integer inputs whose all-zero synthetic value does not run the model meaningfully: DistilBERT masks every
     * position with an all-zero attention_mask (-inf scores, NaN outputs); Silero VAD needs sr = 16000
     * (manifest.json's ort_run_overrides).
     */
    private static final Map<String, Map<String, Long>> FILL = Map.of(
            "hf_transformers_tiny_distilbert_seqcls", Map.of("attention_mask", 1L),
            "spox_silero_vad_if_lstm", Map.of("sr", 16000L));

    /** What happened to one model; computed once, shared by the per-model tests and the README table. */
    record Result(String model, Outcome expected, Outcome actual, double removedPercent, String reason,
                  List<String> failures) {
    }

    private static final Map<String, Result> RESULTS = new ConcurrentHashMap<>();

    @TempDir
    Path dir;

    static Path folder() {
        return TestModels.testdata().toAbsolutePath().getParent().resolveSibling("shared").resolve("foreign");
    }

    static List<Path> models() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(folder()), "no foreign models at " + folder());
        try (Stream<Path> s = Files.list(folder())) {
            return s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
    }

    static String name(Path file) {
        String f = file.getFileName().toString();
        return f.substring(0, f.length() - ".onnx".length());
    }

    @Test
    void everyForeignModelIsClassified() throws IOException {
        Set<String> present = new TreeSet<>();
        models().forEach(p -> present.add(name(p)));
        Set<String> unclassified = new TreeSet<>(present);
        unclassified.removeAll(EXPECTED.keySet());
        assertTrue(unclassified.isEmpty(), "foreign models without an expected outcome in ForeignModelsTest.EXPECTED: "
                + unclassified);
        Set<String> missing = new TreeSet<>(EXPECTED.keySet());
        missing.removeAll(present);
        assertTrue(missing.isEmpty(), "expected foreign models missing from " + folder() + ": " + missing);
    }

    @TestFactory
    Stream<DynamicTest> eachModelHasItsExpectedOutcome() throws IOException {
        return models().stream().map(file -> DynamicTest.dynamicTest(name(file), () -> {
            Result r = result(file);
            if (!r.failures().isEmpty()) {
                fail(r.model() + " (expected " + r.expected() + "):\n" + String.join("\n", r.failures()));
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> cliNeverEndsInAnInternalError() throws IOException {
        return models().stream().map(file -> DynamicTest.dynamicTest(name(file), () -> {
            Path out = Files.createDirectories(dir.resolve(name(file))).resolve("out.onnx");
            List<String> args = new ArrayList<>(List.of("compress", file.toString(), "-o", out.toString(),
                    "--criterion", "l1", "--ratio", "0.3", "--epochs", "0"));
            SHAPES.getOrDefault(name(file), b -> Map.of()).apply(1).forEach((k, v) -> {
                args.add("--shape");
                args.add(k + "=" + String.join(",", java.util.Arrays.stream(v).mapToObj(Long::toString).toList()));
            });
            StringWriter err = new StringWriter();
            int code = CommandLineFactory.create(new PrintWriter(new StringWriter()), new PrintWriter(err))
                    .execute(args.toArray(String[]::new));
            assertNotEquals(70, code, "internal error: " + err);
            assertTrue(code == 0 || code == 3, "exit " + code + ": " + err);
            Outcome expected = EXPECTED.get(name(file));
            if (expected != null) {
                assertEquals(expected == Outcome.COMPRESSES ? 0 : 3, code, err.toString());
            }
            if (code == 3) {
                try (Stream<Path> written = Files.list(out.getParent())) {
                    assertEquals(List.of(), written.toList(), "a refused model must leave nothing written");
                }
            } else {
                assertTrue(Files.isRegularFile(out), "exit 0 without " + out);
            }
        }));
    }

    @Test
    void readmeTableMatchesTheResults() throws Exception {
        // a checkout without ../shared beside it cannot regenerate the table: skipped, like the models' tests
        Assumptions.assumeTrue(Files.isDirectory(folder()), "no foreign models at " + folder());
        ai.onnxhap.testing.ReadmeSection.check(BEGIN, END, generated(),
                "README's Supported exporters table is stale: regenerate it (see this test's doc)");
    }

    static String generated() throws IOException {
        JsonNode manifest = Json.mapper().readTree(folder().resolve("manifest.json").toFile());
        Map<String, JsonNode> byFile = new LinkedHashMap<>();
        manifest.forEach(e -> byFile.put(e.get("file").asText(), e));
        StringBuilder sb = new StringBuilder();
        sb.append("| exporter | producer (as in the file) | opsets | model | outcome |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Path file : models()) {
            OnnxModel model = ModelIO.load(file);
            JsonNode entry = byFile.get(file.getFileName().toString());
            String exporter = entry == null ? "?" : entry.get("exporter").asText();
            String producer = (model.proto().getProducerName() + " " + model.proto().getProducerVersion()).trim();
            List<String> opsets = new ArrayList<>();
            for (OperatorSetIdProto o : model.proto().getOpsetImportList()) {
                opsets.add((o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain()) + " " + o.getVersion());
            }
            Result r = result(file);
            String outcome;
            if (!r.failures().isEmpty()) {
                outcome = "not as expected (" + r.expected() + "), see ForeignModelsTest";
            } else if (r.actual() == Outcome.COMPRESSES) {
                // Two decimals under 0.1%, so that a token cut does not read as 0.0%.
                outcome = String.format(Locale.ROOT, r.removedPercent() < 0.1
                        ? "compressed: %.2f%% of parameters removed at ratio 0.3"
                        : "compressed: %.1f%% of parameters removed at ratio 0.3", r.removedPercent());
            } else {
                outcome = "refused: " + r.reason();
            }
            sb.append("| ").append(cell(exporter)).append(" | ").append(producer.isEmpty() ? "(empty)" : cell(producer))
                    .append(" | ").append(String.join(", ", opsets)).append(" | `").append(r.model()).append("` | ")
                    .append(cell(outcome)).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static Result result(Path file) {
        return RESULTS.computeIfAbsent(name(file), n -> evaluate(file));
    }

    private static Result evaluate(Path file) {
        String name = name(file);
        Outcome expected = EXPECTED.get(name);
        List<String> failures = new ArrayList<>();
        if (expected == null) {
            failures.add("not classified in ForeignModelsTest.EXPECTED");
        }
        LongFunction<Map<String, long[]>> given = SHAPES.getOrDefault(name, b -> Map.of());
        try {
            OnnxModel model = ModelIO.load(file);
            Map<String, long[]> shapes = InputShapes.resolve(Graph.of(model), given.apply(1), 1);
            Compressor.Result result;
            try {
                result = compress(model, 0.3, shapes);
            } catch (OnnxHapException e) {
                if (expected == Outcome.REFUSED) {
                    if (e.code() != ErrorCode.MODEL_NOT_SUPPORTED) {
                        failures.add("refused with " + e.code() + " instead of an invalid-model error: " + e.getMessage());
                    }
                    checkReason(name, e.getMessage(), failures);
                } else {
                    failures.add("refused: " + e.getMessage() + stackTop(e));
                }
                return new Result(name, expected, Outcome.REFUSED, 0, e.getMessage(), failures);
            }
            if (expected == Outcome.REFUSED) {
                failures.add("compressed, but it should be refused");
            }
            var report = result.report();
            double removed = 100.0 * (report.paramsBefore() - report.paramsAfter()) / report.paramsBefore();
            if (report.paramsAfter() >= report.paramsBefore()) {
                failures.add("parameters did not fall (" + report.paramsBefore() + " -> " + report.paramsAfter() + ")");
            }
            boolean fp16 = Graph.of(model).inputs().stream().anyMatch(i -> i.type() == DataType.FLOAT16);
            Map<String, long[]> runShapes = InputShapes.resolve(Graph.of(model), given.apply(2), 2);
            Map<String, Tensor> inputs = new LinkedHashMap<>(OrtShapeOracle.syntheticInputs(Graph.of(model),
                    runShapes, 1));
            FILL.getOrDefault(name, Map.of()).forEach((input, value) -> {
                Tensor t = inputs.get(input);
                long[] v = new long[Math.toIntExact(t.size())];
                java.util.Arrays.fill(v, value);
                inputs.put(input, Tensor.ofLongs(input, t.type(), t.shape(), v));
            });
            Map<String, Tensor> original = Masking.run(model, inputs);

            // The pruned model runs and equals the original with the same units masked.
            Map<String, PruningGroup> byId = new LinkedHashMap<>();
            result.groups().forEach(g -> byId.put(g.id(), g));
            List<Surgeon.Cut> cuts = report.plan().decisions().stream().filter(d -> d.removedUnits().length > 0)
                    .map(d -> new Surgeon.Cut(byId.get(d.group()), d.removedUnits())).toList();
            Map<String, Tensor> pruned = Masking.run(result.model(), inputs);
            if (!pruned.keySet().equals(original.keySet())) {
                failures.add("the pruned model's tensor outputs " + pruned.keySet() + " differ from the original's "
                        + original.keySet());
            }
            if (!cuts.isEmpty() && cuts.stream().allMatch(c -> c.group().exact())) {
                OnnxModel reference = Masking.masked(ExportHabits.normalize(model,
                        m -> OrtShapeOracle.INSTANCE.shapes(m, shapes)), cuts);
                double err = Masking.relativeError(Masking.run(reference, inputs), pruned);
                double tolerance = fp16 ? 1e-2 : 1e-4;
                if (!(err <= tolerance)) {
                    failures.add("pruned differs from masked by " + err + " (tolerance " + tolerance + ")");
                }
            }

            // Ratio 0 changes nothing the runtime can see.
            Map<String, Tensor> unchanged = Masking.run(compress(model, 0, shapes).model(), inputs);
            for (Map.Entry<String, Tensor> e : original.entrySet()) {
                Tensor t = unchanged.get(e.getKey());
                if (t == null || !TensorCodec.rawBytes(t).equals(TensorCodec.rawBytes(e.getValue()))) {
                    failures.add("at ratio 0 output '" + e.getKey() + "' is not bitwise the original's");
                }
            }
            return new Result(name, expected, Outcome.COMPRESSES, removed, null, failures);
        } catch (RuntimeException | AssertionError e) {
            failures.add(e + stackTop(e));
            return new Result(name, expected, null, 0, String.valueOf(e), failures);
        }
    }

    /** The reason a REFUSED model must give. */
    private static void checkReason(String name, String message, List<String> failures) {
        if (name.equals("spox_silero_vad_if_lstm")) {
            if (!message.contains("If") || !message.contains("subgraph") || !message.contains("weight")) {
                failures.add("refused, but the message does not name the If op and say its weights live inside "
                        + "subgraphs: " + message);
            }
        }
    }

    private static Compressor.Result compress(OnnxModel model, double ratio, Map<String, long[]> shapes) {
        var options = new CompressOptions(new PlanOptions(ratio, 0.9, Set.of(), 1), "l1", 0, Map.of(), 0.5, shapes);
        return new Compressor(OrtShapeOracle.INSTANCE).compress(model, "", options, false);
    }

    private static String stackTop(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length == 0 ? "" : " at " + st[0];
    }
}
