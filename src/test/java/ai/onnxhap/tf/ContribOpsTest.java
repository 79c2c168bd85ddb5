package ai.onnxhap.tf;

import static ai.onnxhap.testing.TestModels.integer;
import static ai.onnxhap.tf.TinyGraph.f;
import static ai.onnxhap.tf.TinyGraph.in;
import static ai.onnxhap.tf.TransformerLayoutOpsTest.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ONNX Runtime's contrib ops (com.microsoft), one tiny graph each: the TF translation computes what ONNX Runtime
 * computes, takes exact Hessian-vector products and trains (see {@link TransformerLayoutOpsTest#verify}); the
 * committed ort_* layouts translate and match ORT end to end.
 */
class ContribOpsTest {
    static final String MS = OpHandlers.MICROSOFT;
    static final long OPSET = 17;
    static final long B = 3;
    static final long S = 4;
    static final long E = 8;
    static final long H = 2;

    record Case(String name, Supplier<TinyGraph.Built> build) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("Attention, mask_index lengths [B]", () -> attention(lengths(), 0)),
                new Case("Attention, key mask [B, S]", () -> attention(keyMask(), 0)),
                new Case("Attention, unidirectional, no mask", () -> attention(null, 1)),
                new Case("MultiHeadAttention, key_padding_mask [B, S]", ContribOpsTest::multiHeadAttention),
                new Case("GroupQueryAttention 4/2 heads", () -> groupQueryAttention(new long[] {S - 1, S - 1, S - 1})),
                new Case("SkipLayerNormalization", () -> skipNorm(false)),
                new Case("SkipSimplifiedLayerNormalization", () -> skipNorm(true)),
                new Case("SimplifiedLayerNormalization (ONNX domain, as ORT registers it)",
                        () -> simplifiedNorm("")),
                new Case("FastGelu with bias", () -> gelu("FastGelu", true)),
                new Case("FastGelu", () -> gelu("FastGelu", false)),
                new Case("BiasGelu", () -> gelu("BiasGelu", true)),
                new Case("Gelu (com.microsoft)", () -> gelu("Gelu", false)),
                new Case("EmbedLayerNormalization into Attention", ContribOpsTest::embedLayerNorm))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void translatesMatchesOrtGetsExactHessianProductsAndTrains(Case c) {
        TransformerLayoutOpsTest.verify(c.name(), c.build().get(), 5);
    }

    // ---- graphs ---------------------------------------------------------------------------------------------

    /** A mask input and its value: the graph input's name is "mask". */
    record Mask(long[] dims, long[] values) {
    }

    /** Right-padding lengths: row 0 sees every key, rows 1 and 2 fewer. */
    static Mask lengths() {
        return new Mask(new long[] {B}, new long[] {S, S - 1, 2});
    }

    /** 1 = keep; each row keeps at least one key (a fully masked row leaves only ORT's −10000 filter). */
    static Mask keyMask() {
        return new Mask(new long[] {B, S}, new long[] {1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0});
    }

    /** x [B, S, E] through a MatMul (so the op's inputs depend on weights), as the float input "x". */
    static String projectedInput(TinyGraph g, Map<String, Tensor> inputs) {
        String x = g.input("x", DataType.FLOAT, "batch", S, E);
        inputs.put("x", floats("x", new Random(1), B, S, E));
        return g.op("MatMul", in(x, g.weight("proj", 0.4, E, E)));
    }

    static String maskInput(TinyGraph g, Map<String, Tensor> inputs, Mask m) {
        Object[] dims = m.dims().length == 1 ? new Object[] {"batch"} : new Object[] {"batch", S};
        inputs.put("mask", Tensor.ofLongs("mask", DataType.INT32, m.dims(), m.values()));
        return g.input("mask", DataType.INT32, dims);
    }

    static TinyGraph.Built attention(Mask mask, long unidirectional) {
        TinyGraph g = new TinyGraph(31);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        String x = projectedInput(g, inputs);
        String m = mask == null ? "" : maskInput(g, inputs, mask);
        String a = g.node(MS, "Attention", 1, in(x, g.weight("qkv.weight", 0.4, E, 3 * E),
                g.weight("qkv.bias", 0.1, 3 * E), m), integer("num_heads", H),
                integer("unidirectional", unidirectional))[0];
        g.output(g.op("MatMul", in(a, g.weight("out", 0.4, E, E))), DataType.FLOAT);
        return g.built(OPSET, inputs, MS);
    }

    static TinyGraph.Built multiHeadAttention() {
        TinyGraph g = new TinyGraph(32);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        String x = projectedInput(g, inputs);
        String q = g.op("MatMul", in(x, g.weight("q", 0.4, E, E)));
        String k = g.op("MatMul", in(x, g.weight("k", 0.4, E, E)));
        String v = g.op("MatMul", in(x, g.weight("v", 0.4, E, E)));
        String a = g.node(MS, "MultiHeadAttention", 1, in(q, k, v, g.weight("qkv.bias", 0.1, 3 * E),
                maskInput(g, inputs, keyMask())), integer("num_heads", H))[0];
        g.output(a, DataType.FLOAT);
        return g.built(OPSET, inputs, MS);
    }

    /** Query heads 4, key/value heads 2 of size 8 (ORT's CPU kernel wants multiples of 8); seqlens_k = length − 1. */
    static TinyGraph.Built groupQueryAttention(long[] seqlensK) {
        TinyGraph g = new TinyGraph(33);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        String x = projectedInput(g, inputs);
        long heads = 4;
        long kv = 2;
        long d = 8;
        String q = g.op("MatMul", in(x, g.weight("q", 0.4, E, heads * d)));
        String k = g.op("MatMul", in(x, g.weight("k", 0.4, E, kv * d)));
        String v = g.op("MatMul", in(x, g.weight("v", 0.4, E, kv * d)));
        inputs.put("seqlens_k", Tensor.ofLongs("seqlens_k", DataType.INT32, new long[] {B}, seqlensK));
        String lens = g.input("seqlens_k", DataType.INT32, "batch");
        String total = g.constant(Tensor.ofLongs("total", DataType.INT32, new long[0], new long[] {S}));
        String[] outs = g.node(MS, "GroupQueryAttention", 3, in(q, k, v, "", "", lens, total),
                integer("num_heads", heads), integer("kv_num_heads", kv));
        g.output(g.op("MatMul", in(outs[0], g.weight("o", 0.4, heads * d, E))), DataType.FLOAT);
        return g.built(OPSET, inputs, MS);
    }

    /** The normalized output plus the input + skip + bias sum (output 3), so both are compared. */
    static TinyGraph.Built skipNorm(boolean simplified) {
        TinyGraph g = new TinyGraph(34);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        String x = projectedInput(g, inputs);
        String skip = g.input("skip", DataType.FLOAT, "batch", S, E);
        inputs.put("skip", floats("skip", new Random(2), B, S, E));
        String gamma = g.weight("gamma", 0.5, E);
        String bias = g.weight("bias", 0.2, E);
        String[] ins = simplified ? in(x, skip, gamma, bias) : in(x, skip, gamma, g.weight("beta", 0.2, E), bias);
        String[] outs = g.node(MS, simplified ? "SkipSimplifiedLayerNormalization" : "SkipLayerNormalization", 4, ins,
                f("epsilon", 1e-6f));
        String y = g.op("Add", in(g.op("MatMul", in(outs[0], g.weight("out", 0.4, E, E))), outs[3]));
        g.output(y, DataType.FLOAT);
        return g.built(OPSET, inputs, MS);
    }

    static TinyGraph.Built simplifiedNorm(String domain) {
        TinyGraph g = new TinyGraph(35);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        String x = projectedInput(g, inputs);
        String y = g.node(domain, "SimplifiedLayerNormalization", 1, in(x, g.weight("scale", 0.5, E)),
                f("epsilon", 1e-6f), integer("axis", -1))[0];
        g.output(g.op("MatMul", in(y, g.weight("out", 0.4, E, E))), DataType.FLOAT);
        return g.built(OPSET, inputs, MS);
    }

    static TinyGraph.Built gelu(String op, boolean bias) {
        TinyGraph g = new TinyGraph(36);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        String x = projectedInput(g, inputs);
        String[] ins = bias ? in(x, g.weight("bias", 0.3, E)) : in(x);
        String y = g.node(MS, op, 1, ins)[0];
        g.output(g.op("MatMul", in(y, g.weight("out", 0.4, E, E))), DataType.FLOAT);
        return g.built(OPSET, inputs, MS);
    }

    /** Word/position/segment embeddings, mask → mask_index read by an Attention, as ORT's BERT fusion leaves it. */
    static TinyGraph.Built embedLayerNorm() {
        TinyGraph g = new TinyGraph(37);
        long vocab = 11;
        Random rnd = new Random(3);
        long[] ids = new long[(int) (B * S)];
        long[] segments = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt((int) vocab);
            segments[i] = i % S >= S / 2 ? 1 : 0;
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("input_ids", Tensor.ofLongs("input_ids", DataType.INT32, new long[] {B, S}, ids));
        inputs.put("segment_ids", Tensor.ofLongs("segment_ids", DataType.INT32, new long[] {B, S}, segments));
        String idsIn = g.input("input_ids", DataType.INT32, "batch", S);
        String segIn = g.input("segment_ids", DataType.INT32, "batch", S);
        String mask = maskInput(g, inputs, keyMask());
        String[] outs = g.node(MS, "EmbedLayerNormalization", 2, in(idsIn, segIn, g.weight("word", 0.5, vocab, E),
                g.weight("position", 0.5, S, E), g.weight("segment", 0.5, 2, E), g.weight("gamma", 0.5, E),
                g.weight("beta", 0.2, E), mask), f("epsilon", 1e-6f));
        String a = g.node(MS, "Attention", 1, in(outs[0], g.weight("qkv.weight", 0.4, E, 3 * E),
                g.weight("qkv.bias", 0.1, 3 * E), outs[1]), integer("num_heads", H))[0];
        g.output(g.op("Add", in(a, outs[0])), DataType.FLOAT);
        g.output(outs[1], DataType.INT32);
        return g.built(OPSET, inputs, MS);
    }

    @Test
    void embedLayerNormalizationCountsMaskOnesPerRow() {
        TinyGraph.Built built = embedLayerNorm();
        String maskIndex = built.model().proto().getGraph().getOutput(1).getName();
        try (TfModel tf = TfModel.build(built.model()); OrtModel ort = OrtModel.open(built.model())) {
            Tensor got = tf.run(built.inputs()).get(maskIndex);
            assertArrayEquals(new long[] {4, 2, 2}, got.toLongs());
            assertArrayEquals(ort.run(built.inputs()).get(maskIndex).toLongs(), got.toLongs());
        }
    }

    /**
     * Rows shorter than the prompt (seqlens_k[b] + 1 < S): ORT's CPU kernel leaves the query positions past a row's
     * length undefined (its softmax reads scores it never computed), so only the positions within each row are
     * compared; there keys past the row's length must be hidden.
     */
    @Test
    void groupQueryAttentionHidesKeysPastEachRowsLength() {
        long[] seqlensK = {S - 1, S - 2, 1};
        TinyGraph.Built built = groupQueryAttention(seqlensK);
        String out = built.model().proto().getGraph().getOutput(0).getName();
        try (TfModel tf = TfModel.build(built.model()); OrtModel ort = OrtModel.open(built.model())) {
            double[] want = ort.run(built.inputs()).get(out).toDoubles();
            double[] got = tf.run(built.inputs()).get(out).toDoubles();
            double scale = 1e-3;
            double diff = 0;
            for (int b = 0; b < B; b++) {
                for (int t = 0; t <= seqlensK[b]; t++) {
                    for (int e = 0; e < E; e++) {
                        int i = (int) ((b * S + t) * E + e);
                        scale = Math.max(scale, Math.abs(want[i]));
                        diff = Math.max(diff, Math.abs(want[i] - got[i]));
                    }
                }
            }
            assertTrue(diff <= 1e-4 * scale, "max |TF - ORT| within rows = " + diff + " at scale " + scale);
        }
    }

    @Test
    void refusesPastStateNamingTheNode() {
        TinyGraph g = new TinyGraph(38);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        String x = projectedInput(g, inputs);
        String past = g.input("past", DataType.FLOAT, 2L, "batch", H, 0L, E / H);
        String a = g.node(MS, "Attention", 1, in(x, g.weight("w", 0.4, E, 3 * E), g.weight("b", 0.1, 3 * E), "", past),
                integer("num_heads", H))[0];
        g.output(a, DataType.FLOAT);
        OnnxModel model = g.model(OPSET, MS);
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> TfModel.build(model).close());
        assertTrue(e.getMessage().contains("(Attention)") && e.getMessage().contains("past"), e.getMessage());
    }

    @Test
    void contribOpsAreLookedUpInTheirOwnDomainAndOpset() {
        OpHandlers h = OpHandlers.standard();
        assertTrue(h.find(MS, "FastGelu", 1).isPresent());
        assertTrue(h.find("", "FastGelu", OPSET).isEmpty(), "FastGelu is not an ONNX op");
        assertTrue(h.find(MS, "FastGelu", 2).isEmpty(), "no com.microsoft opset 2 semantics are known");
        assertTrue(h.find(MS, "MatMul", 1).isEmpty(), "MatMul is not a contrib op");
        // ORT 1.22 registers SimplifiedLayerNormalization in the ONNX domain only; com.microsoft does not load
        assertTrue(h.find("", "SimplifiedLayerNormalization", OPSET).isPresent());
        assertEquals(List.of("Attention", "BiasGelu", "EmbedLayerNormalization", "FastGelu", "Gelu",
                "GroupQueryAttention", "MultiHeadAttention", "SkipLayerNormalization",
                "SkipSimplifiedLayerNormalization"),
                h.supportMatrix(MS).stream().map(OpHandlers.OpSupport::op).toList());
    }

    // ---- the committed ORT-optimizer layouts -----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ort_attention_op17, layer0.attn.qkv.weight", "ort_embed_ln_op17, word_embeddings",
        "ort_mha_op17, layer0.attn.qkv.bias", "ort_gqa_op17, layers.0.post_attention_layernorm.weight"})
    void ortLayoutsTranslateAndMatchOrt(String name, String contribWeight) throws Exception {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve("layouts").resolve(name + ".onnx"));
        Map<String, Tensor> inputs = layoutInputs(model, new Random(name.hashCode()));
        try (TfModel tf = TfModel.build(model); OrtModel ort = OrtModel.open(model)) {
            Tensor want = ort.run(inputs).get("logits");
            Tensor got = tf.run(inputs).get("logits");
            assertArrayEquals(want.shape(), got.shape());
            double diff = TfTesting.maxAbsDiff(want, got);
            double scale = Math.max(TfTesting.maxAbs(want), 1e-3);
            System.out.printf("%s: max |TF - ORT| = %.3g at scale %.3g, %d trainable parameters%n", name, diff,
                    scale, tf.trainableParameters().size());
            assertTrue(diff <= 1e-4 * scale, name + ": max |TF - ORT| = " + diff + " at scale " + scale);
            assertTrue(tf.trainableParameters().contains(contribWeight), contribWeight + " is trainable");
        }
    }

    /** Batch 3 of realistic inputs: token ids within the vocabulary (48), segment ids 0/1, right-padded masks. */
    static Map<String, Tensor> layoutInputs(OnnxModel model, Random rnd) {
        long seq = 16;
        long[] lengths = {seq, seq - 3, 5};
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var in : ai.onnxhap.graph.Graph.of(model).inputs()) {
            long[] dims = in.dims().clone();
            dims[0] = B;
            long[] v = new long[(int) Tensor.elementCount(dims)];
            switch (in.name()) {
                case "input" -> {
                    out.put(in.name(), floats(in.name(), rnd, dims));
                    continue;
                }
                case "attention_mask" -> {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = i % seq < lengths[(int) (i / seq)] ? 1 : 0;
                    }
                }
                case "segment_ids" -> {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = i % seq >= seq / 2 ? 1 : 0;
                    }
                }
                default -> {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = rnd.nextInt(48);
                    }
                }
            }
            out.put(in.name(), Tensor.ofLongs(in.name(), in.type(), dims, v));
        }
        return out;
    }
}
