package ai.onnxhap.tf;

import static ai.onnxhap.testing.TestModels.integer;
import static ai.onnxhap.testing.TestModels.ints;
import static ai.onnxhap.tf.TinyGraph.f;
import static ai.onnxhap.tf.TinyGraph.in;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.score.HutchinsonTrace;
import ai.onnxhap.score.HutchinsonTrace.Route;
import ai.onnxhap.tf.train.FineTune;
import ai.onnxhap.tf.train.Loss;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.tf.train.Trainer;
import ai.onnxhap.validate.OrtModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One tiny block per transformer layout that users export (torch.onnx at opsets 14 and 17), written with the ops
 * and the op patterns of those exports: each must translate to TF and compute what ONNX Runtime computes, get
 * exact Hessian-vector products (not the central-difference fallback) that agree with central differences of
 * gradients, and train.
 */
class TransformerLayoutOpsTest {
    static final long S = 4;
    static final long E = 8;
    static final long H = 2;
    static final long D = E / H;
    static final long VOCAB = 11;
    static final int BATCH = 3;

    record Layout(String name, LongFunction<TinyGraph.Built> build) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> layouts() {
        List<Layout> all = List.of(
                new Layout("llama", TransformerLayoutOpsTest::llama),
                new Layout("gpt2", TransformerLayoutOpsTest::gpt2),
                new Layout("bert", TransformerLayoutOpsTest::bert),
                new Layout("timm-vit", TransformerLayoutOpsTest::vit),
                new Layout("nn.MultiheadAttention", TransformerLayoutOpsTest::multiheadAttention));
        return all.stream().flatMap(l -> Stream.of(Arguments.of(l, 14L), Arguments.of(l, 17L)));
    }

    @ParameterizedTest(name = "{0} at opset {1}")
    @MethodSource("layouts")
    void translatesMatchesOrtGetsExactHessianProductsAndTrains(Layout layout, long opset) {
        verify(layout + " opset " + opset, layout.build().apply(opset), opset);
    }

    /**
     * The checks every tiny graph goes through: each node has a translation in its domain, the first output
     * equals ONNX Runtime's within 1e-4 relative, Hessian-vector products are exact and agree with central
     * differences of gradients, and five Adam steps lower the loss on one batch.
     */
    static void verify(String label, TinyGraph.Built built, long seed) {
        OnnxModel model = built.model();
        Graph onnx = Graph.of(model);
        for (Node n : onnx.nodes()) {
            long opset = onnx.opset(n.domain());
            assertTrue(OpHandlers.standard().find(n.domain(), n.opType(), opset).isPresent(),
                    n.domain() + " " + n.opType() + " at " + opset);
        }
        String out = onnx.outputs().get(0).name();
        Map<String, Tensor> inputs = built.inputs();
        Tensor want;
        try (OrtModel ort = OrtModel.open(model)) {
            want = ort.run(inputs).get(out);
        }
        Tensor target = randomLike("target", want, new Random(seed));
        DataSet data = DataSet.of(inputs);

        float[][] v;
        float[][] exact;
        List<String> weights;
        try (TfModel tf = TfModel.build(model)) {
            Tensor got = tf.run(inputs).get(out);
            assertArrayEquals(want.shape(), got.shape(), "output shape");
            double scale = Math.max(TfTesting.maxAbs(want), 1e-3);
            double diff = TfTesting.maxAbsDiff(want, got);
            assertTrue(diff <= 1e-4 * scale, "max |TF - ORT| = " + diff + " at scale " + scale);

            HutchinsonTrace trace = new HutchinsonTrace(FineTune.trainable(tf), out, Loss.MSE, 1.0,
                    sliceAxes(tf));
            assertEquals(Route.EXACT, trace.route(), () -> trace.whyNotExact().orElse(""));
            weights = trace.weights();
            v = rademacher(tf, weights, new Random(7));
            exact = trace.hessianVectorProduct(v, data, target, data.size(), 0);
            assertEquals(Route.EXACT, trace.route(), () -> "at run time: " + trace.whyNotExact().orElse(""));
        }
        float[][] numeric;
        try (TfModel tf = TfModel.build(model)) {
            HutchinsonTrace trace = new HutchinsonTrace(FineTune.trainable(tf), out, Loss.MSE, 1.0, sliceAxes(tf),
                    Route.FINITE_DIFFERENCE);
            assertEquals(weights, trace.weights());
            float[][] coarse = trace.hessianVectorProduct(v, data, target, data.size(), FD_STEP);
            float[][] fine = trace.hessianVectorProduct(v, data, target, data.size(), FD_STEP / 2);
            numeric = new float[v.length][];
            for (int k = 0; k < v.length; k++) {
                numeric[k] = new float[v[k].length];
                for (int i = 0; i < v[k].length; i++) {
                    numeric[k][i] = (4 * fine[k][i] - coarse[k][i]) / 3;
                }
            }
            // Central differences converge to the exact product at second order: halving ε quarters the gap.
            double convergence = relDiff(exact, coarse) / relDiff(exact, fine);
            assertTrue(convergence > 3 && convergence < 5, "gap ratio at ε and ε/2: " + convergence);
        }
        double vHv = 0;
        double vHvNumeric = 0;
        double err = 0;
        double norm = 0;
        for (int k = 0; k < v.length; k++) {
            for (int i = 0; i < v[k].length; i++) {
                vHv += v[k][i] * exact[k][i];
                vHvNumeric += v[k][i] * numeric[k][i];
                err += Math.pow(exact[k][i] - numeric[k][i], 2);
                norm += Math.pow(numeric[k][i], 2);
            }
        }
        double relative = Math.sqrt(err / norm);
        System.out.printf("%s: v.Hv exact %.6g, central differences %.6g; |Hv - Hv_fd| / |Hv_fd| = %.2e%n",
                label, vHv, vHvNumeric, relative);
        assertTrue(norm > 0, "the Hessian-vector product is not zero");
        assertTrue(relative <= HVP_TOL, "Hv relative error " + relative);
        assertEquals(vHvNumeric, vHv, HVP_TOL * Math.abs(vHvNumeric), "v.Hv");

        try (TfModel tf = TfModel.build(model)) {
            TrainConfig config = new TrainConfig(1, BATCH, 1e-2, TrainConfig.Optimizer.ADAM, 0.9, 0,
                    TrainConfig.Schedule.CONSTANT, 1, 0.1, 1.0, 3);
            Trainer trainer = new Trainer(FineTune.trainable(tf), out, Loss.MSE, config, Map.of(), Set.of());
            double before = trainer.evaluate(data, target);
            for (int step = 0; step < 5; step++) {
                trainer.step(data, target, 1e-2);
            }
            double after = trainer.evaluate(data, target);
            assertTrue(after < before, "five Adam steps on one batch lower its loss: " + before + " → " + after);
            assertEquals(Set.copyOf(weights), Set.copyOf(trainer.trainedParameters()));
        }
    }

    /**
     * Central-difference step; the reference is Richardson's extrapolation (4·D(ε/2) − D(ε))/3 of the float32
     * difference quotients D, whose O(ε²) truncation error cancels. What remains is O(ε⁴) (~1e-6 relative) and
     * the rounding of float32 gradients over the step, u·|∇L|/ε ≈ 6e-8 / 5e-3 ≈ 1e-5 relative (measured: at most
     * 1e-4, in BERT, whose gradients are large beside Hv). A second-order gradient that drops or mis-signs a
     * term moves Hv by far more than the 1e-3 allowed.
     */
    static final double FD_STEP = 1e-2;
    static final double HVP_TOL = 1e-3;

    static double relDiff(float[][] a, float[][] b) {
        double e = 0;
        double n = 0;
        for (int k = 0; k < a.length; k++) {
            for (int i = 0; i < a[k].length; i++) {
                e += Math.pow(a[k][i] - b[k][i], 2);
                n += Math.pow(b[k][i], 2);
            }
        }
        return Math.sqrt(e / n);
    }

    static Map<String, Integer> sliceAxes(TfModel tf) {
        Map<String, Integer> axes = new LinkedHashMap<>();
        tf.trainableParameters().forEach(p -> axes.put(p, 0));
        return axes;
    }

    static float[][] rademacher(TfModel tf, List<String> weights, Random rnd) {
        float[][] v = new float[weights.size()][];
        for (int k = 0; k < v.length; k++) {
            v[k] = new float[(int) Tensor.elementCount(tf.parameters().get(weights.get(k)).shape())];
            for (int i = 0; i < v[k].length; i++) {
                v[k][i] = rnd.nextBoolean() ? 1 : -1;
            }
        }
        return v;
    }

    static Tensor randomLike(String name, Tensor like, Random rnd) {
        float[] v = new float[(int) like.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return Tensor.ofFloats(name, like.shape(), v);
    }

    static Tensor floats(String name, Random rnd, long... dims) {
        return randomLike(name, Tensor.ofFloats(name, dims, new float[(int) Tensor.elementCount(dims)]), rnd);
    }

    static Tensor tokens(String name, Random rnd, long batch, long seq) {
        long[] ids = new long[(int) (batch * seq)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt((int) VOCAB);
        }
        return Tensor.ofLongs(name, new long[] {batch, seq}, ids);
    }

    // ---- shared pieces --------------------------------------------------------------------------------------

    /** LayerNormalization at opset 17; below, the ReduceMean/Sub/Pow/Sqrt/Div decomposition torch writes. */
    static String layerNorm(TinyGraph g, String x, long opset, String name) {
        String gamma = g.weight(name + ".weight", 0.2, E);
        String beta = g.weight(name + ".bias", 0.2, E);
        if (opset >= 17) {
            return g.op("LayerNormalization", in(x, gamma, beta), integer("axis", -1), f("epsilon", 1e-5f));
        }
        String mean = g.op("ReduceMean", x, ints("axes", -1), integer("keepdims", 1));
        String centred = g.op("Sub", in(x, mean));
        String var = g.op("ReduceMean", g.op("Pow", in(centred, g.scalar(2))), ints("axes", -1));
        String std = g.op("Sqrt", g.op("Add", in(var, g.scalar(1e-5f))));
        return g.op("Add", in(g.op("Mul", in(g.op("Div", in(centred, std)), gamma)), beta));
    }

    /** [B, S, heads·D] → [B, heads, S, D]. */
    static String splitHeads(TinyGraph g, String x, long heads) {
        return g.op("Transpose", g.op("Reshape", in(x, g.longs(0, S, heads, D))), ints("perm", 0, 2, 1, 3));
    }

    /** [B, heads, S, D] → [B, S, heads·D]. */
    static String mergeHeads(TinyGraph g, String x) {
        return g.op("Reshape", in(g.op("Transpose", x, ints("perm", 0, 2, 1, 3)), g.longs(0, S, E)));
    }

    static String linear(TinyGraph g, String x, String name, long in, long out) {
        return g.op("Add", in(g.op("MatMul", in(x, g.weight(name + ".weight", 0.3, in, out))),
                g.weight(name + ".bias", 0.1, out)));
    }

    static AttributeProto tensorAttr(String name, Tensor t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
                .setT(TensorCodec.encode(t)).build();
    }

    // ---- LLaMA ----------------------------------------------------------------------------------------------

    /**
     * RMSNorm (Pow, ReduceMean, Add, Sqrt, Reciprocal or Div, Mul), q/k/v projections with one key-value head,
     * rotary embedding (constant cos/sin caches + Slice at opset 14, Range/Cos/Sin at 17; Slice, Neg, Concat),
     * repeat_kv (Unsqueeze, Expand, Reshape), causal mask (ConstantOfShape + Trilu at 14, Range/Less/Where at
     * 17), SwiGLU (Sigmoid, Mul).
     */
    static TinyGraph.Built llama(long opset) {
        TinyGraph g = new TinyGraph(101);
        long kvHeads = 1;
        long hidden = 12;
        String x = g.input("x", DataType.FLOAT, "batch", S, E);
        String h = rmsNorm(g, x, opset, "input_layernorm");
        String q = splitHeads(g, g.op("MatMul", in(h, g.weight("q_proj", 0.3, E, H * D))), H);
        String k = splitHeads(g, g.op("MatMul", in(h, g.weight("k_proj", 0.3, E, kvHeads * D))), kvHeads);
        String v = splitHeads(g, g.op("MatMul", in(h, g.weight("v_proj", 0.3, E, kvHeads * D))), kvHeads);
        String[] cosSin = rotaryCaches(g, opset);
        q = rotary(g, q, cosSin);
        k = rotary(g, k, cosSin);
        k = repeatKv(g, k, kvHeads);
        v = repeatKv(g, v, kvHeads);
        String scores = g.op("Div", in(g.op("MatMul", in(q, g.op("Transpose", k, ints("perm", 0, 1, 3, 2)))),
                g.scalar((float) Math.sqrt(D))));
        scores = g.op("Add", in(scores, opset >= 17 ? causalByRange(g) : causalByTrilu(g)));
        String attn = g.op("MatMul", in(g.op("Softmax", scores, integer("axis", -1)), v));
        String r1 = g.op("Add", in(x, g.op("MatMul", in(mergeHeads(g, attn), g.weight("o_proj", 0.3, E, E)))));
        String h2 = rmsNorm(g, r1, opset, "post_attention_layernorm");
        String gate = g.op("MatMul", in(h2, g.weight("gate_proj", 0.3, E, hidden)));
        String up = g.op("MatMul", in(h2, g.weight("up_proj", 0.3, E, hidden)));
        String silu = g.op("Mul", in(gate, g.op("Sigmoid", gate)));
        String y = g.op("Add", in(r1, g.op("MatMul", in(g.op("Mul", in(silu, up)),
                g.weight("down_proj", 0.3, hidden, E)))));
        g.output(y, DataType.FLOAT);
        return g.built(opset, Map.of("x", floats("x", new Random(1), BATCH, S, E)));
    }

    /** x · rsqrt(mean(x²) + ε) · w; torch writes rsqrt as Sqrt then Reciprocal, or as 1 / Sqrt. */
    static String rmsNorm(TinyGraph g, String x, long opset, String name) {
        String ms = g.op("ReduceMean", g.op("Pow", in(x, g.scalar(2))), ints("axes", -1), integer("keepdims", 1));
        String std = g.op("Sqrt", g.op("Add", in(ms, g.scalar(1e-6f))));
        String inv = opset >= 17 ? g.op("Div", in(g.scalar(1), std)) : g.op("Reciprocal", std);
        return g.op("Mul", in(g.weight(name + ".weight", 0.3, E), g.op("Mul", in(x, inv))));
    }

    /** cos and sin, [S, D]: sliced from constant caches at opset 14, computed from Range at 17. */
    static String[] rotaryCaches(TinyGraph g, long opset) {
        long maxPositions = 16;
        float[] invFreq = new float[(int) D / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = (float) Math.pow(10000, -2.0 * i / D);
        }
        if (opset >= 17) {
            String pos = g.op("Cast", g.op("Range", in(g.longScalar(0), g.longScalar(S), g.longScalar(1))),
                    integer("to", DataType.FLOAT.code()));
            String freqs = g.op("Mul", in(g.op("Unsqueeze", in(pos, g.longs(1))),
                    g.floats("inv_freq", new long[] {1, D / 2}, invFreq)));
            String emb = g.op("Concat", in(freqs, freqs), integer("axis", -1));
            return new String[] {g.op("Cos", emb), g.op("Sin", emb)};
        }
        float[] cos = new float[(int) (maxPositions * D)];
        float[] sin = new float[cos.length];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < D; i++) {
                double angle = p * invFreq[(int) (i % (D / 2))];
                cos[(int) (p * D + i)] = (float) Math.cos(angle);
                sin[(int) (p * D + i)] = (float) Math.sin(angle);
            }
        }
        String cosCache = g.constant(Tensor.ofFloats("cos", new long[] {maxPositions, D}, cos));
        String sinCache = g.constant(Tensor.ofFloats("sin", new long[] {maxPositions, D}, sin));
        String[] slice = in(g.longs(0), g.longs(S), g.longs(0));
        return new String[] {g.op("Slice", in(cosCache, slice[0], slice[1], slice[2])),
            g.op("Slice", in(sinCache, slice[0], slice[1], slice[2]))};
    }

    /** x·cos + rotate_half(x)·sin, rotate_half(x) = concat(−x[..., D/2:], x[..., :D/2]). */
    static String rotary(TinyGraph g, String x, String[] cosSin) {
        String first = g.op("Slice", in(x, g.longs(0), g.longs(D / 2), g.longs(-1)));
        String second = g.op("Slice", in(x, g.longs(D / 2), g.longs(Long.MAX_VALUE), g.longs(-1)));
        String rotated = g.op("Concat", in(g.op("Neg", second), first), integer("axis", -1));
        return g.op("Add", in(g.op("Mul", in(x, cosSin[0])), g.op("Mul", in(rotated, cosSin[1]))));
    }

    /** [B, kv, S, D] → [B, kv·n_rep, S, D] by Unsqueeze, Expand and Reshape. */
    static String repeatKv(TinyGraph g, String x, long kvHeads) {
        long rep = H / kvHeads;
        String expanded = g.op("Expand", in(g.op("Unsqueeze", in(x, g.longs(2))), g.longs(1, kvHeads, rep, S, D)));
        return g.op("Reshape", in(expanded, g.longs(-1, H, S, D)));
    }

    /** torch.full((S, S), min).triu(1): ConstantOfShape then Trilu. */
    static String causalByTrilu(TinyGraph g) {
        String full = g.op("ConstantOfShape", g.longs(S, S),
                tensorAttr("value", Tensor.ofFloats("value", new long[] {1}, new float[] {-1e4f})));
        return g.op("Trilu", in(full, g.longScalar(1)), integer("upper", 1));
    }

    /** Where(col > row, min, 0) from two Ranges. */
    static String causalByRange(TinyGraph g) {
        String r = g.op("Range", in(g.longScalar(0), g.longScalar(S), g.longScalar(1)));
        String future = g.op("Less", in(g.op("Unsqueeze", in(r, g.longs(1))), g.op("Unsqueeze", in(r, g.longs(0)))));
        return g.op("Where", in(future, g.scalar(-1e4f), g.scalar(0)));
    }

    // ---- GPT-2 ----------------------------------------------------------------------------------------------

    /**
     * Token and position embeddings (Gather), Conv1D as Gemm on flattened rows, Split of the packed qkv axis,
     * causal mask from a constant bool tril buffer + Slice + Where, NewGELU (Pow, Tanh, Mul, Add), last token by
     * Gather, logits tied to the token embedding.
     */
    static TinyGraph.Built gpt2(long opset) {
        TinyGraph g = new TinyGraph(202);
        long hidden = 16;
        String ids = g.input("input_ids", DataType.INT64, "batch", S);
        String wte = g.weight("wte", 0.5, VOCAB, E);
        String positions = g.op("Range", in(g.longScalar(0), g.longScalar(S), g.longScalar(1)));
        String x = g.op("Add", in(g.op("Gather", in(wte, ids)),
                g.op("Gather", in(g.weight("wpe", 0.5, 16, E), positions))));
        String rows = g.op("Reshape", in(layerNorm(g, x, opset, "ln_1"), g.longs(-1, E)));
        String qkv = g.op("Reshape", in(g.op("Gemm", in(rows, g.weight("c_attn.weight", 0.3, E, 3 * E),
                g.weight("c_attn.bias", 0.1, 3 * E))), g.longs(-1, S, 3 * E)));
        String[] parts = g.ops("Split", 3, in(qkv, g.longs(E, E, E)), integer("axis", 2));
        String q = splitHeads(g, parts[0], H);
        String kT = g.op("Transpose", g.op("Reshape", in(parts[1], g.longs(0, S, H, D))), ints("perm", 0, 2, 3, 1));
        String v = splitHeads(g, parts[2], H);
        String scores = g.op("Div", in(g.op("MatMul", in(q, kT)), g.scalar((float) Math.sqrt(D))));
        long max = 8;
        long[] tril = new long[(int) (max * max)];
        for (int i = 0; i < max; i++) {
            for (int j = 0; j <= i; j++) {
                tril[(int) (i * max + j)] = 1;
            }
        }
        String bias = g.constant(Tensor.ofLongs("bias", DataType.BOOL, new long[] {1, 1, max, max}, tril));
        String mask = g.op("Slice", in(bias, g.longs(0, 0), g.longs(S, S), g.longs(2, 3)));
        scores = g.op("Where", in(mask, scores, g.scalar(-3.4028235e38f)));
        String attn = mergeHeads(g, g.op("MatMul", in(g.op("Softmax", scores, integer("axis", -1)), v)));
        String proj = g.op("Gemm", in(g.op("Reshape", in(attn, g.longs(-1, E))), g.weight("c_proj.weight", 0.3, E, E),
                g.weight("c_proj.bias", 0.1, E)));
        String r1 = g.op("Add", in(x, g.op("Reshape", in(proj, g.longs(-1, S, E)))));
        String fc = g.op("Gemm", in(g.op("Reshape", in(layerNorm(g, r1, opset, "ln_2"), g.longs(-1, E))),
                g.weight("c_fc.weight", 0.3, E, hidden), g.weight("c_fc.bias", 0.1, hidden)));
        String mlp = g.op("Gemm", in(newGelu(g, fc), g.weight("mlp.c_proj.weight", 0.3, hidden, E),
                g.weight("mlp.c_proj.bias", 0.1, E)));
        String r2 = g.op("Add", in(r1, g.op("Reshape", in(mlp, g.longs(-1, S, E)))));
        String last = g.op("Gather", in(r2, g.longScalar(-1)), integer("axis", 1));
        String logits = g.op("MatMul", in(last, g.op("Transpose", wte, ints("perm", 1, 0))));
        g.output(logits, DataType.FLOAT);
        return g.built(opset, Map.of("input_ids", tokens("input_ids", new Random(2), BATCH, S)));
    }

    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    static String newGelu(TinyGraph g, String x) {
        String cube = g.op("Mul", in(g.scalar(0.044715f), g.op("Pow", in(x, g.scalar(3)))));
        String inner = g.op("Mul", in(g.scalar((float) Math.sqrt(2 / Math.PI)), g.op("Add", in(x, cube))));
        return g.op("Mul", in(g.op("Mul", in(g.scalar(0.5f), x)), g.op("Add", in(g.scalar(1),
                g.op("Tanh", inner)))));
    }

    // ---- BERT -----------------------------------------------------------------------------------------------

    /**
     * Word and position embeddings, LayerNorm, self-attention with head reshapes built from Shape/Gather/
     * Unsqueeze/Concat chains, an additive mask from the 0/1 attention mask (Unsqueeze, Cast, Sub, Mul), Softmax,
     * erf GELU (Div, Erf, Add, Mul).
     */
    static TinyGraph.Built bert(long opset) {
        TinyGraph g = new TinyGraph(303);
        long hidden = 16;
        String ids = g.input("input_ids", DataType.INT64, "batch", "sequence");
        String maskIn = g.input("attention_mask", DataType.INT64, "batch", "sequence");
        String positions = g.op("Unsqueeze", in(g.op("Range", in(g.longScalar(0),
                g.op("Gather", in(g.op("Shape", ids), g.longScalar(1))), g.longScalar(1))), g.longs(0)));
        String emb = g.op("Add", in(g.op("Gather", in(g.weight("word_embeddings", 0.5, VOCAB, E), ids)),
                g.op("Gather", in(g.weight("position_embeddings", 0.5, 16, E), positions))));
        String x = layerNorm(g, emb, opset, "embeddings.LayerNorm");
        String shape = g.op("Shape", x);
        String batch = g.op("Unsqueeze", in(g.op("Gather", in(shape, g.longScalar(0))), g.longs(0)));
        String seq = g.op("Unsqueeze", in(g.op("Gather", in(shape, g.longScalar(1))), g.longs(0)));
        String headShape = g.op("Concat", in(batch, seq, g.longs(H), g.longs(D)), integer("axis", 0));
        String q = g.op("Transpose", g.op("Reshape", in(linear(g, x, "query", E, E), headShape)),
                ints("perm", 0, 2, 1, 3));
        String kT = g.op("Transpose", g.op("Reshape", in(linear(g, x, "key", E, E), headShape)),
                ints("perm", 0, 2, 3, 1));
        String v = g.op("Transpose", g.op("Reshape", in(linear(g, x, "value", E, E), headShape)),
                ints("perm", 0, 2, 1, 3));
        String scores = g.op("Div", in(g.op("MatMul", in(q, kT)), g.scalar((float) Math.sqrt(D))));
        String ext = g.op("Cast", g.op("Unsqueeze", in(maskIn, g.longs(1, 2))), integer("to", DataType.FLOAT.code()));
        String additive = g.op("Mul", in(g.op("Sub", in(g.scalar(1), ext)), g.scalar(-10000f)));
        String probs = g.op("Softmax", g.op("Add", in(scores, additive)), integer("axis", -1));
        String ctx = g.op("Transpose", g.op("MatMul", in(probs, v)), ints("perm", 0, 2, 1, 3));
        String merged = g.op("Reshape", in(ctx, g.op("Concat", in(batch, seq, g.longs(E)), integer("axis", 0))));
        String h1 = layerNorm(g, g.op("Add", in(linear(g, merged, "attention.output.dense", E, E), x)), opset,
                "attention.output.LayerNorm");
        String inter = linear(g, h1, "intermediate.dense", E, hidden);
        String gelu = g.op("Mul", in(g.op("Mul", in(inter, g.op("Add", in(g.op("Erf", g.op("Div", in(inter,
                g.scalar((float) Math.sqrt(2))))), g.scalar(1))))), g.scalar(0.5f)));
        String y = layerNorm(g, g.op("Add", in(linear(g, gelu, "output.dense", hidden, E), h1)), opset,
                "output.LayerNorm");
        g.output(y, DataType.FLOAT);
        long[] mask = new long[BATCH * (int) S];
        for (int b = 0; b < BATCH; b++) {
            for (int s = 0; s < S; s++) {
                mask[(int) (b * S + s)] = s < S - b ? 1 : 0; // padding at the end of the later rows
            }
        }
        return g.built(opset, Map.of("input_ids", tokens("input_ids", new Random(3), BATCH, S),
                "attention_mask", Tensor.ofLongs("attention_mask", new long[] {BATCH, S}, mask)));
    }

    // ---- timm ViT -------------------------------------------------------------------------------------------

    /**
     * Conv patch embedding, class token by Expand + Concat, position embedding, LayerNorm, packed qkv reshaped to
     * [B, N, 3, H, D] and transposed by (2, 0, 3, 1, 4), q by Gather and k, v by Split + Squeeze of axis 0, Mul by
     * the scale, Softmax, class-token Gather, head.
     */
    static TinyGraph.Built vit(long opset) {
        TinyGraph g = new TinyGraph(404);
        long tokens = 5;
        String img = g.input("pixel_values", DataType.FLOAT, "batch", 3, 8, 8);
        String patches = g.op("Conv", in(img, g.weight("patch_embed.proj.weight", 0.2, E, 3, 4, 4),
                g.weight("patch_embed.proj.bias", 0.1, E)), ints("kernel_shape", 4, 4), ints("strides", 4, 4));
        String seq = g.op("Transpose", g.op("Reshape", in(patches, g.longs(0, E, -1))), ints("perm", 0, 2, 1));
        String batch = g.op("Unsqueeze", in(g.op("Gather", in(g.op("Shape", img), g.longScalar(0))), g.longs(0)));
        String cls = g.op("Expand", in(g.weight("cls_token", 0.5, 1, 1, E),
                g.op("Concat", in(batch, g.longs(1, E)), integer("axis", 0))));
        String x = g.op("Add", in(g.op("Concat", in(cls, seq), integer("axis", 1)),
                g.weight("pos_embed", 0.5, 1, tokens, E)));
        String h = layerNorm(g, x, opset, "norm1");
        String qkv = g.op("Transpose", g.op("Reshape", in(linear(g, h, "qkv", E, 3 * E),
                g.longs(0, tokens, 3, H, D))), ints("perm", 2, 0, 3, 1, 4));
        String q = g.op("Gather", in(qkv, g.longScalar(0)), integer("axis", 0));
        String[] split = g.ops("Split", 3, in(qkv, g.longs(1, 1, 1)), integer("axis", 0));
        String k = g.op("Squeeze", in(split[1], g.longs(0)));
        String v = g.op("Squeeze", in(split[2], g.longs(0)));
        String scores = g.op("MatMul", in(g.op("Mul", in(q, g.scalar((float) (1 / Math.sqrt(D))))),
                g.op("Transpose", k, ints("perm", 0, 1, 3, 2))));
        String attn = g.op("MatMul", in(g.op("Softmax", scores, integer("axis", -1)), v));
        String merged = g.op("Reshape", in(g.op("Transpose", attn, ints("perm", 0, 2, 1, 3)), g.longs(0, tokens, E)));
        String r1 = g.op("Add", in(x, linear(g, merged, "proj", E, E)));
        String clsOut = g.op("Gather", in(layerNorm(g, r1, opset, "norm"), g.longScalar(0)), integer("axis", 1));
        String y = linear(g, clsOut, "head", E, 3);
        g.output(y, DataType.FLOAT);
        return g.built(opset, Map.of("pixel_values", floats("pixel_values", new Random(4), BATCH, 3, 8, 8)));
    }

    // ---- nn.MultiheadAttention ------------------------------------------------------------------------------

    /**
     * Sequence-first [S, B, E]: packed in_proj MatMul + Add, Split of the packed axis, heads folded into the batch
     * axis by Reshape to [S, B·H, D] (B·H from Shape/Gather/Mul) and Transpose, q scaled by 1/√D computed from
     * the shape (Div, Cast, Sqrt), batched MatMul, Softmax, out_proj.
     */
    static TinyGraph.Built multiheadAttention(long opset) {
        TinyGraph g = new TinyGraph(505);
        String x = g.input("src", DataType.FLOAT, S, "batch", E);
        String[] qkv = g.ops("Split", 3, in(linear(g, x, "in_proj", E, 3 * E), g.longs(E, E, E)),
                integer("axis", -1));
        String shape = g.op("Shape", x);
        String batchHeads = g.op("Mul", in(g.op("Gather", in(shape, g.longScalar(1))), g.longScalar(H)));
        String headDim = g.op("Div", in(g.op("Gather", in(shape, g.longScalar(2))), g.longScalar(H)));
        String folded = g.op("Concat", in(g.longs(S), g.op("Unsqueeze", in(batchHeads, g.longs(0))),
                g.op("Unsqueeze", in(headDim, g.longs(0)))), integer("axis", 0));
        String[] heads = new String[3];
        for (int i = 0; i < 3; i++) {
            heads[i] = g.op("Transpose", g.op("Reshape", in(qkv[i], folded)), ints("perm", 1, 0, 2));
        }
        String scale = g.op("Sqrt", g.op("Cast", headDim, integer("to", DataType.FLOAT.code())));
        String q = g.op("Div", in(heads[0], scale));
        String scores = g.op("MatMul", in(q, g.op("Transpose", heads[1], ints("perm", 0, 2, 1))));
        String attn = g.op("MatMul", in(g.op("Softmax", scores, integer("axis", -1)), heads[2]));
        String merged = g.op("Reshape", in(g.op("Transpose", attn, ints("perm", 1, 0, 2)), g.longs(S, -1, E)));
        String y = linear(g, merged, "out_proj", E, E);
        g.output(y, DataType.FLOAT);
        return g.built(opset, Map.of("src", floats("src", new Random(5), S, BATCH, E)));
    }
}
