package ai.onnxhap.graph;

import ai.onnxhap.model.DataType;
import ai.onnxhap.onnx.SparseTensorProto;
import ai.onnxhap.onnx.TensorProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parameters, MACs and FLOPs per node, from static shapes of every value (see the validate package's shape inference). */
public final class CostModel {
    /** Ops that only move, reinterpret or index data: no arithmetic counted. */
    private static final Set<String> DATA_MOVEMENT = Set.of("Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze",
            "Concat", "Split", "Slice", "Gather", "GatherElements", "GatherND", "Shape", "Size", "Constant",
            "ConstantOfShape", "Identity", "Dropout", "Cast", "Expand", "Tile", "Pad", "Range", "Resize",
            "DepthToSpace", "SpaceToDepth", "ScatterND", "ScatterElements", "NonZero", "Where", "Equal", "Less",
            "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "CastLike", "OneHot", "TopK");

    private CostModel() {
    }

    /** Elements of all floating-point initializers: the model's parameters (sparse ones count their stored values). */
    public static long parameterCount(Graph graph) {
        long total = 0;
        for (TensorProto t : graph.initializerProtos().values()) {
            if (isParameter(t)) {
                total += elements(t);
            }
        }
        for (SparseTensorProto s : graph.sparseInitializers().values()) {
            if (isParameter(s.getValues())) {
                total += elements(s.getValues());
            }
        }
        return total;
    }

    /** Weights are floating point; integer initializers are shapes, indices and axes. */
    public static boolean isParameter(TensorProto t) {
        if (!DataType.isKnownCode(t.getDataType())) {
            return false;
        }
        DataType type = DataType.fromCode(t.getDataType());
        return type.storage() == DataType.Storage.FLOAT || type == DataType.DOUBLE;
    }

    private static long elements(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    public static List<LayerCost> perNode(Graph graph, Map<String, long[]> shapes) {
        List<LayerCost> out = new ArrayList<>();
        Set<String> counted = new HashSet<>();
        Map<String, long[]> known = withDeclared(graph, shapes);
        for (Node n : graph.nodes()) {
            long params = 0;
            for (String in : n.inputs()) {
                TensorProto t = graph.initializerProtos().get(in);
                if (t != null && isParameter(t) && counted.add(in)) {
                    params += elements(t);
                }
                SparseTensorProto s = graph.sparseInitializers().get(in);
                if (s != null && counted.add(in)) {
                    params += elements(s.getValues());
                }
            }
            long[] outShape = n.outputs().stream().filter(o -> !o.isEmpty()).findFirst().map(known::get).orElse(null);
            long macs = macs(n, known);
            long flops = 2 * macs + elementwiseFlops(n, outShape, macs);
            out.add(new LayerCost(n.name(), n.opType(), params, macs, flops, outShape));
        }
        return out;
    }

    /** Inferred shapes, completed by what the model declares statically (initializers above all). */
    private static Map<String, long[]> withDeclared(Graph graph, Map<String, long[]> shapes) {
        Map<String, long[]> known = new java.util.HashMap<>();
        for (Node n : graph.nodes()) {
            for (String in : n.inputs()) {
                graph.declared(in).filter(Graph.ValueInfo::isStatic).ifPresent(v -> known.put(in, v.dims()));
            }
        }
        known.putAll(shapes);
        return known;
    }

    private static long elementwiseFlops(Node n, long[] outShape, long macs) {
        if (outShape == null || DATA_MOVEMENT.contains(n.opType())) {
            return 0;
        }
        long numel = numel(outShape);
        if (macs > 0) {
            // Bias addition of Conv/Gemm is the only extra work counted for MAC ops.
            boolean bias = switch (n.opType()) {
                case "Conv", "ConvTranspose" -> !n.input(2).isEmpty();
                case "Gemm" -> !n.input(2).isEmpty();
                default -> false;
            };
            return bias ? numel : 0;
        }
        return numel;
    }

    /** Multiply-accumulates of one node; 0 for ops without a matrix product or when shapes are unknown. */
    public static long macs(Node n, Map<String, long[]> shapes) {
        long[] out = shapes.get(n.output(0));
        long[] a = shapes.get(n.input(0));
        long[] b = shapes.get(n.input(1));
        switch (n.opType()) {
            case "Conv" -> {
                if (out == null || b == null) {
                    return 0;
                }
                // W is [C_out, C_in/group, k...]: every output element sums C_in/group · prod(k) products.
                return numel(out) * numel(b) / b[0];
            }
            case "ConvTranspose" -> {
                if (a == null || b == null) {
                    return 0;
                }
                // W is [C_in, C_out/group, k...]: every input element scatters into C_out/group · prod(k) outputs.
                return numel(a) * numel(b) / b[0];
            }
            case "Gemm" -> {
                if (a == null || out == null || a.length != 2) {
                    return 0;
                }
                long k = n.attrInt("transA", 0) == 0 ? a[1] : a[0];
                return numel(out) * k;
            }
            case "MatMul", "MatMulInteger", "FusedMatMul" -> {
                if (a == null || out == null || a.length == 0) {
                    return 0;
                }
                return numel(out) * a[a.length - 1];
            }
            case "LSTM", "GRU", "RNN" -> {
                long[] w = shapes.get(n.input(1));
                long[] r = shapes.get(n.input(2));
                if (a == null || w == null || r == null || a.length != 3) {
                    return 0;
                }
                long steps = a[0] * a[1];
                // W is [dirs, gates·H, I] and R is [dirs, gates·H, H]: both products run every step, every direction.
                return steps * (numel(w) + numel(r));
            }
            default -> {
                return 0;
            }
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= Math.max(d, 0);
        }
        return n;
    }
}
