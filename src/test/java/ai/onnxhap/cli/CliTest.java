package ai.onnxhap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    /**
     * The README's first command, as written there (output moved to a temporary folder): it must remove at least
     * 40% of the parameters and lose at most 1 point on at least 1,000 held-out samples, and exit 0.
     */
    @Test
    void theReadmesFirstCommandShowsAGoodResult() throws Exception {
        String line = java.nio.file.Files.readAllLines(TestModels.testdata().resolveSibling("README.md")).stream()
                .filter(l -> l.startsWith("./onnx-hap compress ")).findFirst().orElseThrow();
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                line.replaceAll("#.*", "").trim().split("\\s+")));
        args.remove(0); // ./onnx-hap
        args.set(args.indexOf("-o") + 1, dir.resolve("pruned.onnx").toString());
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        var removed = java.util.regex.Pattern.compile("\\((\\d+\\.\\d)% removed\\)").matcher(r.out());
        assertTrue(removed.find() && Double.parseDouble(removed.group(1)) >= 40, r.out());
        var drop = java.util.regex.Pattern.compile("on (\\d+) validation samples[\\s\\S]*Drop +(-?\\d+\\.\\d+) points")
                .matcher(r.out());
        assertTrue(drop.find(), r.out());
        assertTrue(Integer.parseInt(drop.group(1)) >= 1000 && Double.parseDouble(drop.group(2)) <= 1, r.out());
        assertTrue(java.nio.file.Files.exists(dir.resolve("pruned.onnx")));
        assertTrue(r.out().contains("Validated   on --val-data: 2,000 rows, none of them training rows"), r.out());
        assertFalse(r.err().contains("training rows"), r.err());
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CommandLineFactory.create(new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path save(OnnxModel m, String name) {
        Path p = dir.resolve(name);
        ModelIO.save(m, p);
        return p;
    }

    @Test
    void versionAndHelpDocumentExitCodes() {
        Run v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("onnx-hap 0.1.0"), v.out());
        Run h = run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("3   model not supported or not valid ONNX"), h.out());
        assertTrue(h.out().contains("inspect") && h.out().contains("validate"));
    }

    @Test
    void inspectReportsClosedFormMacsAndParameters() throws Exception {
        // 1x3x16x16 → Conv 8 filters 3x3, stride 1, pad 1: 16x16 outputs, each 3·3·3 MACs.
        Path model = save(TestModels.conv(-1, 3, 8, 3, 1, 1, 1, 16, 16, 7), "conv.onnx");
        Run r = run("inspect", model.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.mapper().readTree(r.out());
        assertEquals(8L * 16 * 16 * 3 * 3 * 3, json.get("macs").asLong());
        assertEquals(8 * 3 * 3 * 3 + 8, json.get("parameters").asLong());
        assertEquals("[1,8,16,16]", json.get("outputs").get(0).get("shape").toString());
        assertEquals(13, json.get("opsets").get("").asInt());

        Run batch4 = run("inspect", model.toString(), "--batch", "4", "--json");
        assertEquals(4 * json.get("macs").asLong(), Json.mapper().readTree(batch4.out()).get("macs").asLong());

        Run text = run("inspect", model.toString());
        assertTrue(text.out().contains("| conv0 | Conv | [1,8,16,16] |    224 | 55.30 K | 100.0% |"), text.out());
    }

    @Test
    void inspectRejectsABadShapeOption() {
        Path model = save(TestModels.mlp(-1, 8, 16, 4, 1), "mlp.onnx");
        Run wrongRank = run("inspect", model.toString(), "--shape", "x=2,3,4");
        assertEquals(2, wrongRank.code());
        assertEquals("onnx-hap: input 'x' expects shape [batch,8], --shape gives [2, 3, 4]", wrongRank.err().trim());
        Run unknown = run("inspect", model.toString(), "--shape", "nope=1");
        assertEquals(2, unknown.code());
        Run ok = run("inspect", model.toString(), "--shape", "x=5,8", "--json");
        assertEquals(0, ok.code(), ok.err());
    }

    @Test
    void badInputsMapToDocumentedExitCodes() throws Exception {
        assertEquals(4, run("inspect", dir.resolve("missing.onnx").toString()).code());
        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        Run e = run("inspect", empty.toString());
        assertEquals(3, e.code());
        assertEquals(1, e.err().strip().lines().count(), "one line: " + e.err());
        Path text = dir.resolve("readme.onnx");
        Files.writeString(text, "hello");
        assertEquals(3, run("inspect", text.toString()).code());
        assertEquals(2, run("inspect").code(), "missing parameter");
        assertEquals(2, run("inspect", "--no-such-option", empty.toString()).code());
        assertEquals(2, run("frobnicate").code());
    }

    @Test
    void validateAModelAgainstItselfIsExactAndPasses() {
        Path a = save(TestModels.mlp(-1, 8, 16, 4, 1), "a.onnx");
        Run r = run("validate", a.toString(), a.toString(), "--samples", "16", "--runs", "3", "--warmup", "1",
                "--max-accuracy-drop", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| y      |           0 |           0 |           yes |          100.0% |"), r.out());
        assertTrue(r.out().contains("PASSED"));
    }

    @Test
    void validateFailsTheGateWhenPredictionsChange() throws Exception {
        OnnxModel a = TestModels.mlp(-1, 8, 16, 4, 1);
        // Negating the last layer flips every arg-max: agreement 0%, a 100-point drop.
        ModelProto p = a.proto();
        TensorProto v = p.getGraph().getInitializer(2);
        float[] w = TensorCodec.decode(v).floats().clone();
        for (int i = 0; i < w.length; i++) {
            w[i] = -w[i];
        }
        ModelProto flipped = p.toBuilder().setGraph(p.getGraph().toBuilder().setInitializer(2,
                TensorCodec.encode(Tensor.ofFloats("V", new long[] {16, 4}, w)))).build();
        Path pa = save(a, "a.onnx");
        Path pb = save(OnnxModel.of(flipped), "b.onnx");
        Run r = run("validate", pa.toString(), pb.toString(), "--samples", "32", "--runs", "2", "--warmup", "0",
                "--max-accuracy-drop", "1", "--json");
        assertEquals(1, r.code(), r.err());
        JsonNode json = Json.mapper().readTree(r.out());
        assertFalse(json.get("passed").asBoolean());
        assertTrue(json.get("accuracyDrop").asDouble() > 50, r.out());
    }

    /** Real exports in the repository's sibling shared/foreign (absent in some checkouts: those tests skip). */
    private static Path foreign(String file) {
        Path p = TestModels.testdata().toAbsolutePath().resolveSibling("../shared/foreign").normalize().resolve(file);
        Assumptions.assumeTrue(Files.isRegularFile(p), "no " + p);
        return p;
    }

    @Test
    void inspectRunsDistilBertWithoutShapeAndSaysWhatItAssumed() throws Exception {
        Path bert = foreign("hf_transformers_tiny_distilbert_seqcls.onnx");
        Run r = run("inspect", bert.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("onnx-hap: assuming input_ids, attention_mask: sequence=16 (give --shape input_ids=... to change)",
                r.err().strip());
        JsonNode json = Json.mapper().readTree(r.out());
        assertEquals("[1,16]", json.get("inputs").get(0).get("shape").toString());
        assertEquals("[1,16]", json.get("inputs").get(1).get("shape").toString());
        assertTrue(json.get("macs").asLong() > 0, r.out());

        // one --shape sets the shared dim for both inputs, and nothing is assumed
        Run given = run("inspect", bert.toString(), "--shape", "input_ids=2,32", "--json");
        assertEquals(0, given.code(), given.err());
        assertEquals("", given.err().strip());
        assertEquals("[2,32]", Json.mapper().readTree(given.out()).get("inputs").get(1).get("shape").toString());
    }

    @Test
    void compressTakesTheSequenceLengthFromTheData() throws Exception {
        Path bert = foreign("hf_transformers_tiny_distilbert_seqcls.onnx");
        Path set = Files.createDirectories(dir.resolve("test_data_set_0"));
        long[] shape = {3, 24};
        long[] ones = new long[72];
        java.util.Arrays.fill(ones, 1);
        Files.write(set.resolve("input_0.pb"),
                TensorCodec.encode(Tensor.ofLongs("input_ids", shape, new long[72])).toByteArray());
        Files.write(set.resolve("input_1.pb"),
                TensorCodec.encode(Tensor.ofLongs("attention_mask", shape, ones)).toByteArray());
        Run r = run("compress", bert.toString(), "--dry-run", "--json", "--data", dir.toString(),
                "--criterion", "l1", "--ratio", "0.25");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("assuming"), r.err());
        assertEquals("[1,24]", Json.mapper().readTree(r.out()).get("compression").get("inputShapes").get("input_ids").toString(), r.out());
    }

    @Test
    void sileroWithoutDataSaysSyntheticInputsCannotRunItAndNamesSr() {
        Path silero = foreign("spox_silero_vad_if_lstm.onnx");
        // compress refuses it first, and for good: its weights are all inside If subgraphs (exit 3)
        Run compress = run("compress", silero.toString(), "--dry-run");
        assertEquals(3, compress.code(), compress.err());
        assertTrue(compress.err().contains("its weights live inside the subgraphs of 1 node(s) (If 'If_0')"),
                compress.err());
        for (String command : new String[] {"check"}) {
            Run r = run("check", silero.toString());
            assertEquals(2, r.code(), r.err());
            String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
            assertTrue(last.startsWith("onnx-hap: ONNX Runtime cannot run spox_silero_vad_if_lstm.onnx on synthetic "
                    + "inputs"), r.err());
            assertTrue(last.contains("the value of sr (int64 scalar) probably matters: give real inputs with --data, "
                    + "or other sizes with --shape"), last);
            assertTrue(r.err().contains("onnx-hap: assuming input: axis 1=16 (give --shape input=... to change)"),
                    r.err());
        }
    }

    @Test
    void aModelThatFailsOnZeroIntegersAsksForData() throws Exception {
        // Reshape with allowzero: a target shape of zeros cannot hold x's 4 values per sample
        ai.onnxhap.onnx.GraphProto g = ai.onnxhap.onnx.GraphProto.newBuilder().setName("g")
                .addInput(TestModels.value("x", ai.onnxhap.model.DataType.FLOAT, "batch", 4))
                .addInput(TestModels.value("target", ai.onnxhap.model.DataType.INT64, 2))
                .addOutput(ai.onnxhap.onnx.ValueInfoProto.newBuilder().setName("y"))
                .addNode(TestModels.node("Reshape", new String[] {"x", "target"}, new String[] {"y"},
                        TestModels.integer("allowzero", 1)))
                .build();
        Path model = save(OnnxModel.of(TestModels.wrap(g, 14)), "reshape.onnx");
        Run r = run("check", model.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("Reshape node 'Reshape_y': "), r.err());
        assertTrue(r.err().contains("the value of target (int64 [2]) probably matters"), r.err());
        // inspect still reports the structure, with the same reason in place of the MACs
        Run inspect = run("inspect", model.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("MACs        unknown: ONNX Runtime cannot run reshape.onnx on synthetic"),
                inspect.out());
    }
}
