package ai.onnxhap.data;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.FloatFormats;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.TensorShapeProto;
import ai.onnxhap.onnx.TypeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A model's real inputs (graph inputs that are not initializers) and the binding of a {@link DataSet}
 * to them: names, rank, static dimensions, element type, finite values. Every failure is one line.
 */
public final class ModelInputs {
    /** Names the loaders give arrays whose position, not name, says which input they feed. */
    private static final Pattern POSITIONAL = Pattern.compile("(?:arr|input)_(\\d+)");

    private ModelInputs() {
    }

    /** The graph inputs a caller must feed, in graph order. */
    public static List<InputSpec> specs(OnnxModel model) {
        GraphProto g = model.proto().getGraph();
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            initializers.add(t.getName());
        }
        g.getSparseInitializerList().forEach(s -> initializers.add(s.getValues().getName()));
        List<InputSpec> specs = new ArrayList<>();
        for (ValueInfoProto in : g.getInputList()) {
            if (!initializers.contains(in.getName())) {
                specs.add(spec(in));
            }
        }
        return List.copyOf(specs);
    }

    private static InputSpec spec(ValueInfoProto in) {
        TypeProto type = in.getType();
        if (!type.hasTensorType()) {
            throw OnnxHapException.invalidModel("input '" + in.getName() + "' is not a tensor ("
                    + type.getValueCase().name().toLowerCase() + "); onnx-hap feeds tensor inputs only");
        }
        TypeProto.Tensor tt = type.getTensorType();
        if (!DataType.isKnownCode(tt.getElemType()) || tt.getElemType() == 0) {
            throw OnnxHapException.invalidModel("input '" + in.getName() + "' has unknown element type "
                    + tt.getElemType());
        }
        List<InputSpec.Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
            dims.add(d.hasDimValue() && d.getDimValue() >= 0 ? InputSpec.Dim.fixed(d.getDimValue())
                    : InputSpec.Dim.dynamic(d.getDimParam()));
        }
        return new InputSpec(in.getName(), DataType.fromCode(tt.getElemType()), dims, tt.hasShape());
    }

    /**
     * Maps the data's arrays onto the model's inputs (by name; arrays named {@code arr_N} or {@code input_N}
     * fill the remaining inputs in order), checks each and converts compatible element types (float64 to
     * float32, narrower integers to wider ones). Axis 0 is the sample axis and is not checked against a
     * static size: batches are padded to it when run.
     *
     * @return the data with the model's input names, in graph order, and the model's element types
     */
    public static DataSet bind(DataSet data, OnnxModel model) {
        List<InputSpec> specs = specs(model);
        Map<String, String> byName = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        Set<String> wanted = specs.stream().map(InputSpec::name).collect(Collectors.toSet());
        for (String name : data.names()) {
            if (wanted.contains(name)) {
                byName.put(name, name);
            } else if (POSITIONAL.matcher(name).matches()) {
                positional.add(name);
            } else {
                throw OnnxHapException.usage("data array '" + name + "' matches no model input; model inputs are "
                        + names(specs));
            }
        }
        positional.sort(Comparator.comparingInt(ModelInputs::position));
        List<InputSpec> unbound = specs.stream().filter(s -> !byName.containsKey(s.name())).toList();
        if (positional.size() > unbound.size()) {
            throw OnnxHapException.usage("data has " + data.names().size() + " arrays " + data.names()
                    + " but the model has " + specs.size() + " inputs " + names(specs));
        }
        for (int i = 0; i < positional.size(); i++) {
            byName.put(unbound.get(i).name(), positional.get(i));
        }
        Map<String, Column> bound = new LinkedHashMap<>();
        for (InputSpec spec : specs) {
            String array = byName.get(spec.name());
            if (array == null) {
                throw OnnxHapException.usage("model input '" + spec.name() + "' has no data; data has arrays "
                        + data.names());
            }
            bound.put(spec.name(), check(spec, data.column(array)));
        }
        data.labels().ifPresent(labels -> checkLabelRange(labels, model));
        return DataSet.ofColumns(bound, data.labels().orElse(null), data.expectedOutputs());
    }

    /**
     * The number of classes a classifier's first output declares: the static last axis of a [N, C] output,
     * or 0 when the model does not say.
     */
    public static int classCount(OnnxModel model) {
        var out = firstFloatOutput(model);
        if (out == null) {
            return 0;
        }
        TensorShapeProto shape = out.getType().getTensorType().getShape();
        if (shape.getDimCount() != 2 || !shape.getDim(1).hasDimValue()) {
            return 0;
        }
        long c = shape.getDim(1).getDimValue();
        return c > 0 && c <= Integer.MAX_VALUE ? (int) c : 0;
    }

    /** The first floating-point tensor output: a label or ZipMap output of a classifier holds no logits. */
    private static ai.onnxhap.onnx.ValueInfoProto firstFloatOutput(OnnxModel model) {
        for (var o : model.proto().getGraph().getOutputList()) {
            int type = o.getType().hasTensorType() ? o.getType().getTensorType().getElemType() : 0;
            if (ai.onnxhap.model.DataType.isKnownCode(type)
                    && ai.onnxhap.model.DataType.fromCode(type).storage() == ai.onnxhap.model.DataType.Storage.FLOAT) {
                return o;
            }
        }
        return null;
    }

    /** Cross-entropy would index past the logits, or TF would fail deep inside: refuse such labels here. */
    private static void checkLabelRange(Tensor labels, OnnxModel model) {
        int classes = classCount(model);
        if (classes == 0) {
            return;
        }
        long[] v = labels.longs();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] >= classes) {
                // Worded as Validator.accuracy words it, which checks the same thing on outputs.
                throw OnnxHapException.usage("label " + v[i] + " of sample " + i + " is out of range for output '"
                        + firstFloatOutput(model).getName() + "' with " + classes + " classes");
            }
        }
    }

    private static int position(String name) {
        Matcher m = POSITIONAL.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    private static String names(List<InputSpec> specs) {
        return specs.stream().map(InputSpec::name).collect(Collectors.joining(", ", "[", "]"));
    }

    private static Column check(InputSpec spec, Column column) {
        String what = "input '" + spec.name() + "'";
        long[] shape = column.shape();
        if (spec.rankKnown()) {
            boolean ok = spec.rank() == shape.length;
            for (int i = 1; ok && i < shape.length; i++) {
                InputSpec.Dim d = spec.shape().get(i);
                ok = !d.isStatic() || d.value() == shape[i];
            }
            if (!ok) {
                throw OnnxHapException.usage(what + " expects shape " + spec.shapeString() + ", data has "
                        + shapeString(shape));
            }
        }
        return checkValues(what, column, spec.type());
    }

    /**
     * Refuses NaN/Inf and values that do not fit {@code type}, naming the sample; returns the column
     * converted to {@code type}. A streamed column is read through once, a chunk at a time, so bad values
     * fail now rather than mid-training, and is marked as checked so later binds need not read it again.
     */
    static Column checkValues(String what, Column column, DataType type) {
        if (column instanceof Column.Held held) {
            Tensor t = held.tensor();
            checkFinite(what, t, 0);
            return new Column.Held(convert(what, t, type, 0));
        }
        Column.Streamed streamed = (Column.Streamed) column;
        if (streamed.checked() && streamed.type() == type) {
            return streamed;
        }
        long[] shape = streamed.shape();
        int rows = streamed.rows().length;
        int chunk = DataSet.chunkRows(streamed);
        long rowSize = Tensor.elementCount(java.util.Arrays.copyOfRange(shape, 1, shape.length));
        for (int from = 0; from < rows; from += chunk) {
            Tensor part = streamed.slice(from, Math.min(rows, from + chunk)).tensor("");
            checkFinite(what, part, from);
            convert(what, part, type, from * rowSize);
        }
        return new Column.Streamed(streamed.source(), streamed.rows(), type, true);
    }

    /** @param firstSample the sample index of {@code t}'s first row, for messages */
    private static void checkFinite(String what, Tensor t, long firstSample) {
        int at = -1;
        double bad = 0;
        if (t.type().storage() == DataType.Storage.FLOAT) {
            float[] v = t.floats();
            for (int i = 0; i < v.length && at < 0; i++) {
                at = Float.isFinite(v[i]) ? -1 : i;
            }
            bad = at >= 0 ? v[at] : 0;
        } else if (t.type().storage() == DataType.Storage.DOUBLE) {
            double[] v = t.doubles();
            for (int i = 0; i < v.length && at < 0; i++) {
                at = Double.isFinite(v[i]) ? -1 : i;
            }
            bad = at >= 0 ? v[at] : 0;
        }
        if (at >= 0) {
            long row = Math.max(1, TensorRows.rowSize(t));
            throw OnnxHapException.usage(what + " has " + (Double.isNaN(bad) ? "NaN" : "Inf") + " in sample "
                    + (firstSample + at / row) + " (index " + (firstSample * row + at) + ")");
        }
    }

    /** Converts between float kinds or to an integer type the values fit; anything else is refused. */
    static Tensor convert(String what, Tensor t, DataType to) {
        return convert(what, t, to, 0);
    }

    /** @param firstIndex the flat index of {@code t}'s first value in the whole array, for messages */
    private static Tensor convert(String what, Tensor t, DataType to, long firstIndex) {
        DataType from = t.type();
        if (from == to) {
            return t;
        }
        if (isFloat(from) && isFloat(to)) {
            double[] v = t.toDoubles();
            if (to.storage() == DataType.Storage.DOUBLE) {
                return Tensor.ofDoubles(t.name(), to, t.shape(), v);
            }
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = round(to, (float) v[i]);
                if (Float.isInfinite(f[i])) {
                    throw OnnxHapException.usage(what + " value " + v[i] + " at index " + (firstIndex + i)
                            + " is out of " + typeName(to) + " range");
                }
            }
            return Tensor.ofFloats(t.name(), to, t.shape(), f);
        }
        if (isInteger(from) && isInteger(to)) {
            long[] v = t.longs();
            for (int i = 0; i < v.length; i++) {
                if (!fits(from, v[i], to)) {
                    throw OnnxHapException.usage(what + " expects " + typeName(to) + ", data value "
                            + (from == DataType.UINT64 ? Long.toUnsignedString(v[i]) : v[i]) + " at index "
                            + (firstIndex + i) + " does not fit");
                }
            }
            return Tensor.ofLongs(t.name(), to, t.shape(), v);
        }
        throw OnnxHapException.usage(what + " expects " + typeName(to) + ", data is " + typeName(from));
    }

    private static float round(DataType to, float v) {
        return switch (to) {
            case FLOAT16 -> FloatFormats.halfToFloat(FloatFormats.floatToHalf(v));
            case BFLOAT16 -> FloatFormats.bfloat16ToFloat(FloatFormats.floatToBfloat16(v));
            default -> v;
        };
    }

    static boolean isFloat(DataType t) {
        return t == DataType.FLOAT || t == DataType.DOUBLE || t == DataType.FLOAT16 || t == DataType.BFLOAT16;
    }

    static boolean isInteger(DataType t) {
        return t.storage() == DataType.Storage.LONG && t != DataType.BOOL && t.bits() >= 8;
    }

    private static boolean fits(DataType from, long v, DataType to) {
        if (from == DataType.UINT64 && v < 0) {
            return to == DataType.UINT64;
        }
        return switch (to) {
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case UINT8 -> v >= 0 && v <= 0xff;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case UINT16 -> v >= 0 && v <= 0xffff;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            case UINT32 -> v >= 0 && v <= 0xffffffffL;
            case UINT64 -> v >= 0;
            default -> true;
        };
    }

    /**
     * One random input per model input, every dimension concrete: static ones as declared, dynamic ones from
     * {@code dimOverrides} (by symbolic name) or 1. Values: standard-normal floats, zeros for integers
     * (valid as indices), random booleans.
     */
    public static Map<String, Tensor> randomSample(OnnxModel model, Map<String, Long> dimOverrides, long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (InputSpec spec : specs(model)) {
            long[] shape = new long[spec.rank()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = concreteDim(spec, i, dimOverrides, 1);
            }
            out.put(spec.name(), random(spec, shape, rnd));
        }
        return out;
    }

    /** A dynamic axis takes its override, else {@code fallback}; a static one keeps its size. */
    static long concreteDim(InputSpec spec, int axis, Map<String, Long> dimOverrides, long fallback) {
        if (!spec.rankKnown()) {
            throw OnnxHapException.usage("input '" + spec.name() + "' declares no shape; give data with --data");
        }
        InputSpec.Dim d = spec.shape().get(axis);
        long v = d.isStatic() ? d.value() : dimOverrides.getOrDefault(d.param(), fallback);
        if (v < 0) {
            throw OnnxHapException.usage("dimension '" + d.param() + "' of input '" + spec.name() + "' cannot be " + v);
        }
        return v;
    }

    static Tensor random(InputSpec spec, long[] shape, Random rnd) {
        long n = Tensor.elementCount(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw OnnxHapException.usage("random input '" + spec.name() + "' of shape " + shapeString(shape)
                    + " is too large; give smaller dimensions");
        }
        int count = (int) n;
        DataType type = spec.type();
        if (isFloat(type)) {
            double[] v = new double[count];
            for (int i = 0; i < count; i++) {
                v[i] = rnd.nextGaussian();
            }
            return convert("input '" + spec.name() + "'", Tensor.ofDoubles(spec.name(), DataType.DOUBLE, shape, v), type);
        }
        if (type == DataType.BOOL) {
            long[] v = new long[count];
            for (int i = 0; i < count; i++) {
                v[i] = rnd.nextBoolean() ? 1 : 0;
            }
            return Tensor.ofLongs(spec.name(), type, shape, v);
        }
        if (isInteger(type)) {
            return Tensor.ofLongs(spec.name(), type, shape, new long[count]);
        }
        throw OnnxHapException.usage("input '" + spec.name() + "' has type " + typeName(type)
                + ", for which onnx-hap cannot make random data; give data with --data");
    }

    /** NumPy's name for an element type (float32, int64, bool, ...). */
    public static String typeName(DataType t) {
        return switch (t) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case FLOAT16 -> "float16";
            default -> t.name().toLowerCase();
        };
    }

    /** A concrete shape as messages print it, e.g. {@code [256,28,28]}. */
    public static String shapeString(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ",").append(shape[i]);
        }
        return sb.append(']').toString();
    }
}
