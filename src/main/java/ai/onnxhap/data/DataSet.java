package ai.onnxhap.data;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Named input tensors that share a sample axis (axis 0, N samples), optional integer labels (INT64 [N])
 * and, for ONNX test-data folders, the expected outputs. Immutable: every operation returns a new set.
 * An array loaded from a .npy is streamed ({@link #isStreamed}): slices, selections and shuffles are index
 * views on the memory-mapped file, and values are read when a batch asks for {@link #input}.
 */
public final class DataSet {
    private final Map<String, Column> columns;
    private final Map<String, Tensor> held;
    private final Tensor labels;
    private final Map<String, Tensor> expectedOutputs;
    private final int size;

    public DataSet(Map<String, Tensor> inputs, Tensor labels) {
        this(inputs, labels, Map.of());
    }

    /**
     * @param expectedOutputs outputs a reference produced for these inputs, each with the sample axis first;
     *                        may be empty
     */
    public DataSet(Map<String, Tensor> inputs, Tensor labels, Map<String, Tensor> expectedOutputs) {
        this(held(inputs), expectedOutputs, labels);
    }

    private static Map<String, Column> held(Map<String, Tensor> inputs) {
        Map<String, Column> out = new LinkedHashMap<>();
        inputs.forEach((k, v) -> out.put(k, new Column.Held(v)));
        return out;
    }

    /** A set whose arrays may be streamed from disk; see {@link Column}. */
    static DataSet ofColumns(Map<String, Column> columns, Tensor labels, Map<String, Tensor> expectedOutputs) {
        return new DataSet(columns, expectedOutputs, labels);
    }

    private DataSet(Map<String, Column> columns, Map<String, Tensor> expectedOutputs, Tensor labels) {
        if (columns.isEmpty()) {
            throw OnnxHapException.usage("data holds no input arrays");
        }
        long n = -1;
        String first = null;
        for (Map.Entry<String, Column> e : columns.entrySet()) {
            long[] shape = e.getValue().shape();
            if (shape.length == 0) {
                throw OnnxHapException.usage("data array '" + e.getKey() + "' is a scalar; arrays need the sample "
                        + "axis first");
            }
            if (n >= 0 && shape[0] != n) {
                throw OnnxHapException.usage("data arrays disagree on the number of samples: '" + first + "' has "
                        + n + ", '" + e.getKey() + "' has " + shape[0]);
            }
            if (n < 0) {
                n = shape[0];
                first = e.getKey();
            }
        }
        if (n > Integer.MAX_VALUE) {
            throw OnnxHapException.usage("data has " + n + " samples, more than onnx-hap handles");
        }
        this.size = (int) n;
        Map<String, Column> named = new LinkedHashMap<>();
        columns.forEach((k, c) -> named.put(k, c instanceof Column.Held h ? new Column.Held(h.tensor(k)) : c));
        this.columns = Collections.unmodifiableMap(named);
        boolean allHeld = named.values().stream().allMatch(c -> c instanceof Column.Held);
        this.held = allHeld ? copyNamed(map(named, (k, c) -> c.tensor(k))) : null;
        this.labels = labels == null ? null : checkLabels(labels, size);
        for (Map.Entry<String, Tensor> e : expectedOutputs.entrySet()) {
            if (e.getValue().rank() == 0 || e.getValue().dim(0) != size) {
                throw new IllegalArgumentException("expected output '" + e.getKey() + "' does not have " + size
                        + " samples on axis 0");
            }
        }
        this.expectedOutputs = copyNamed(expectedOutputs);
    }

    private static Map<String, Tensor> copyNamed(Map<String, Tensor> in) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, v.name().equals(k) ? v : v.withName(k)));
        return Collections.unmodifiableMap(out);
    }

    private static Tensor checkLabels(Tensor labels, int n) {
        if (labels.type() != DataType.INT64) {
            throw OnnxHapException.usage("labels must be int64, got " + ModelInputs.typeName(labels.type()));
        }
        if (labels.rank() != 1 || labels.dim(0) != n) {
            throw OnnxHapException.usage("labels have shape " + ModelInputs.shapeString(labels.shape())
                    + " but the data has " + n + " samples; expected [" + n + "]");
        }
        long[] v = labels.longs();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0) {
                throw OnnxHapException.usage("labels must be integers >= 0; sample " + i + " has " + v[i]);
            }
        }
        return labels.name().equals("labels") ? labels : labels.withName("labels");
    }

    /** The same samples and labels with every input column replaced by {@code f(name, column)}. */
    DataSet mapColumns(java.util.function.BiFunction<String, Column, Column> f) {
        Map<String, Column> out = new LinkedHashMap<>();
        columns.forEach((k, c) -> out.put(k, f.apply(k, c)));
        return new DataSet(out, expectedOutputs, labels);
    }

    public static DataSet of(Map<String, Tensor> inputs) {
        return new DataSet(inputs, null);
    }

    /** Number of samples N. */
    public int size() {
        return size;
    }

    /**
     * Inputs in their original order; unmodifiable. For a streamed set this reads every sample into memory:
     * take {@link #batches} or {@link #slice} first, and {@link #shape} for shapes.
     */
    public Map<String, Tensor> inputs() {
        return held != null ? held : copyNamed(map(columns, (k, c) -> c.tensor(k)));
    }

    public List<String> names() {
        return List.copyOf(columns.keySet());
    }

    /** One input's values; for a streamed set a copy of its rows, so call it on batches. */
    public Tensor input(String name) {
        return column(name).tensor(name);
    }

    /** One input's shape, samples first, without reading any values. */
    public long[] shape(String name) {
        return column(name).shape();
    }

    /** One input's element type. */
    public DataType type(String name) {
        return column(name).type();
    }

    /** True when some input is read from disk on demand rather than held in memory. */
    public boolean isStreamed() {
        return held == null;
    }

    Column column(String name) {
        Column c = columns.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no input '" + name + "' in data with " + names());
        }
        return c;
    }

    Map<String, Column> columns() {
        return columns;
    }

    public Optional<Tensor> labels() {
        return Optional.ofNullable(labels);
    }

    /** Outputs a reference produced for these inputs (ONNX test data); empty when unknown. */
    public Map<String, Tensor> expectedOutputs() {
        return expectedOutputs;
    }

    public DataSet withLabels(Tensor newLabels) {
        return new DataSet(columns, expectedOutputs, newLabels);
    }

    public DataSet withoutLabels() {
        return new DataSet(columns, expectedOutputs, null);
    }

    /** Samples [from, to). */
    public DataSet slice(int from, int to) {
        if (from < 0 || to < from || to > size) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") outside 0.." + size);
        }
        if (from == 0 && to == size) {
            return this;
        }
        return new DataSet(map(columns, (k, c) -> c.slice(from, to)),
                map(expectedOutputs, t -> TensorRows.slice(t, from, to)),
                labels == null ? null : TensorRows.slice(labels, from, to));
    }

    /** Consecutive batches in order; the last may be smaller. Each batch is sliced when first read. */
    public List<DataSet> batches(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        int count = (size + batchSize - 1) / batchSize;
        return new AbstractList<>() {
            @Override
            public DataSet get(int i) {
                Objects.checkIndex(i, count);
                return slice(i * batchSize, Math.min(size, (i + 1) * batchSize));
            }

            @Override
            public int size() {
                return count;
            }
        };
    }

    /** The samples in a random order that depends only on the seed; a streamed set only permutes its indices. */
    public DataSet shuffled(long seed) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Random rnd = new Random(seed);
        for (int i = size - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return select(order);
    }

    /** The samples at the given indices, in that order. */
    public DataSet select(int[] indices) {
        for (int i : indices) {
            Objects.checkIndex(i, size);
        }
        return new DataSet(map(columns, (k, c) -> c.select(indices)),
                map(expectedOutputs, t -> TensorRows.gather(t, indices)),
                labels == null ? null : TensorRows.gather(labels, indices));
    }

    /** Concatenates data sets with the same arrays along the sample axis. */
    public static DataSet concat(List<DataSet> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        DataSet first = parts.get(0);
        Map<String, Tensor> inputs = concatAll(parts, first.columns.keySet(), DataSet::inputs);
        Tensor labels = null;
        if (parts.stream().allMatch(p -> p.labels != null)) {
            labels = TensorRows.concat(parts.stream().map(p -> p.labels).toList());
        }
        Map<String, Tensor> expected = parts.stream().allMatch(p -> p.expectedOutputs.keySet()
                .equals(first.expectedOutputs.keySet()))
                ? concatAll(parts, first.expectedOutputs.keySet(), DataSet::expectedOutputs) : Map.of();
        return new DataSet(inputs, labels, expected);
    }

    private static Map<String, Tensor> concatAll(List<DataSet> parts, Set<String> names,
                                                 Function<DataSet, Map<String, Tensor>> field) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : names) {
            List<Tensor> pieces = new ArrayList<>();
            for (DataSet p : parts) {
                Tensor t = field.apply(p).get(name);
                if (t == null) {
                    throw OnnxHapException.usage("cannot concatenate data: array '" + name + "' is missing from a part");
                }
                pieces.add(t);
            }
            try {
                out.put(name, TensorRows.concat(pieces));
            } catch (IllegalArgumentException e) {
                throw OnnxHapException.usage("cannot concatenate array '" + name + "': " + e.getMessage());
            }
        }
        return out;
    }

    private static Map<String, Tensor> map(Map<String, Tensor> in, UnaryOperator<Tensor> f) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, f.apply(v)));
        return out;
    }

    private static <T> Map<String, T> map(Map<String, Column> in, BiFunction<String, Column, T> f) {
        Map<String, T> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, f.apply(k, v)));
        return out;
    }

    /**
     * A short, stable identifier for provenance: the first 16 hex digits of SHA-256 over every array's
     * name, element type, shape and little-endian bytes (names sorted), then the labels.
     */
    public String fingerprint() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        for (String name : new TreeMap<>(columns).keySet()) {
            Column c = columns.get(name);
            if (c instanceof Column.Held h) {
                digest(sha, "input:" + name, h.tensor());
            } else {
                digestHeader(sha, "input:" + name, c.type(), c.shape());
                // Chunk by chunk: the same bytes as the whole array, without holding it.
                for (DataSet chunk : batches(chunkRows(c))) {
                    digestValues(sha, chunk.input(name));
                }
            }
        }
        if (labels != null) {
            digest(sha, "labels", labels);
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    /** Rows per chunk when a streamed column is read through: about 4 MB of values. */
    static int chunkRows(Column c) {
        long[] s = c.shape();
        long row = Tensor.elementCount(Arrays.copyOfRange(s, 1, s.length));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (1L << 20) / Math.max(1, row)));
    }

    private static void digest(MessageDigest sha, String name, Tensor t) {
        digestHeader(sha, name, t.type(), t.shape());
        digestValues(sha, t);
    }

    private static void digestHeader(MessageDigest sha, String name, DataType type, long[] shape) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer head = ByteBuffer.allocate(16 + n.length + 8 * shape.length);
        head.putInt(n.length).put(n).putInt(type.code()).putLong(shape.length);
        for (long d : shape) {
            head.putLong(d);
        }
        sha.update(head.array(), 0, head.position());
    }

    private static void digestValues(MessageDigest sha, Tensor t) {
        if (t.type() == DataType.STRING) {
            for (byte[] s : t.strings()) {
                sha.update(ByteBuffer.allocate(4).putInt(s.length).array());
                sha.update(s);
            }
        } else {
            sha.update(TensorCodec.rawBytes(t));
        }
    }

    /**
     * Synthetic inputs for a model: standard-normal floats, zeros for integer inputs (valid as indices),
     * random booleans. Axis 0 holds the n samples; other dynamic axes take their size from
     * {@code dimOverrides} (keyed by the symbolic dimension name) or 1.
     */
    public static DataSet random(OnnxModel model, int n, long seed, Map<String, Long> dimOverrides) {
        if (n <= 0) {
            throw new IllegalArgumentException("sample count must be positive, got " + n);
        }
        Random rnd = new Random(seed);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (InputSpec spec : ModelInputs.specs(model)) {
            if (!spec.rankKnown()) {
                throw OnnxHapException.usage("input '" + spec.name() + "' declares no shape; give data with --data");
            }
            if (spec.rank() == 0) {
                throw OnnxHapException.usage("input '" + spec.name() + "' is a scalar; onnx-hap needs inputs with "
                        + "a sample axis first");
            }
            long[] shape = new long[spec.rank()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = i == 0 ? n : ModelInputs.concreteDim(spec, i, dimOverrides, 1);
            }
            inputs.put(spec.name(), ModelInputs.random(spec, shape, rnd));
        }
        if (inputs.isEmpty()) {
            throw OnnxHapException.usage("the model has no inputs to feed");
        }
        return of(inputs);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DataSet[").append(size).append(" samples");
        columns.forEach((k, v) -> sb.append(", ").append(k).append(' ').append(ModelInputs.typeName(v.type()))
                .append(ModelInputs.shapeString(v.shape())));
        return sb.append(labels != null ? ", labels" : "").append(isStreamed() ? ", streamed]" : "]").toString();
    }
}
