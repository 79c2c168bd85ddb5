package ai.onnxhap.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import ai.onnxhap.graph.ExportHabits;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.TypeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import ai.onnxhap.plan.GroupDecision;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.rewrite.Surgeon;
import ai.onnxhap.testing.Masking;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Models written in the habits of exporters other than torch.onnx (testdata/foreign_styles, made by
 * tools/make_foreign_styles.py): NHWC Transpose islands (keras2onnx/tf2onnx), a Reshape for the C=1 transpose
 * (tf2onnx), weights in Constant nodes (paddle2onnx), initializers listed as inputs at IR 3 (CNTK, onnx-caffe2,
 * WinMLTools), float16 weights and io (onnx-caffe2), ImageScaler and a ZipMap output (WinMLTools), nodes out of
 * topological order, and a Conv output captured by an If's branches. Each is compressed as ExporterCorpusTest
 * does (l1, ratio 0.3) and must: run in ONNX Runtime with fewer parameters; at ratio 0 give bitwise the
 * original's outputs; equal the masked original; keep the exporter's conventions (IR version, opsets, io names and
 * types, initializers-as-inputs with their new shapes, fp16, the ZipMap output).
 */
class ForeignStylesTest {
    private static final double RATIO = 0.3;

    /** @param tolerance pruned vs masked, relative to the largest output magnitude */
    private record Fixture(String name, double tolerance, Consumer<Compared> conventions) {
        Path path() {
            return TestModels.testdata().resolve("foreign_styles").resolve(name + ".onnx");
        }
    }

    /** The original and the compressed model, for convention checks. */
    private record Compared(ModelProto before, ModelProto after) {
    }

    private static final List<Fixture> FIXTURES = List.of(
            new Fixture("keras_nhwc_transpose", 1e-4, c -> { }),
            new Fixture("tf2onnx_reshape_c1", 1e-4, c -> { }),
            new Fixture("paddle_constant_weights", 1e-4, c -> { }),
            new Fixture("cntk_inits_as_inputs", 1e-4, ForeignStylesTest::initializersStillInputs),
            new Fixture("caffe2_fp16", 1e-2, c -> {
                initializersStillInputs(c);
                stillFloat16(c);
            }),
            new Fixture("coreml_zipmap", 1e-4, c -> {
                initializersStillInputs(c);
                zipMapStillThere(c);
            }),
            new Fixture("unsorted_nodes", 1e-4, c -> { }),
            new Fixture("if_captures_weight", 1e-4, c -> { }),
            new Fixture("mxnet_upsample_opset9", 1e-4, ForeignStylesTest::initializersStillInputs),
            new Fixture("coreml_crop_opset7", 1e-4, ForeignStylesTest::initializersStillInputs),
            new Fixture("paddle_convtranspose", 1e-4, c -> { }));

    @TestFactory
    Stream<DynamicNode> foreignStyles() {
        return FIXTURES.stream().map(f -> dynamicContainer(f.name(), Stream.of(
                named(f, "the fixture itself runs in ONNX Runtime", () -> runsAsWritten(f)),
                named(f, "prunes and runs with fewer parameters", () -> prunesAndRuns(f)),
                named(f, "ratio 0 gives bitwise the original outputs", () -> ratioZeroIsIdentity(f)),
                named(f, "pruned equals masked", () -> prunedEqualsMasked(f)),
                named(f, "keeps the exporter's conventions", () -> keepsConventions(f)))));
    }

    /** Surefire names dynamic tests after the factory method: put the fixture and check in every failure. */
    private static DynamicTest named(Fixture f, String check, Executable body) {
        return dynamicTest(f.name() + ": " + check, () -> {
            try {
                body.execute();
            } catch (AssertionError | RuntimeException e) {
                AssertionError named = new AssertionError("[" + f.name() + "] " + check + ": " + e, e);
                named.setStackTrace(e.getStackTrace());
                throw named;
            }
        });
    }

    private static void runsAsWritten(Fixture f) {
        OnnxModel model = ModelIO.load(f.path());
        Map<String, Tensor> out = run(model, inputs(model));
        assertEquals(outputTypes(model.proto()).keySet().stream().filter(k -> model.proto().getGraph().getOutputList()
                .stream().anyMatch(v -> v.getName().equals(k) && v.getType().hasTensorType())).toList(),
                List.copyOf(out.keySet()), "tensor outputs");
    }

    /** if_captures_weight: the group of the captured Conv is refused naming the If, or followed into it exactly. */
    @TestFactory
    Stream<DynamicNode> ifCapture() {
        Fixture f = FIXTURES.stream().filter(x -> x.name().equals("if_captures_weight")).findFirst().orElseThrow();
        return Stream.of(named(f, "conv1's group names the If or is pruned exactly", () -> {
            OnnxModel model = ModelIO.load(f.path());
            Compressor.Result result = compress(model, RATIO);
            PruningGroup conv1 = result.groups().stream().filter(g -> g.rootNode().equals("/conv1/Conv")).findFirst()
                    .orElseThrow(() -> new AssertionError("no group rooted at /conv1/Conv; groups: " + describe(result)));
            if (!conv1.prunable()) {
                assertTrue(conv1.reason() != null && conv1.reason().contains("/If"),
                        "conv1's group is refused, but its reason does not name the If node '/If': " + conv1.reason());
                assertFalse(wasCut(result, conv1), "a refused group was cut");
                return;
            }
            // Followed into the branches: whatever the plan did must equal the masked original and run.
            double err = maskedError(model, result);
            assertTrue(err <= f.tolerance(), "conv1's group is prunable (followed into the If) but pruned differs "
                    + "from masked by " + err + "; cut: " + wasCut(result, conv1));
        }));
    }

    /** mxnet_upsample_opset9: conv0's channels pass through the deprecated Upsample (scale 1 on channels). */
    @TestFactory
    Stream<DynamicNode> upsampleCarriesChannels() {
        Fixture f = FIXTURES.stream().filter(x -> x.name().equals("mxnet_upsample_opset9")).findFirst().orElseThrow();
        return Stream.of(named(f, "conv0's group passes the Upsample and prunes exactly", () -> {
            OnnxModel model = ModelIO.load(f.path());
            Compressor.Result result = compress(model, 0.5);
            PruningGroup conv0 = result.groups().stream().filter(g -> g.rootNode().equals("conv0_fwd")).findFirst()
                    .orElseThrow(() -> new AssertionError("no group rooted at conv0_fwd; groups: " + describe(result)));
            assertTrue(conv0.prunable(), "conv0's group is refused: " + conv0.reason());
            assertTrue(conv0.members().stream().anyMatch(m -> m.tensor().equals("conv1_weight")),
                    "conv0's group does not reach conv1 through the Upsample");
            assertTrue(maskedError(model, result) <= f.tolerance(), "pruned differs from masked");
        }));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static void prunesAndRuns(Fixture f) {
        OnnxModel model = ModelIO.load(f.path());
        Compressor.Result result = compress(model, RATIO);
        Map<String, Tensor> out = run(result.model(), inputs(model));
        assertFalse(out.isEmpty(), "ONNX Runtime returned no tensor output");
        long before = params(model.proto());
        long after = params(result.model().proto());
        System.out.printf("%-24s params %d -> %d; groups: %s%n", f.name(), before, after, describe(result));
        assertTrue(after < before, "parameters did not fall: " + before + " -> " + after + " (report "
                + result.report().paramsBefore() + " -> " + result.report().paramsAfter() + "); groups: "
                + describe(result));
        assertTrue(result.report().paramsAfter() < result.report().paramsBefore(), "report's parameters did not fall");
    }

    private static void ratioZeroIsIdentity(Fixture f) {
        OnnxModel model = ModelIO.load(f.path());
        Compressor.Result result = compress(model, 0.0);
        Map<String, Tensor> inputs = inputs(model);
        Map<String, Tensor> expected = run(model, inputs);
        Map<String, Tensor> actual = run(result.model(), inputs);
        assertEquals(expected.keySet(), actual.keySet(), "tensor outputs differ");
        for (String k : expected.keySet()) {
            Tensor e = expected.get(k);
            Tensor a = actual.get(k);
            assertEquals(e.type(), a.type(), k + ": output type");
            assertEquals(Arrays.toString(e.shape()), Arrays.toString(a.shape()), k + ": output shape");
            assertTrue(TensorCodec.rawBytes(e).equals(TensorCodec.rawBytes(a)),
                    k + ": outputs at ratio 0 are not bitwise the original's (max abs diff " + maxAbsDiff(e, a) + ")");
        }
    }

    private static void prunedEqualsMasked(Fixture f) {
        OnnxModel model = ModelIO.load(f.path());
        Compressor.Result result = compress(model, RATIO);
        List<Surgeon.Cut> cuts = cuts(result);
        assertFalse(cuts.isEmpty(), "nothing was cut; groups: " + describe(result));
        boolean exact = cuts.stream().allMatch(c -> c.group().exact());
        double err = maskedError(model, result);
        if (exact) {
            assertTrue(err <= f.tolerance(), "pruned differs from masked by " + err + " (tolerance " + f.tolerance() + ")");
        } else {
            System.out.printf("%s: inexact groups cut, pruned vs masked %.2e (not asserted)%n", f.name(), err);
        }
    }

    private static void keepsConventions(Fixture f) {
        OnnxModel model = ModelIO.load(f.path());
        Compressor.Result result = compress(model, RATIO);
        Compared c = new Compared(model.proto(), result.model().proto());
        assertEquals(c.before().getIrVersion(), c.after().getIrVersion(), "IR version changed");
        assertEquals(opsets(c.before()), opsets(c.after()), "opset imports changed");
        assertEquals(runtimeInputs(c.before()), runtimeInputs(c.after()), "runtime inputs (name: type) changed");
        assertEquals(outputTypes(c.before()), outputTypes(c.after()), "outputs (name: element type) changed");
        f.conventions().accept(c);
    }

    // conventions --------------------------------------------------------------------------------------------

    /** IR < 4: every initializer must still be a graph input, declared with the initializer's (new) type and dims. */
    private static void initializersStillInputs(Compared c) {
        GraphProto g = c.after().getGraph();
        Map<String, ValueInfoProto> inputs = new LinkedHashMap<>();
        g.getInputList().forEach(v -> inputs.put(v.getName(), v));
        assertTrue(g.getInitializerCount() > 0, "the result has no initializers");
        List<String> problems = new ArrayList<>();
        for (TensorProto t : g.getInitializerList()) {
            ValueInfoProto v = inputs.get(t.getName());
            if (v == null) {
                problems.add(t.getName() + ": not a graph input");
                continue;
            }
            TypeProto.Tensor tt = v.getType().getTensorType();
            List<Long> declared = tt.getShape().getDimList().stream().map(d -> d.hasDimValue() ? d.getDimValue() : -1L)
                    .toList();
            if (tt.getElemType() != t.getDataType() || !declared.equals(t.getDimsList())) {
                problems.add(t.getName() + ": input declares " + DataType.fromCode(tt.getElemType()) + declared
                        + ", initializer is " + DataType.fromCode(t.getDataType()) + t.getDimsList());
            }
        }
        long listed = g.getInputList().stream().filter(v -> g.getInitializerList().stream()
                .anyMatch(t -> t.getName().equals(v.getName()))).count();
        assertTrue(problems.isEmpty(), "initializers as inputs not kept: " + String.join("; ", problems));
        assertEquals(g.getInitializerCount(), listed, "initializer count vs initializers listed as inputs");
    }

    private static void stillFloat16(Compared c) {
        GraphProto g = c.after().getGraph();
        List<String> notHalf = g.getInitializerList().stream()
                .filter(t -> t.getDataType() != DataType.FLOAT16.code())
                .map(t -> t.getName() + ": " + DataType.fromCode(t.getDataType())).toList();
        assertTrue(notHalf.isEmpty(), "weights no longer float16: " + notHalf);
        List<String> constants = g.getNodeList().stream().filter(n -> n.getOpType().equals("Constant"))
                .map(NodeProto::getName).toList();
        assertTrue(constants.isEmpty(), "fp16 weights became Constant nodes: " + constants);
        for (ValueInfoProto v : concat(runtimeInputInfos(c.after()), g.getOutputList())) {
            assertEquals(DataType.FLOAT16.code(), v.getType().getTensorType().getElemType(), v.getName() + " not float16");
        }
    }

    private static void zipMapStillThere(Compared c) {
        GraphProto g = c.after().getGraph();
        ValueInfoProto prediction = g.getOutputList().stream().filter(v -> v.getName().equals("prediction")).findFirst()
                .orElseThrow(() -> new AssertionError("output 'prediction' is gone; outputs "
                        + g.getOutputList().stream().map(ValueInfoProto::getName).toList()));
        assertTrue(prediction.getType().hasSequenceType()
                        && prediction.getType().getSequenceType().getElemType().hasMapType(),
                "'prediction' is no longer seq(map(int64,float)): " + prediction.getType());
        assertTrue(g.getNodeList().stream().anyMatch(n -> n.getOpType().equals("ZipMap")), "the ZipMap node is gone");
    }

    // helpers -------------------------------------------------------------------------------------------------

    private static Compressor.Result compress(OnnxModel model, double ratio) {
        Map<String, long[]> shapes = InputShapes.resolve(Graph.of(model), Map.of(), 1);
        var options = new CompressOptions(new PlanOptions(ratio, 0.9, Set.of(), 1), "l1", 0, Map.of(), 0.5, shapes);
        return new Compressor(OrtShapeOracle.INSTANCE).compress(model, "", options, false);
    }

    private static Map<String, Tensor> inputs(OnnxModel model) {
        Graph g = Graph.of(model);
        return OrtShapeOracle.syntheticInputs(g, InputShapes.resolve(g, Map.of(), 2), 1);
    }

    private static List<Surgeon.Cut> cuts(Compressor.Result result) {
        Map<String, PruningGroup> byId = new LinkedHashMap<>();
        result.groups().forEach(g -> byId.put(g.id(), g));
        return result.report().plan().decisions().stream().filter(d -> d.removedUnits().length > 0)
                .map(d -> new Surgeon.Cut(byId.get(d.group()), d.removedUnits())).toList();
    }

    private static boolean wasCut(Compressor.Result result, PruningGroup g) {
        return result.report().plan().decisions().stream()
                .anyMatch(d -> d.group().equals(g.id()) && d.removedUnits().length > 0);
    }

    /**
     * Pruned vs masked: the cuts name tensors of the model the analysis saw (after ExportHabits), so that model is
     * the one masked; it computes the original's function, which ratioZeroIsIdentity checks.
     */
    private static double maskedError(OnnxModel model, Compressor.Result result) {
        Map<String, long[]> shapes = InputShapes.resolve(Graph.of(model), Map.of(), 1);
        OnnxModel analysed = ExportHabits.normalize(model, m -> OrtShapeOracle.INSTANCE.shapes(m, shapes));
        Map<String, Tensor> inputs = inputs(model);
        return relativeError(run(Masking.masked(analysed, cuts(result)), inputs), run(result.model(), inputs));
    }

    private static Map<String, Tensor> run(OnnxModel m, Map<String, Tensor> inputs) {
        try (OrtModel ort = OrtModel.open(m)) {
            return ort.run(inputs); // tensor outputs only: ZipMap's sequence of maps is dropped here
        }
    }

    /** max |a - b| / max |a| over the floating-point tensor outputs the two share (integer labels are skipped). */
    private static double relativeError(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertEquals(a.keySet(), b.keySet(), "tensor outputs differ");
        double err = 0;
        double scale = 1e-12;
        for (String k : a.keySet()) {
            if (a.get(k).type().storage() != DataType.Storage.FLOAT) {
                continue;
            }
            float[] x = a.get(k).floats();
            float[] y = b.get(k).floats();
            assertEquals(x.length, y.length, k + ": output sizes differ");
            for (int i = 0; i < x.length; i++) {
                err = Math.max(err, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(x[i]));
            }
        }
        return err / scale;
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        if (a.type().storage() != DataType.Storage.FLOAT || a.size() != b.size()) {
            return Double.NaN;
        }
        float[] x = a.floats();
        float[] y = b.floats();
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }

    /** Elements of every initializer and every Constant node's tensor (paddle keeps its weights there). */
    static long params(ModelProto m) {
        long n = 0;
        for (TensorProto t : m.getGraph().getInitializerList()) {
            n += Tensor.elementCount(t.getDimsList().stream().mapToLong(Long::longValue).toArray());
        }
        for (NodeProto node : m.getGraph().getNodeList()) {
            if (node.getOpType().equals("Constant")) {
                for (var a : node.getAttributeList()) {
                    if (a.hasT()) {
                        n += Tensor.elementCount(a.getT().getDimsList().stream().mapToLong(Long::longValue).toArray());
                    }
                }
            }
        }
        return n;
    }

    private static Map<String, Long> opsets(ModelProto m) {
        Map<String, Long> out = new TreeMap<>();
        m.getOpsetImportList().forEach(o -> out.put(o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain(), o.getVersion()));
        return out;
    }

    private static List<ValueInfoProto> runtimeInputInfos(ModelProto m) {
        Set<String> inits = m.getGraph().getInitializerList().stream().map(TensorProto::getName)
                .collect(Collectors.toSet());
        return m.getGraph().getInputList().stream().filter(v -> !inits.contains(v.getName())).toList();
    }

    private static Map<String, String> runtimeInputs(ModelProto m) {
        Map<String, String> out = new LinkedHashMap<>();
        runtimeInputInfos(m).forEach(v -> out.put(v.getName(), typeText(v.getType())));
        return out;
    }

    private static Map<String, String> outputTypes(ModelProto m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.getGraph().getOutputList().forEach(v -> out.put(v.getName(), typeText(v.getType())));
        return out;
    }

    private static String typeText(TypeProto t) {
        if (t.hasTensorType()) {
            return DataType.fromCode(t.getTensorType().getElemType()).name();
        }
        return t.toString().replaceAll("\\s+", " ").trim();
    }

    private static String describe(Compressor.Result result) {
        Map<String, GroupDecision> decisions = new LinkedHashMap<>();
        result.report().plan().decisions().forEach(d -> decisions.put(d.group(), d));
        return result.groups().stream().map(g -> {
            GroupDecision d = decisions.get(g.id());
            return g.rootNode() + " (" + g.units() + ", " + (g.prunable() ? "prunable" : "refused: " + g.reason())
                    + (d == null ? "" : ", " + d.status() + " -" + d.removedUnits().length) + ")";
        }).collect(Collectors.joining("; "));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
