package ai.onnxhap.graph;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the integer side computations exporters emit to build shapes, such as
 * {@code Shape → Gather → Unsqueeze → Concat → Reshape}, for known static shapes. The result tells later
 * stages which shape values are constants (and what they are) so they can be rewritten when a dimension
 * shrinks. Only integer tensors are folded; anything depending on data stays unknown.
 */
public final class ConstantFolder {
    /** Folded tensors larger than this are not kept: shape computations are tiny. */
    private static final long MAX_ELEMENTS = 1 << 16;

    private ConstantFolder() {
    }

    /**
     * @param shapes static shape of values where known (graph inputs at least; all values after shape inference)
     * @return value name → folded integer tensor, for every value computable without input data
     */
    public static Map<String, Tensor> fold(Graph graph, Map<String, long[]> shapes) {
        Map<String, Tensor> known = new HashMap<>();
        for (String name : graph.initializerProtos().keySet()) {
            var proto = graph.initializerProtos().get(name);
            if (isInteger(proto.getDataType()) && elements(proto.getDimsList()) <= MAX_ELEMENTS) {
                known.put(name, graph.initializer(name));
            }
        }
        for (Node n : graph.nodes()) {
            Tensor result;
            try {
                result = evaluate(n, known, shapes);
            } catch (RuntimeException e) {
                result = null; // an op form we do not fold: the value stays unknown
            }
            if (result != null && result.size() <= MAX_ELEMENTS) {
                known.put(n.output(0), result.withName(n.output(0)));
            }
        }
        return Collections.unmodifiableMap(known);
    }

    private static boolean isInteger(int code) {
        return DataType.isKnownCode(code) && DataType.fromCode(code).storage() == DataType.Storage.LONG;
    }

    private static long elements(List<Long> dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    private static Tensor evaluate(Node n, Map<String, Tensor> known, Map<String, long[]> shapes) {
        switch (n.opType()) {
            case "Constant" -> {
                Tensor t = n.attrTensor("value").orElse(null);
                if (t != null) {
                    return t.type().storage() == DataType.Storage.LONG ? t : null;
                }
                if (n.hasAttribute("value_int")) {
                    return vector(new long[] {n.attrInt("value_int", 0)}, new long[0]);
                }
                if (n.hasAttribute("value_ints")) {
                    long[] v = n.attrInts("value_ints", new long[0]);
                    return vector(v, new long[] {v.length});
                }
                return null;
            }
            case "Shape" -> {
                long[] s = shapes.get(n.input(0));
                if (s == null || Arrays.stream(s).anyMatch(d -> d < 0)) {
                    return null;
                }
                int rank = s.length;
                int start = (int) normalize(n.attrInt("start", 0), rank, true);
                int end = (int) normalize(n.attrInt("end", rank), rank, true);
                long[] v = Arrays.copyOfRange(s, start, Math.max(start, end));
                return vector(v, new long[] {v.length});
            }
            case "Size" -> {
                long[] s = shapes.get(n.input(0));
                return s == null ? null : vector(new long[] {CostModel.numel(s)}, new long[0]);
            }
            default -> { }
        }
        for (String in : n.inputs()) {
            if (!in.isEmpty() && !known.containsKey(in)) {
                return null;
            }
        }
        if (n.inputs().isEmpty()) {
            return null;
        }
        Tensor a = known.get(n.input(0));
        return switch (n.opType()) {
            case "Identity", "Cast" -> castIfInteger(n, a);
            case "Gather" -> gather(a, known.get(n.input(1)), n.attrInt("axis", 0));
            case "Unsqueeze" -> a.reshape(unsqueezedShape(a.shape(), axesOf(n, known)));
            case "Squeeze" -> a.reshape(squeezedShape(a.shape(), axesOf(n, known)));
            case "Concat" -> concat(n, known);
            case "Add", "Sub", "Mul", "Div", "Equal" -> binary(n.opType(), a, known.get(n.input(1)));
            case "Where" -> where(a, known.get(n.input(1)), known.get(n.input(2)));
            case "Slice" -> slice(n, a, known);
            case "Reshape" -> a.reshape(reshapeTarget(a, known.get(n.input(1))));
            case "ReduceProd" -> vector(new long[] {Arrays.stream(a.longs()).reduce(1, (x, y) -> x * y)},
                    n.attrInt("keepdims", 1) == 1 ? new long[] {1} : new long[0]);
            case "ConstantOfShape" -> constantOfShape(n, a);
            case "Range" -> range(a, known.get(n.input(1)), known.get(n.input(2)));
            default -> null;
        };
    }

    private static Tensor vector(long[] values, long[] shape) {
        return Tensor.ofLongs("", DataType.INT64, shape, values);
    }

    private static Tensor castIfInteger(Node n, Tensor a) {
        if (n.opType().equals("Cast")) {
            int to = (int) n.attrInt("to", 0);
            if (!isInteger(to)) {
                return null;
            }
        }
        return a;
    }

    private static long normalize(long axis, long rank, boolean clamp) {
        long v = axis < 0 ? axis + rank : axis;
        return clamp ? Math.max(0, Math.min(rank, v)) : v;
    }

    private static long[] axesOf(Node n, Map<String, Tensor> known) {
        if (n.hasAttribute("axes")) {
            return n.attrInts("axes", new long[0]);
        }
        Tensor axes = n.input(1).isEmpty() ? null : known.get(n.input(1));
        return axes == null ? null : axes.longs();
    }

    private static long[] unsqueezedShape(long[] shape, long[] axes) {
        int rank = shape.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long ax : axes) {
            inserted[(int) normalize(ax, rank, false)] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : shape[j++];
        }
        return out;
    }

    private static long[] squeezedShape(long[] shape, long[] axes) {
        boolean[] drop = new boolean[shape.length];
        if (axes == null) {
            for (int i = 0; i < shape.length; i++) {
                drop[i] = shape[i] == 1;
            }
        } else {
            for (long ax : axes) {
                drop[(int) normalize(ax, shape.length, false)] = true;
            }
        }
        return java.util.stream.IntStream.range(0, shape.length).filter(i -> !drop[i]).mapToLong(i -> shape[i]).toArray();
    }

    private static Tensor gather(Tensor data, Tensor indices, long axis) {
        if (data.rank() != 1) {
            return null;
        }
        long[] src = data.longs();
        long[] idx = indices.longs();
        long[] out = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = src[(int) (idx[i] < 0 ? idx[i] + src.length : idx[i])];
        }
        return Tensor.ofLongs("", data.type(), indices.shape(), out);
    }

    private static Tensor concat(Node n, Map<String, Tensor> known) {
        long total = 0;
        for (String in : n.inputs()) {
            Tensor t = known.get(in);
            if (t.rank() != 1) {
                return null;
            }
            total += t.size();
        }
        long[] out = new long[(int) total];
        int pos = 0;
        for (String in : n.inputs()) {
            long[] v = known.get(in).longs();
            System.arraycopy(v, 0, out, pos, v.length);
            pos += v.length;
        }
        return vector(out, new long[] {total});
    }

    private static Tensor binary(String op, Tensor a, Tensor b) {
        long[] x = a.longs();
        long[] y = b.longs();
        if (x.length != y.length && x.length != 1 && y.length != 1) {
            return null;
        }
        int len = Math.max(x.length, y.length);
        long[] out = new long[len];
        for (int i = 0; i < len; i++) {
            long p = x[x.length == 1 ? 0 : i];
            long q = y[y.length == 1 ? 0 : i];
            out[i] = switch (op) {
                case "Add" -> p + q;
                case "Sub" -> p - q;
                case "Mul" -> p * q;
                case "Equal" -> p == q ? 1 : 0;
                default -> Math.floorDiv(p, q);
            };
        }
        long[] shape = x.length >= y.length ? a.shape() : b.shape();
        return Tensor.ofLongs("", op.equals("Equal") ? DataType.BOOL : a.type(), shape, out);
    }

    /** Element-wise choice over equally long (or scalar) integer vectors. */
    private static Tensor where(Tensor cond, Tensor a, Tensor b) {
        long[] c = cond.longs();
        long[] x = a.longs();
        long[] y = b.longs();
        int len = Math.max(c.length, Math.max(x.length, y.length));
        long[] out = new long[len];
        for (int i = 0; i < len; i++) {
            out[i] = c[c.length == 1 ? 0 : i] != 0 ? x[x.length == 1 ? 0 : i] : y[y.length == 1 ? 0 : i];
        }
        long[] shape = c.length == len ? cond.shape() : x.length == len ? a.shape() : b.shape();
        return Tensor.ofLongs("", a.type(), shape, out);
    }

    private static Tensor slice(Node n, Tensor data, Map<String, Tensor> known) {
        if (data.rank() != 1) {
            return null;
        }
        long len = data.size();
        long start = known.get(n.input(1)).longs()[0];
        long end = known.get(n.input(2)).longs()[0];
        long step = n.input(4).isEmpty() ? 1 : known.get(n.input(4)).longs()[0];
        if (step != 1) {
            return null;
        }
        start = normalize(start, len, true);
        end = end >= Long.MAX_VALUE / 2 ? len : normalize(end, len, true);
        long[] v = Arrays.copyOfRange(data.longs(), (int) start, (int) Math.max(start, end));
        return Tensor.ofLongs("", data.type(), new long[] {v.length}, v);
    }

    private static long[] reshapeTarget(Tensor data, Tensor shapeTensor) {
        long[] target = shapeTensor.longs().clone();
        long[] in = data.shape();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0) {
                target[i] = in[i];
            }
            if (target[i] == -1) {
                infer = i;
            } else {
                known *= target[i];
            }
        }
        if (infer >= 0) {
            target[infer] = data.size() / known;
        }
        return target;
    }

    private static Tensor constantOfShape(Node n, Tensor shape) {
        Tensor value = n.attrTensor("value").orElse(null);
        if (value != null && value.type().storage() != DataType.Storage.LONG) {
            return null;
        }
        long fill = value == null ? 0 : value.longs()[0];
        long[] dims = shape.longs();
        long[] out = new long[(int) CostModel.numel(dims)];
        Arrays.fill(out, fill);
        return Tensor.ofLongs("", value == null ? DataType.INT64 : value.type(), dims, out);
    }

    private static Tensor range(Tensor start, Tensor limit, Tensor delta) {
        long s = start.longs()[0];
        long l = limit.longs()[0];
        long d = delta.longs()[0];
        long count = Math.max(0, (long) Math.ceil((double) (l - s) / d));
        long[] out = new long[(int) count];
        for (int i = 0; i < count; i++) {
            out[i] = s + i * d;
        }
        return Tensor.ofLongs("", start.type(), new long[] {count}, out);
    }
}
