package ai.onnxhap.tf;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.ops.ActivationHandler;
import ai.onnxhap.tf.ops.ActivationHandler.Kind;
import ai.onnxhap.tf.ops.ArgHandler;
import ai.onnxhap.tf.ops.AttentionHandler;
import ai.onnxhap.tf.ops.BinaryHandler;
import ai.onnxhap.tf.ops.BroadcastHandler;
import ai.onnxhap.tf.ops.CastHandler;
import ai.onnxhap.tf.ops.ClipHandler;
import ai.onnxhap.tf.ops.ConcatHandler;
import ai.onnxhap.tf.ops.ConstantHandler;
import ai.onnxhap.tf.ops.ConvHandler;
import ai.onnxhap.tf.ops.ConvTransposeHandler;
import ai.onnxhap.tf.ops.DropoutHandler;
import ai.onnxhap.tf.ops.EmbedLayerNormalizationHandler;
import ai.onnxhap.tf.ops.FlattenHandler;
import ai.onnxhap.tf.ops.FusedGeluHandler;
import ai.onnxhap.tf.ops.FusedNormalizationHandler;
import ai.onnxhap.tf.ops.GatherHandler;
import ai.onnxhap.tf.ops.GemmHandler;
import ai.onnxhap.tf.ops.GroupQueryAttentionHandler;
import ai.onnxhap.tf.ops.IfHandler;
import ai.onnxhap.tf.ops.LossHandler;
import ai.onnxhap.tf.ops.MatMulHandler;
import ai.onnxhap.tf.ops.MultiHeadAttentionHandler;
import ai.onnxhap.tf.ops.NormalizationHandler;
import ai.onnxhap.tf.ops.OneHotHandler;
import ai.onnxhap.tf.ops.PadHandler;
import ai.onnxhap.tf.ops.PoolHandler;
import ai.onnxhap.tf.ops.RecurrentHandler;
import ai.onnxhap.tf.ops.ReduceHandler;
import ai.onnxhap.tf.ops.ReshapeHandler;
import ai.onnxhap.tf.ops.ResizeHandler;
import ai.onnxhap.tf.ops.ScatterHandler;
import ai.onnxhap.tf.ops.ShapeHandler;
import ai.onnxhap.tf.ops.SliceHandler;
import ai.onnxhap.tf.ops.SmallOps;
import ai.onnxhap.tf.ops.SoftmaxHandler;
import ai.onnxhap.tf.ops.SpaceDepthHandler;
import ai.onnxhap.tf.ops.SplitHandler;
import ai.onnxhap.tf.ops.SqueezeHandler;
import ai.onnxhap.tf.ops.TfOps;
import ai.onnxhap.tf.ops.TopKHandler;
import ai.onnxhap.tf.ops.TransposeHandler;
import ai.onnxhap.tf.ops.TriluHandler;
import ai.onnxhap.tf.ops.UnaryHandler;
import ai.onnxhap.tf.ops.VariadicHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * The registry of op handlers, per domain: for each op, the opset versions from which a translation applies.
 * A model at opset N of the op's domain uses the newest translation registered at a version ≤ N. The default
 * ONNX domain and ONNX Runtime's contrib domain (com.microsoft, versioned by its own opset) are the two tables
 * below; nothing registers itself elsewhere.
 */
public final class OpHandlers {
    /** The newest opset whose op semantics the handlers follow. */
    public static final int MAX_OPSET = 22;
    /** ONNX Runtime's contrib ops. */
    public static final String MICROSOFT = "com.microsoft";
    /** The newest com.microsoft opset the contrib handlers follow (ONNX Runtime has only ever shipped 1). */
    public static final int MAX_MICROSOFT_OPSET = 1;

    private static final OpHandlers STANDARD = new OpHandlers(Map.of("", standardRegistry(),
            MICROSOFT, microsoftRegistry()));

    private final Map<String, Table> byDomain;

    private OpHandlers(Map<String, Table> byDomain) {
        this.byDomain = byDomain;
    }

    /** One domain's ops; {@code lastOpset} holds the ops that were removed, with the last opset that has them. */
    private record Table(Map<String, NavigableMap<Integer, OpHandler>> byOp, Map<String, Integer> lastOpset,
                         int maxOpset) {
    }

    /** The handlers onnx-hap ships. */
    public static OpHandlers standard() {
        return STANDARD;
    }

    /** The translation of default-domain {@code op} for a model at {@code opset}. */
    public Optional<OpHandler> find(String op, long opset) {
        return find("", op, opset);
    }

    /**
     * The translation of {@code op} of {@code domain} ("" or "ai.onnx" for ONNX) for a model importing that
     * domain at {@code opset}: the newest registered at a version ≤ opset.
     */
    public Optional<OpHandler> find(String domain, String op, long opset) {
        Table t = byDomain.get(domain.equals("ai.onnx") ? "" : domain);
        NavigableMap<Integer, OpHandler> versions = t == null ? null : t.byOp().get(op);
        if (versions == null || opset > t.lastOpset().getOrDefault(op, t.maxOpset())) {
            return Optional.empty();
        }
        Map.Entry<Integer, OpHandler> e = versions.floorEntry((int) Math.min(opset, Integer.MAX_VALUE));
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    /** The newest opset of {@code domain} whose semantics the handlers follow; 0 for a domain without handlers. */
    public int maxOpset(String domain) {
        Table t = byDomain.get(domain.equals("ai.onnx") ? "" : domain);
        return t == null ? 0 : t.maxOpset();
    }

    /** One row of the support matrix: an op and the opset ranges with their own translation. */
    public record OpSupport(String op, List<int[]> ranges) {
        /** "1–6, 7–22". */
        public String rangesText() {
            List<String> parts = new ArrayList<>();
            for (int[] r : ranges) {
                parts.add(r[0] == r[1] ? Integer.toString(r[0]) : r[0] + "–" + r[1]);
            }
            return String.join(", ", parts);
        }
    }

    /** Default-domain ops × opset ranges, generated from the registry, ops sorted by name. */
    public List<OpSupport> supportMatrix() {
        return supportMatrix("");
    }

    /** Ops of {@code domain} × opset ranges of that domain, ops sorted by name. */
    public List<OpSupport> supportMatrix(String domain) {
        Table t = byDomain.get(domain);
        if (t == null) {
            return List.of();
        }
        Map<String, Integer> lastOpset = t.lastOpset();
        List<OpSupport> rows = new ArrayList<>();
        t.byOp().forEach((op, versions) -> {
            List<int[]> ranges = new ArrayList<>();
            List<Integer> since = new ArrayList<>(versions.keySet());
            for (int i = 0; i < since.size(); i++) {
                int end = i + 1 < since.size() ? since.get(i + 1) - 1 : lastOpset.getOrDefault(op, t.maxOpset());
                ranges.add(new int[] {since.get(i), end});
            }
            rows.add(new OpSupport(op, List.copyOf(ranges)));
        });
        return rows;
    }

    /** The default domain's support matrix as a Markdown table. */
    public String supportMatrixMarkdown() {
        return supportMatrixMarkdown("");
    }

    /** The support matrix of {@code domain} as a Markdown table. */
    public String supportMatrixMarkdown(String domain) {
        StringBuilder sb = new StringBuilder("| op | opsets (one translation per range) |\n|---|---|\n");
        supportMatrix(domain).forEach(r -> sb.append("| ").append(r.op()).append(" | ").append(r.rangesText())
                .append(" |\n"));
        return sb.toString();
    }

    private static Table standardRegistry() {
        Registry r = new Registry(MAX_OPSET);
        // Element-wise, no attributes.
        r.unary("Abs", (tf, x) -> tf.math.abs(num(x)));
        r.unary("Neg", (tf, x) -> tf.math.neg(num(x)));
        r.unary("Exp", (tf, x) -> tf.math.exp(any(x)));
        r.unary("Log", (tf, x) -> tf.math.log(any(x)));
        r.unary("Sqrt", (tf, x) -> tf.math.sqrt(any(x)));
        r.unary("Reciprocal", (tf, x) -> tf.math.reciprocal(any(x)));
        r.unary("Sigmoid", (tf, x) -> tf.math.sigmoid(any(x)));
        r.unary("Tanh", (tf, x) -> tf.math.tanh(any(x)));
        r.unary("Relu", (tf, x) -> tf.nn.relu(num(x)));
        r.unary("Erf", (tf, x) -> tf.math.erf(num(x)));
        r.unary("Floor", (tf, x) -> tf.math.floor(num(x)));
        r.unary("Ceil", (tf, x) -> tf.math.ceil(num(x)));
        r.unary("Round", (tf, x) -> tf.math.rint(num(x))); // half to even, as ONNX
        r.unary("Sign", (tf, x) -> tf.math.sign(any(x)));
        r.unary("Sin", (tf, x) -> tf.math.sin(any(x)));
        r.unary("Cos", (tf, x) -> tf.math.cos(any(x)));
        r.unary("Tan", (tf, x) -> tf.math.tan(any(x)));
        r.unary("Asin", (tf, x) -> tf.math.asin(any(x)));
        r.unary("Acos", (tf, x) -> tf.math.acos(any(x)));
        r.unary("Atan", (tf, x) -> tf.math.atan(any(x)));
        r.unary("Sinh", (tf, x) -> tf.math.sinh(any(x)));
        r.unary("Cosh", (tf, x) -> tf.math.cosh(any(x)));
        r.unary("Asinh", (tf, x) -> tf.math.asinh(any(x)));
        r.unary("Acosh", (tf, x) -> tf.math.acosh(any(x)));
        r.unary("Atanh", (tf, x) -> tf.math.atanh(any(x)));
        r.unary("Softplus", (tf, x) -> tf.math.softplus(num(x)));
        r.unary("Softsign", (tf, x) -> tf.nn.softsign(num(x)));
        r.unary("IsNaN", (tf, x) -> tf.math.isNan(num(x)));
        r.unary("Not", (tf, x) -> tf.math.logicalNot(any(x)));
        r.unary("Identity", (tf, x) -> tf.identity(any(x)));
        r.add("IsInf", 10, SmallOps::isInf);

        // Activations with attributes.
        r.add("LeakyRelu", 1, ActivationHandler.of(Kind.LEAKY_RELU));
        r.add("Elu", 1, ActivationHandler.of(Kind.ELU));
        r.add("Selu", 1, ActivationHandler.of(Kind.SELU));
        r.add("Celu", 12, ActivationHandler.of(Kind.CELU));
        r.add("HardSigmoid", 1, ActivationHandler.of(Kind.HARD_SIGMOID));
        r.add("HardSwish", 14, ActivationHandler.of(Kind.HARD_SWISH));
        r.add("ThresholdedRelu", 10, ActivationHandler.of(Kind.THRESHOLDED_RELU));
        r.add("Gelu", 20, ActivationHandler.of(Kind.GELU));
        r.add("Shrink", 9, ActivationHandler.of(Kind.SHRINK));
        r.add("PRelu", 1, ActivationHandler.of(Kind.PRELU));
        r.add("Clip", 1, ClipHandler.fromAttributes());
        r.add("Clip", 11, ClipHandler.fromInputs());
        r.add("Softmax", 1, SoftmaxHandler.coerced(SoftmaxHandler.Kind.SOFTMAX));
        r.add("Softmax", 13, SoftmaxHandler.alongAxis(SoftmaxHandler.Kind.SOFTMAX));
        r.add("LogSoftmax", 1, SoftmaxHandler.coerced(SoftmaxHandler.Kind.LOG_SOFTMAX));
        r.add("LogSoftmax", 13, SoftmaxHandler.alongAxis(SoftmaxHandler.Kind.LOG_SOFTMAX));
        r.add("Hardmax", 1, SoftmaxHandler.coerced(SoftmaxHandler.Kind.HARDMAX));
        r.add("Hardmax", 13, SoftmaxHandler.alongAxis(SoftmaxHandler.Kind.HARDMAX));

        // Two inputs, broadcasting (explicit before opset 7).
        r.binary("Add", (tf, a, b) -> tf.math.add(num(a), num(b)));
        r.binary("Sub", (tf, a, b) -> tf.math.sub(num(a), num(b)));
        r.binary("Mul", (tf, a, b) -> tf.math.mul(num(a), num(b)));
        r.binary("Div", (tf, a, b) -> TfOps.isFloating(a) ? tf.math.div(num(a), num(b))
                : tf.math.truncateDiv(num(a), num(b))); // integer division truncates, as in C
        r.binary("Pow", (tf, a, b) -> tf.math.pow(num(a), num(TfOps.cast(tf, b, a.type()))));
        r.binary("Equal", (tf, a, b) -> tf.math.equal(any(a), any(b)));
        r.binary("Less", (tf, a, b) -> tf.math.less(num(a), num(b)));
        r.binary("Greater", (tf, a, b) -> tf.math.greater(num(a), num(b)));
        r.binary("And", (tf, a, b) -> tf.math.logicalAnd(any(a), any(b)));
        r.binary("Or", (tf, a, b) -> tf.math.logicalOr(any(a), any(b)));
        r.binary("Xor", (tf, a, b) -> tf.math.notEqual(any(a), any(b)));
        r.add("LessOrEqual", 12, BinaryHandler.numpy((tf, a, b) -> tf.math.lessEqual(num(a), num(b))));
        r.add("GreaterOrEqual", 12, BinaryHandler.numpy((tf, a, b) -> tf.math.greaterEqual(num(a), num(b))));
        r.add("Mod", 10, SmallOps::mod);
        r.add("Where", 9, SmallOps::where);
        r.add("Sum", 1, VariadicHandler.of((tf, a, b) -> tf.math.add(num(a), num(b))));
        r.add("Mean", 1, VariadicHandler.mean());
        r.add("Max", 1, VariadicHandler.of((tf, a, b) -> tf.math.maximum(num(a), num(b))));
        r.add("Min", 1, VariadicHandler.of((tf, a, b) -> tf.math.minimum(num(a), num(b))));

        // Linear algebra, convolution, pooling, normalization.
        r.add("Gemm", 1, new GemmHandler());
        r.add("MatMul", 1, new MatMulHandler());
        r.add("Einsum", 12, SmallOps::einsum);
        r.add("Det", 11, SmallOps::det);
        r.add("Conv", 1, new ConvHandler());
        r.add("ConvTranspose", 1, new ConvTransposeHandler());
        r.add("MaxPool", 1, PoolHandler.maxPool());
        r.add("AveragePool", 1, PoolHandler.averagePool());
        r.add("GlobalAveragePool", 1, PoolHandler.global(false));
        r.add("GlobalMaxPool", 1, PoolHandler.global(true));
        r.add("BatchNormalization", 1, NormalizationHandler.batch());
        r.add("InstanceNormalization", 1, NormalizationHandler.instance());
        r.add("LayerNormalization", 17, NormalizationHandler.layer());
        r.add("LRN", 1, SmallOps::lrn);
        r.add("MeanVarianceNormalization", 9, SmallOps::meanVarianceNormalization);

        // Losses.
        r.add("NegativeLogLikelihoodLoss", 12, LossHandler.negativeLogLikelihood());
        r.add("SoftmaxCrossEntropyLoss", 12, LossHandler.softmaxCrossEntropy());

        // Recurrent.
        r.add("LSTM", 1, RecurrentHandler.of(RecurrentHandler.Kind.LSTM));
        r.add("GRU", 1, RecurrentHandler.of(RecurrentHandler.Kind.GRU));
        r.add("RNN", 1, RecurrentHandler.of(RecurrentHandler.Kind.RNN));

        // Shapes and data movement.
        r.add("Reshape", 1, ReshapeHandler.fromAttribute());
        r.add("Reshape", 5, ReshapeHandler.fromInput());
        r.add("Flatten", 1, new FlattenHandler());
        r.add("Transpose", 1, new TransposeHandler());
        r.add("Squeeze", 1, SqueezeHandler.squeeze(false));
        r.add("Squeeze", 13, SqueezeHandler.squeeze(true));
        r.add("Unsqueeze", 1, SqueezeHandler.unsqueeze(false));
        r.add("Unsqueeze", 13, SqueezeHandler.unsqueeze(true));
        r.add("Concat", 1, new ConcatHandler());
        r.add("Split", 1, SplitHandler.sizesFromAttribute());
        r.add("Split", 13, SplitHandler.sizesFromInput());
        r.add("Slice", 1, SliceHandler.fromAttributes());
        r.add("Slice", 10, SliceHandler.fromInputs());
        r.add("Gather", 1, GatherHandler.gather());
        r.add("GatherElements", 11, GatherHandler.elements());
        r.add("GatherND", 11, GatherHandler.nd());
        r.add("Shape", 1, ShapeHandler.shape());
        r.add("Size", 1, ShapeHandler.size());
        r.add("Constant", 1, ConstantHandler.constant());
        r.add("ConstantOfShape", 9, ConstantHandler.ofShape());
        r.add("Expand", 8, BroadcastHandler.expand());
        r.add("Tile", 6, BroadcastHandler.tile());
        r.add("Pad", 2, PadHandler.fromAttributes());
        r.add("Pad", 11, PadHandler.fromInputs());
        r.add("Cast", 1, CastHandler.cast());
        r.add("CastLike", 15, CastHandler.castLike());
        r.add("Dropout", 1, new DropoutHandler());
        r.add("If", 1, new IfHandler());
        r.add("Range", 11, SmallOps::range);
        r.add("DepthToSpace", 1, SpaceDepthHandler.depthToSpace());
        r.add("SpaceToDepth", 1, SpaceDepthHandler.spaceToDepth());
        r.add("Trilu", 14, new TriluHandler());
        r.add("OneHot", 9, new OneHotHandler());
        r.add("NonZero", 9, SmallOps::nonZero);
        r.add("CumSum", 11, SmallOps::cumSum);
        r.add("ReverseSequence", 10, SmallOps::reverseSequence);
        r.add("EyeLike", 9, SmallOps::eyeLike);
        r.add("Compress", 9, SmallOps::compress);
        r.add("BitShift", 11, SmallOps::bitShift);
        r.add("ScatterND", 11, ScatterHandler.nd());
        r.add("Scatter", 9, ScatterHandler.elements());
        r.removedAfter("Scatter", 10);
        r.add("ScatterElements", 11, ScatterHandler.elements());
        r.add("Upsample", 7, ResizeHandler.upsampleAttribute());
        r.add("Upsample", 9, ResizeHandler.upsampleInput());
        r.removedAfter("Upsample", 9);
        r.add("Resize", 10, ResizeHandler.resize10());
        r.add("Resize", 11, ResizeHandler.resize11());
        r.add("TopK", 1, new TopKHandler());
        r.add("ArgMax", 1, ArgHandler.argMax());
        r.add("ArgMin", 1, ArgHandler.argMin());

        // Reductions: axes move from attribute to input at opset 13 (ReduceSum) or 18 (the others).
        r.reduce("ReduceSum", ReduceHandler.Kind.SUM, 13);
        r.reduce("ReduceMean", ReduceHandler.Kind.MEAN, 18);
        r.reduce("ReduceMax", ReduceHandler.Kind.MAX, 18);
        r.reduce("ReduceMin", ReduceHandler.Kind.MIN, 18);
        r.reduce("ReduceProd", ReduceHandler.Kind.PROD, 18);
        r.reduce("ReduceL1", ReduceHandler.Kind.L1, 18);
        r.reduce("ReduceL2", ReduceHandler.Kind.L2, 18);
        r.reduce("ReduceLogSum", ReduceHandler.Kind.LOG_SUM, 18);
        r.reduce("ReduceLogSumExp", ReduceHandler.Kind.LOG_SUM_EXP, 18);
        r.reduce("ReduceSumSquare", ReduceHandler.Kind.SUM_SQUARE, 18);
        // ONNX Runtime registers its RMS norm in the ONNX domain at version 1 (not in com.microsoft, which it
        // refuses to load); its optimizer writes it there.
        r.add("SimplifiedLayerNormalization", 1, FusedNormalizationHandler.simplified());
        return r.table();
    }

    /** ONNX Runtime's contrib ops as its transformer optimizer writes them (docs/ContribOperators.md). */
    private static Table microsoftRegistry() {
        Registry r = new Registry(MAX_MICROSOFT_OPSET);
        r.add("Attention", 1, new AttentionHandler());
        r.add("MultiHeadAttention", 1, new MultiHeadAttentionHandler());
        r.add("GroupQueryAttention", 1, new GroupQueryAttentionHandler());
        r.add("SkipLayerNormalization", 1, FusedNormalizationHandler.skipLayer());
        r.add("SkipSimplifiedLayerNormalization", 1, FusedNormalizationHandler.skipSimplified());
        r.add("EmbedLayerNormalization", 1, new EmbedLayerNormalizationHandler());
        r.add("FastGelu", 1, FusedGeluHandler.of(FusedGeluHandler.Kind.FAST_GELU));
        r.add("BiasGelu", 1, FusedGeluHandler.of(FusedGeluHandler.Kind.BIAS_GELU));
        r.add("Gelu", 1, FusedGeluHandler.of(FusedGeluHandler.Kind.GELU));
        return r.table();
    }

    /** Collects the table; used once, while the static registry is made. */
    private static final class Registry {
        private final Map<String, NavigableMap<Integer, OpHandler>> byOp = new TreeMap<>();
        private final Map<String, Integer> lastOpset = new TreeMap<>();
        private final int maxOpset;

        Registry(int maxOpset) {
            this.maxOpset = maxOpset;
        }

        void add(String op, int since, OpHandler handler) {
            if (byOp.computeIfAbsent(op, k -> new TreeMap<>()).put(since, handler) != null) {
                throw new IllegalStateException(op + " registered twice at opset " + since);
            }
        }

        void removedAfter(String op, int last) {
            lastOpset.put(op, last);
        }

        void unary(String op, BiFunction<Ops, Operand<?>, Operand<?>> fn) {
            add(op, 1, UnaryHandler.of(fn));
        }

        void binary(String op, BinaryHandler.Fn fn) {
            add(op, 1, BinaryHandler.legacy(fn));
            add(op, 7, BinaryHandler.numpy(fn));
        }

        void reduce(String op, ReduceHandler.Kind kind, int axesInputSince) {
            add(op, 1, ReduceHandler.axesFromAttribute(kind));
            add(op, axesInputSince, ReduceHandler.axesFromInput(kind));
        }

        Table table() {
            Map<String, NavigableMap<Integer, OpHandler>> out = new TreeMap<>();
            byOp.forEach((op, v) -> out.put(op, Collections.unmodifiableNavigableMap(new TreeMap<>(v))));
            return new Table(Collections.unmodifiableMap(out), Map.copyOf(lastOpset), maxOpset);
        }
    }
}
