package ai.onnxhap.graph.deps;

import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.rules.AxisPreservingRule;
import ai.onnxhap.graph.deps.rules.BiasActivationRule;
import ai.onnxhap.graph.deps.rules.BroadcastRule;
import ai.onnxhap.graph.deps.rules.ConcatRule;
import ai.onnxhap.graph.deps.rules.ConstantOfShapeRule;
import ai.onnxhap.graph.deps.rules.ConvRule;
import ai.onnxhap.graph.deps.rules.ConvTransposeRule;
import ai.onnxhap.graph.deps.rules.EmbedLayerNormalizationRule;
import ai.onnxhap.graph.deps.rules.ExpandRule;
import ai.onnxhap.graph.deps.rules.FusedAttentionRule;
import ai.onnxhap.graph.deps.rules.GatherRule;
import ai.onnxhap.graph.deps.rules.GemmRule;
import ai.onnxhap.graph.deps.rules.GroupQueryAttentionRule;
import ai.onnxhap.graph.deps.rules.LayerNormalizationRule;
import ai.onnxhap.graph.deps.rules.MatMulRule;
import ai.onnxhap.graph.deps.rules.NormalizationRule;
import ai.onnxhap.graph.deps.rules.PassThroughRule;
import ai.onnxhap.graph.deps.rules.RecurrentRule;
import ai.onnxhap.graph.deps.rules.RefuseRule;
import ai.onnxhap.graph.deps.rules.ReshapeRule;
import ai.onnxhap.graph.deps.rules.ResizeRule;
import ai.onnxhap.graph.deps.rules.ShapeReaderRule;
import ai.onnxhap.graph.deps.rules.SkipLayerNormalizationRule;
import ai.onnxhap.graph.deps.rules.SliceRule;
import ai.onnxhap.graph.deps.rules.SplitRule;
import ai.onnxhap.graph.deps.rules.SqueezeRule;
import ai.onnxhap.graph.deps.rules.TransposeRule;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry of dependency rules by ONNX op type (default domain). An op without a rule stops any group
 * that reaches it; the report names the op, never guesses.
 */
public final class OpRules {
    private static final Map<String, OpRule> RULES = new TreeMap<>();
    /** ONNX Runtime contrib ops (domain com.microsoft). */
    private static final Map<String, OpRule> MICROSOFT = new TreeMap<>();

    static {
        OpRule elementwise = new PassThroughRule(false);
        for (String op : new String[] {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Elu",
                "Selu", "Celu", "Softplus", "Softsign", "Gelu", "Erf", "Mish", "ThresholdedRelu", "Clip", "Identity",
                "Dropout", "Cast", "Neg", "Abs", "Sqrt", "Exp", "Log", "Reciprocal", "Floor", "Ceil", "Round",
                "Sign", "Sin", "Cos", "Not", "IsNaN", "IsInf"}) {
            RULES.put(op, elementwise);
        }
        OpRule channelwise = new PassThroughRule(true);
        for (String op : new String[] {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
                "GlobalLpPool", "MaxRoiPool", "LRN"}) {
            RULES.put(op, channelwise);
        }
        OpRule broadcast = new BroadcastRule();
        for (String op : new String[] {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Where",
                "PRelu", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Mod"}) {
            RULES.put(op, broadcast);
        }
        OpRule axisPreserving = new AxisPreservingRule();
        for (String op : new String[] {"Softmax", "LogSoftmax", "Hardmax", "Pad", "ReduceMean", "ReduceSum",
                "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
                "ReduceSumSquare"}) {
            RULES.put(op, axisPreserving);
        }
        RULES.put("Slice", new SliceRule());
        RULES.put("Resize", new ResizeRule());
        RULES.put("Upsample", new ResizeRule());
        RULES.put("Conv", new ConvRule());
        RULES.put("ConvTranspose", new ConvTransposeRule());
        RULES.put("BatchNormalization", new NormalizationRule());
        RULES.put("InstanceNormalization", new NormalizationRule());
        RULES.put("LayerNormalization", new LayerNormalizationRule());
        RULES.put("Gemm", new GemmRule());
        RULES.put("MatMul", new MatMulRule());
        RULES.put("Reshape", new ReshapeRule());
        RULES.put("Flatten", new ReshapeRule());
        RULES.put("Transpose", new TransposeRule());
        RULES.put("Squeeze", new SqueezeRule());
        RULES.put("Unsqueeze", new SqueezeRule());
        RULES.put("Concat", new ConcatRule());
        RULES.put("Split", new SplitRule());
        RULES.put("Gather", new GatherRule());
        RULES.put("Expand", new ExpandRule());
        RULES.put("Shape", new ShapeReaderRule());
        RULES.put("Size", new ShapeReaderRule());
        RULES.put("DepthToSpace", new RefuseRule("moves channels into space"));
        RULES.put("SpaceToDepth", new RefuseRule("moves space into channels"));
        OpRule recurrent = new RecurrentRule();
        RULES.put("LSTM", recurrent);
        RULES.put("GRU", recurrent);
        RULES.put("RNN", recurrent);
        RULES.put("ConstantOfShape", new ConstantOfShapeRule());
        RULES.put("Einsum", new RefuseRule("contracts axes by an equation onnx-hap does not follow"));
        MICROSOFT.put("Attention", new FusedAttentionRule());
        MICROSOFT.put("MultiHeadAttention", new FusedAttentionRule());
        MICROSOFT.put("GroupQueryAttention", new GroupQueryAttentionRule());
        OpRule biasActivation = new BiasActivationRule();
        for (String op : new String[] {"FastGelu", "BiasGelu", "Gelu", "QuickGelu"}) {
            MICROSOFT.put(op, biasActivation);
        }
        OpRule skipNorm = new SkipLayerNormalizationRule();
        for (String op : new String[] {"SkipLayerNormalization", "SkipSimplifiedLayerNormalization",
                "SimplifiedLayerNormalization"}) {
            MICROSOFT.put(op, skipNorm);
        }
        MICROSOFT.put("EmbedLayerNormalization", new EmbedLayerNormalizationRule());
    }

    private OpRules() {
    }

    public static Optional<OpRule> forNode(Node node) {
        return switch (node.domain()) {
            case "" -> Optional.ofNullable(RULES.get(node.opType()));
            case "com.microsoft" -> Optional.ofNullable(MICROSOFT.get(node.opType()));
            default -> Optional.empty();
        };
    }

    /** The op types with a rule: the support matrix comes from here, not from a hand-kept list. */
    public static java.util.Set<String> supportedOps() {
        java.util.Set<String> all = new java.util.TreeSet<>(RULES.keySet());
        MICROSOFT.keySet().forEach(op -> all.add("com.microsoft." + op));
        return java.util.Collections.unmodifiableSet(all);
    }
}
