package ai.onnxhap.rewrite;

import static ai.onnxhap.testing.TestModels.floatInfo;
import static ai.onnxhap.testing.TestModels.integer;
import static ai.onnxhap.testing.TestModels.ints;
import static ai.onnxhap.testing.TestModels.randomFloats;
import static ai.onnxhap.testing.TestModels.wrap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.graph.CostModel;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.StringStringEntryProto;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LowRankImplantTest {

    // ---- models -------------------------------------------------------------------------------------------------

    /** x[2,3,12] → Conv1D(W[5,3,3], B, stride 2, pads 1/2, dilation 2) → y. */
    static OnnxModel conv1d() {
        Random rnd = new Random(3);
        GraphProto g = GraphProto.newBuilder().setName("conv1d").addInput(floatInfo("x", 2, 3, 12))
                .addOutput(floatInfo("y"))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, 5, 3, 3)))
                .addInitializer(TensorCodec.encode(randomFloats("B", rnd, 5)))
                .addNode(NodeProto.newBuilder().setName("c1").setOpType("Conv").addInput("x").addInput("W")
                        .addInput("B").addOutput("y").addAttribute(ints("kernel_shape", 3))
                        .addAttribute(ints("strides", 2)).addAttribute(ints("pads", 1, 2))
                        .addAttribute(ints("dilations", 2)))
                .build();
        return OnnxModel.of(wrap(g, 13));
    }

    /** x[1,4,9,9] → Conv(3x3, stride 2, auto_pad SAME_UPPER, no bias) → y. */
    static OnnxModel convSameUpper() {
        Random rnd = new Random(4);
        GraphProto g = GraphProto.newBuilder().setName("same").addInput(floatInfo("x", 1, 4, 9, 9))
                .addOutput(floatInfo("y"))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, 7, 4, 3, 3)))
                .addNode(NodeProto.newBuilder().setName("c").setOpType("Conv").addInput("x").addInput("W")
                        .addOutput("y").addAttribute(ints("strides", 2, 2))
                        .addAttribute(AttributeProto.newBuilder().setName("auto_pad")
                                .setType(AttributeProto.AttributeType.STRING)
                                .setS(ByteString.copyFromUtf8("SAME_UPPER"))))
                .build();
        return OnnxModel.of(wrap(g, 13));
    }

    /** x[m,k] → Gemm(B, C, transB, alpha, beta) → y, with B [n,k] when transposed and C of the given shape. */
    static OnnxModel gemm(int m, int k, int n, boolean transB, float alpha, float beta, long... cShape) {
        Random rnd = new Random(5);
        GraphProto g = GraphProto.newBuilder().setName("gemm").addInput(floatInfo("x", m, k))
                .addOutput(floatInfo("y", m, n))
                .addInitializer(TensorCodec.encode(transB ? randomFloats("B", rnd, n, k) : randomFloats("B", rnd, k, n)))
                .addInitializer(TensorCodec.encode(randomFloats("C", rnd, cShape)))
                .addNode(NodeProto.newBuilder().setName("g").setOpType("Gemm").addInput("x").addInput("B")
                        .addInput("C").addOutput("y").addAttribute(integer("transB", transB ? 1 : 0))
                        .addAttribute(floatAttr("alpha", alpha)).addAttribute(floatAttr("beta", beta)))
                .build();
        return OnnxModel.of(wrap(g, 13));
    }

    /** x[2,3,k] → MatMul(W[k,n]) → y: a batched activation against a 2-D initializer. */
    static OnnxModel batchedMatMul(int k, int n) {
        Random rnd = new Random(6);
        GraphProto g = GraphProto.newBuilder().setName("mm").addInput(floatInfo("x", 2, 3, k))
                .addOutput(floatInfo("y", 2, 3, n))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, k, n)))
                .addNode(NodeProto.newBuilder().setName("mm").setOpType("MatMul").addInput("x").addInput("W")
                        .addOutput("y"))
                .build();
        return OnnxModel.of(wrap(g, 13));
    }

    /** x[3,k] → MatMul(W) → y where W[k,n] has the given values on a permuted, sign-flipped diagonal. */
    static OnnxModel diagonal(int k, int n, double... values) {
        float[] w = new float[k * n];
        int[] rows = {2, 0, 3, 1};
        int[] cols = {5, 1, 0, 3};
        for (int i = 0; i < values.length; i++) {
            w[rows[i] * n + cols[i]] = (float) (i % 2 == 0 ? values[i] : -values[i]);
        }
        GraphProto g = GraphProto.newBuilder().setName("diag").addInput(floatInfo("x", 3, k))
                .addOutput(floatInfo("y", 3, n))
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("W", new long[] {k, n}, w)))
                .addNode(NodeProto.newBuilder().setName("d").setOpType("MatMul").addInput("x").addInput("W")
                        .addOutput("y"))
                .build();
        return OnnxModel.of(wrap(g, 13));
    }

    static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("3x3 Conv, stride 2, pad 1", TestModels.conv(2, 4, 6, 3, 2, 1, 1, 9, 9, 1), "conv0"),
                Arguments.of("1x1 Conv, C_out > C_in", TestModels.conv(2, 5, 8, 1, 1, 0, 1, 7, 7, 2), "conv0"),
                Arguments.of("Conv1D, dilation 2, asymmetric pads", conv1d(), "c1"),
                Arguments.of("3x3 Conv, auto_pad SAME_UPPER, no bias", convSameUpper(), "c"),
                Arguments.of("Gemm transB=1, alpha 0.7, beta 1.3, C [1,N]", gemm(4, 10, 6, true, 0.7f, 1.3f, 1, 6), "g"),
                Arguments.of("Gemm transB=0, alpha 2, scalar C", gemm(4, 6, 9, false, 2f, 1f), "g"),
                Arguments.of("Gemm with C [N] (mlp fc1)", TestModels.mlp(5, 8, 12, 4, 7), "fc1"),
                Arguments.of("MatMul [K,N] initializer (mlp fc2)", TestModels.mlp(5, 8, 12, 4, 7), "fc2"),
                Arguments.of("MatMul, batched 3-D activation", batchedMatMul(7, 5), "mm"));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static Map<String, Tensor> randomInputs(OnnxModel model, long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Graph.ValueInfo v : Graph.of(model).inputs()) {
            float[] x = new float[(int) Tensor.elementCount(v.dims())];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            in.put(v.name(), Tensor.ofFloats(v.name(), v.dims(), x));
        }
        return in;
    }

    static Tensor run(OnnxModel model, Map<String, Tensor> inputs) {
        try (OrtModel ort = OrtModel.open(model)) {
            return ort.run(inputs).values().iterator().next();
        }
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    static double frobeniusDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    static DMatrixRMaj matrix(Tensor t, int rows) {
        double[] v = t.toDoubles();
        return DMatrixRMaj.wrap(rows, v.length / rows, v);
    }

    static Set<String> initializerNames(OnnxModel m) {
        Set<String> names = new HashSet<>();
        m.proto().getGraph().getInitializerList().forEach(t -> names.add(t.getName()));
        return names;
    }

    static void assertRefused(ErrorCode code, String message, Executable call) {
        OnnxHapException e = assertThrows(OnnxHapException.class, call);
        assertEquals(message, e.getMessage());
        assertEquals(code, e.code());
    }

    // ---- full rank reproduces the layer -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void fullRankReproducesTheOriginalOutputs(String label, OnnxModel model, String node, @TempDir Path dir) {
        int full = LowRankImplant.spectrum(model, node).maxRank();
        LowRankImplant.Result result = LowRankImplant.implant(model, node, full);
        Path file = dir.resolve("implanted.onnx");
        ModelIO.save(result.model(), file);
        OnnxModel loaded = ModelIO.load(file);

        Map<String, Tensor> in = randomInputs(model, 11);
        Tensor expected = run(model, in);
        Tensor actual = run(loaded, in);
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = Math.max(1, maxAbs(expected.floats()));
        for (int i = 0; i < expected.floats().length; i++) {
            assertEquals(expected.floats()[i], actual.floats()[i], 1e-4 * scale, label + " at " + i);
        }
        assertTrue(result.relativeError() < 1e-12, "full rank leaves no discarded singular values");

        // The rewrite: two implant nodes in place of one, the output name kept, the old weight gone.
        Graph g = Graph.of(loaded);
        assertTrue(g.node(node).isEmpty());
        Node a = g.node(node + "/implant_a").orElseThrow();
        Node b = g.node(node + "/implant_b").orElseThrow();
        assertEquals(node + "/implant_a.weight", a.input(1));
        assertEquals(node + "/implant_b.weight", b.input(1));
        Node original = Graph.of(model).node(node).orElseThrow();
        assertEquals(original.input(0), a.input(0));
        assertTrue(g.producer(original.output(0)).isPresent());
        assertFalse(initializerNames(loaded).contains(original.input(1)));
        assertEquals(model.proto().getGraph().getOutputList(), loaded.proto().getGraph().getOutputList());
        assertEquals(model.opsets(), loaded.opsets());
        assertEquals(model.proto().getIrVersion(), loaded.proto().getIrVersion());
    }

    // ---- error falls with rank, and matches Eckart–Young ---------------------------------------------------------

    static Stream<Arguments> randomLayers() {
        return Stream.of(Arguments.of(TestModels.conv(4, 6, 8, 3, 1, 1, 1, 8, 8, 21), "conv0", 8),
                Arguments.of(TestModels.mlp(16, 10, 7, 12, 22), "fc2", 7));
    }

    @ParameterizedTest
    @MethodSource("randomLayers")
    void errorFallsWithRankAndWeightErrorIsEckartYoung(OnnxModel model, String node, int rows) {
        Graph original = Graph.of(model);
        Node layer = original.node(node).orElseThrow();
        DMatrixRMaj w = matrix(original.initializer(layer.input(1)), rows);
        double[] sigma = LowRankImplant.singularValues(model, node);
        double normSquared = 0;
        for (double s : sigma) {
            normSquared += s * s;
        }
        assertEquals(CommonOps_DDRM.elementSumAbs(CommonOps_DDRM.elementMult(w, w, null)), normSquared,
                1e-9 * normSquared, "Σσ² = ‖W‖_F²");

        Map<String, Tensor> in = randomInputs(model, 12);
        float[] reference = run(model, in).floats();
        double previous = Double.POSITIVE_INFINITY;
        for (int r = 1; r <= sigma.length; r++) {
            LowRankImplant.Result result = LowRankImplant.implant(model, node, r);
            Tensor y = run(result.model(), in);
            assertArrayEquals(run(model, in).shape(), y.shape());
            double outputError = frobeniusDiff(reference, y.floats());
            assertTrue(outputError < previous, "output error at rank " + r + ": " + outputError + " ≥ " + previous);
            previous = outputError;

            // W_r rebuilt from the implant's own initializers: Conv = b[C_out, r]·a[r, n], MatMul = a[K, r]·b[r, N].
            Graph g = Graph.of(result.model());
            Tensor a = g.initializer(node + "/implant_a.weight");
            Tensor b = g.initializer(node + "/implant_b.weight");
            DMatrixRMaj wr = layer.opType().equals("Conv")
                    ? CommonOps_DDRM.mult(matrix(b, rows), matrix(a, r), null)
                    : CommonOps_DDRM.mult(matrix(a, rows), matrix(b, r), null);
            double actual = Math.sqrt(CommonOps_DDRM.elementSumAbs(
                    CommonOps_DDRM.elementMult(CommonOps_DDRM.subtract(w, wr, null),
                            CommonOps_DDRM.subtract(w, wr, null), null))) / Math.sqrt(normSquared);
            double tail = 0;
            for (int i = r; i < sigma.length; i++) {
                tail += sigma[i] * sigma[i];
            }
            double closedForm = Math.sqrt(tail / normSquared);
            assertEquals(closedForm, result.relativeError(), 1e-12);
            if (r < sigma.length) {
                assertEquals(closedForm, actual, 1e-5 * closedForm, "rank " + r);
            } else {
                assertTrue(actual < 1e-6, "full rank reproduces W up to float rounding: " + actual);
            }
        }
    }

    // ---- parameter counts and rank selection ---------------------------------------------------------------------

    @Test
    void convImplantParamsFollowTheClosedForm() {
        OnnxModel model = TestModels.conv(1, 4, 6, 3, 1, 1, 1, 8, 8, 31);
        long before = CostModel.parameterCount(Graph.of(model));
        for (int r = 1; r <= 6; r++) {
            long expected = r * (4 * 3 * 3 + 6) + 6L;
            assertEquals(expected, LowRankImplant.implantParams(model, "conv0", r));
            LowRankImplant.Result result = LowRankImplant.implant(model, "conv0", r);
            assertEquals(expected, result.paramsAfter());
            assertEquals(6 * 4 * 3 * 3 + 6L, result.paramsBefore());
            assertEquals(before - result.paramsBefore() + expected, CostModel.parameterCount(Graph.of(result.model())),
                    "the model's parameter count changes by exactly the implant's");
            assertEquals(r <= 5, result.savesParameters(), "rank " + r);
        }
    }

    @Test
    void matMulImplantParamsFollowTheClosedForm() {
        OnnxModel model = TestModels.mlp(2, 8, 16, 4, 32);
        long before = CostModel.parameterCount(Graph.of(model));
        for (int r = 1; r <= 4; r++) {
            assertEquals(r * (16 + 4), LowRankImplant.implantParams(model, "fc2", r));
            OnnxModel implanted = LowRankImplant.apply(model, "fc2", r);
            assertEquals(before - 16 * 4 + r * (16 + 4), CostModel.parameterCount(Graph.of(implanted)));
        }
        assertTrue(LowRankImplant.implant(model, "fc2", 3).savesParameters(), "60 < 64");
        assertFalse(LowRankImplant.implant(model, "fc2", 4).savesParameters(), "80 > 64");
    }

    @Test
    void ranksForBudgetAndEnergyOnKnownSingularValues() {
        // W [4, 6] with ±4, ±3, ±2, ±1 scattered on a permuted diagonal: σ = 4, 3, 2, 1; Σσ² = 30.
        OnnxModel model = diagonal(4, 6, 3, 1, 4, 2);
        assertArrayEquals(new double[] {4, 3, 2, 1}, LowRankImplant.singularValues(model, "d"), 1e-12);

        assertEquals(1, LowRankImplant.rankForEnergy(model, "d", 0.5));    // 16/30 = 0.53
        assertEquals(2, LowRankImplant.rankForEnergy(model, "d", 0.8));    // 25/30 = 0.83
        assertEquals(3, LowRankImplant.rankForEnergy(model, "d", 0.9));    // 29/30 = 0.97
        assertEquals(4, LowRankImplant.rankForEnergy(model, "d", 0.99));
        assertEquals(4, LowRankImplant.rankForEnergy(model, "d", 1.0));

        // Factors cost r·(4 + 6) against 24 weights.
        assertEquals(1, LowRankImplant.rankForBudget(model, "d", 0.1), "at least 1 even over budget");
        assertEquals(1, LowRankImplant.rankForBudget(model, "d", 0.5));    // 12 → 1
        assertEquals(2, LowRankImplant.rankForBudget(model, "d", 0.84));   // 20.16 → 2
        assertEquals(2, LowRankImplant.rankForBudget(model, "d", 1.0));    // 24 → 2
        assertEquals(4, LowRankImplant.rankForBudget(model, "d", 2.0), "capped at min(m, n)");

        LowRankSpectrum spectrum = LowRankImplant.spectrum(model, "d");
        assertEquals(Math.sqrt(5.0 / 30), spectrum.relativeError(2), 1e-12);
        assertEquals(24, spectrum.originalParams());
        assertEquals(30, spectrum.implantParams(3));
    }

    @Test
    void rankOneOfADiagonalKeepsTheLargestEntry() {
        OnnxModel implanted = LowRankImplant.apply(diagonal(4, 6, 3, 1, 4, 2), "d", 1);
        Graph g = Graph.of(implanted);
        DMatrixRMaj wr = CommonOps_DDRM.mult(matrix(g.initializer("d/implant_a.weight"), 4),
                matrix(g.initializer("d/implant_b.weight"), 1), null);
        // σ = 4 sits at row 3, column 0 (index 2 of the placement, sign +).
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(i == 3 && j == 0 ? 4 : 0, wr.get(i, j), 1e-6, "(" + i + ", " + j + ")");
            }
        }
    }

    // ---- names, metadata and sharing -----------------------------------------------------------------------------

    @Test
    void newNamesAvoidExistingOnesAndEverythingElseIsKept() {
        ModelProto mlp = TestModels.mlp(3, 6, 5, 4, 41).proto();
        GraphProto g = mlp.getGraph();
        // A Relu that already took the names the implant would pick.
        GraphProto taken = g.toBuilder()
                .setNode(1, g.getNode(1).toBuilder().setName("fc2/implant_a").setOutput(0, "fc2/implant_b.weight"))
                .setNode(2, g.getNode(2).toBuilder().setInput(0, "fc2/implant_b.weight"))
                .build();
        ModelProto proto = mlp.toBuilder().setGraph(taken).setDocString("kept")
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("tests")).build();
        OnnxModel model = OnnxModel.of(proto);
        OnnxModel implanted = LowRankImplant.apply(model, "fc2", 2);

        Graph out = Graph.of(implanted);
        assertEquals(List.of("fc1", "fc2/implant_a", "fc2/implant_a_1", "fc2/implant_b"),
                out.nodes().stream().map(Node::name).toList());
        assertEquals("fc2/implant_a_1.weight", out.node("fc2/implant_a_1").orElseThrow().input(1));
        assertEquals("fc2/implant_b.weight_1", out.node("fc2/implant_b").orElseThrow().input(1));
        assertEquals(proto.getMetadataPropsList(), implanted.proto().getMetadataPropsList());
        assertEquals("kept", implanted.proto().getDocString());
        assertEquals(proto.getProducerName(), implanted.proto().getProducerName());
        Map<String, Tensor> in = randomInputs(model, 42);
        assertArrayEquals(run(model, in).shape(), run(implanted, in).shape());
    }

    @Test
    void gemmBiasScaledByBetaReplacesTheOriginal() {
        OnnxModel model = gemm(3, 5, 4, false, 1f, 0.5f, 4);
        OnnxModel implanted = LowRankImplant.apply(model, "g", 2);
        Set<String> names = initializerNames(implanted);
        assertEquals(Set.of("g/implant_a.weight", "g/implant_b.weight", "g/implant_bias"), names);
        float[] c = Graph.of(model).initializer("C").floats();
        float[] scaled = Graph.of(implanted).initializer("g/implant_bias").floats();
        for (int i = 0; i < c.length; i++) {
            assertEquals(0.5f * c[i], scaled[i], 0f);
        }
    }

    // ---- refusals ------------------------------------------------------------------------------------------------

    @Test
    void refusalsNameTheNodeAndTheReason() {
        String prefix = "node '%s' cannot take a low-rank implant: ";
        assertRefused(ErrorCode.MODEL_NOT_SUPPORTED, prefix.formatted("conv0") + "it is a grouped Conv (group=2)",
                () -> LowRankImplant.apply(TestModels.conv(1, 4, 8, 3, 1, 1, 2, 6, 6, 1), "conv0", 1));
        assertRefused(ErrorCode.MODEL_NOT_SUPPORTED, prefix.formatted("conv0") + "it is a grouped Conv (group=4)",
                () -> LowRankImplant.apply(TestModels.conv(1, 4, 4, 3, 1, 1, 4, 6, 6, 1), "conv0", 1));
        assertRefused(ErrorCode.MODEL_NOT_SUPPORTED, prefix.formatted("act")
                        + "it is a Relu (only Conv, Gemm and MatMul can)",
                () -> LowRankImplant.apply(TestModels.mlp(2, 4, 4, 4, 1), "act", 1));

        OnnxModel transA = withNode(TestModels.mlp(2, 4, 4, 4, 1), 0,
                n -> n.addAttribute(integer("transA", 1)));
        assertRefused(ErrorCode.MODEL_NOT_SUPPORTED, prefix.formatted("fc1") + "it is a Gemm with transA=1",
                () -> LowRankImplant.apply(transA, "fc1", 1));

        OnnxModel shared = withNode(TestModels.mlp(2, 4, 4, 4, 1), 2, n -> n.setInput(1, "W"));
        assertRefused(ErrorCode.MODEL_NOT_SUPPORTED, prefix.formatted("fc1") + "its weight 'W' is shared with node 'fc2'",
                () -> LowRankImplant.apply(shared, "fc1", 1));

        ModelProto p = TestModels.mlp(2, 4, 4, 4, 1).proto();
        OnnxModel dynamic = OnnxModel.of(p.toBuilder().setGraph(p.getGraph().toBuilder()
                .addInput(floatInfo("Vin", 4, 4)).setNode(2, p.getGraph().getNode(2).toBuilder().setInput(1, "Vin")))
                .build());
        assertRefused(ErrorCode.MODEL_NOT_SUPPORTED, prefix.formatted("fc2") + "its weight 'Vin' is not an initializer",
                () -> LowRankImplant.apply(dynamic, "fc2", 1));

        OnnxModel model = TestModels.conv(1, 4, 6, 3, 1, 1, 1, 6, 6, 1);
        assertRefused(ErrorCode.USAGE, "node 'conv0': rank 0 is outside 1..6 for its [6 x 36] weight",
                () -> LowRankImplant.apply(model, "conv0", 0));
        assertRefused(ErrorCode.USAGE, "node 'conv0': rank 7 is outside 1..6 for its [6 x 36] weight",
                () -> LowRankImplant.apply(model, "conv0", 7));
        assertRefused(ErrorCode.USAGE, "no node named 'nope' in the model",
                () -> LowRankImplant.apply(model, "nope", 1));
        assertRefused(ErrorCode.USAGE, "energy must be in (0, 1], got 1.5",
                () -> LowRankImplant.rankForEnergy(model, "conv0", 1.5));
        assertRefused(ErrorCode.USAGE, "parameter fraction must be a positive number, got 0.0",
                () -> LowRankImplant.rankForBudget(model, "conv0", 0));
    }

    static OnnxModel withNode(OnnxModel model, int index, UnaryOperator<NodeProto.Builder> edit) {
        GraphProto g = model.proto().getGraph();
        return model.withProto(model.proto().toBuilder()
                .setGraph(g.toBuilder().setNode(index, edit.apply(g.getNode(index).toBuilder()))).build());
    }
}
