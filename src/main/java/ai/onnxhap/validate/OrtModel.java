package ai.onnxhap.validate;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.data.TensorRows;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * An ONNX Runtime session for an {@link OnnxModel}. Owns the session, its options and any temporary copy
 * of the model; {@link #close()} frees them (twice is harmless). Runs are converted from and to
 * {@link Tensor}s, and every native value made for a run is closed before the run returns.
 */
public final class OrtModel implements AutoCloseable {
    /** Where the model runs. */
    public enum Device {
        CPU, CUDA,
        /** CUDA when this ONNX Runtime build and the machine have it, else CPU. */
        AUTO;

        /** Parses a user's --device value: cpu, cuda (or gpu), auto. */
        public static Device parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "cpu" -> CPU;
                case "cuda", "gpu" -> CUDA;
                case "auto" -> AUTO;
                default -> throw OnnxHapException.usage("unknown device '" + s + "'; use cpu, cuda or auto");
            };
        }
    }

    /** ONNX Runtime's graph optimization levels. */
    public enum Optimization {
        NONE(OrtSession.SessionOptions.OptLevel.NO_OPT),
        BASIC(OrtSession.SessionOptions.OptLevel.BASIC_OPT),
        EXTENDED(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT),
        ALL(OrtSession.SessionOptions.OptLevel.ALL_OPT);

        private final OrtSession.SessionOptions.OptLevel level;

        Optimization(OrtSession.SessionOptions.OptLevel level) {
            this.level = level;
        }
    }

    /**
     * @param intraOpThreads threads inside one operator; fixed so that latency is reproducible
     */
    public record Options(int intraOpThreads, Optimization optimization, Device device) {
        public Options {
            if (intraOpThreads < 1) {
                throw new IllegalArgumentException("intra-op thread count must be at least 1, got " + intraOpThreads);
            }
            Objects.requireNonNull(optimization, "optimization");
            Objects.requireNonNull(device, "device");
        }

        /** All processors, every optimization, CPU. */
        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), Optimization.ALL, Device.CPU);
        }

        public Options withThreads(int threads) {
            return new Options(threads, optimization, device);
        }

        public Options withOptimization(Optimization level) {
            return new Options(intraOpThreads, level, device);
        }

        public Options withDevice(Device d) {
            return new Options(intraOpThreads, optimization, d);
        }
    }

    private final OnnxModel model;
    private final Options options;
    private final OrtSession.SessionOptions sessionOptions;
    private final OrtSession session;
    private final Path tempDir;
    private final Device device;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final Map<String, TensorInfo> inputInfo;
    private boolean closed;

    private OrtModel(OnnxModel model, Options options, OrtSession.SessionOptions so, OrtSession session,
                     Path tempDir, Device device) throws OrtException {
        this.model = model;
        this.options = options;
        this.sessionOptions = so;
        this.session = session;
        this.tempDir = tempDir;
        this.device = device;
        this.inputNames = List.copyOf(session.getInputNames());
        this.outputNames = List.copyOf(session.getOutputNames());
        Map<String, TensorInfo> info = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo ti) {
                info.put(e.getKey(), ti);
            }
        }
        this.inputInfo = Map.copyOf(info);
    }

    public static OrtModel open(OnnxModel model) {
        return open(model, Options.defaults());
    }

    public static OrtModel open(OnnxModel model, Options options) {
        return open(model, options, OnnxModel.INLINE_LIMIT_BYTES);
    }

    /** @param inlineLimit models this large or larger are handed to ONNX Runtime through a temporary file */
    static OrtModel open(OnnxModel model, Options options, long inlineLimit) {
        OrtEnvironment env = environment();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        Path tempDir = null;
        OrtSession session = null;
        try {
            so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setOptimizationLevel(options.optimization().level);
            Device device = addDevice(so, options.device());
            if (model.inlinedSizeEstimate() < inlineLimit) {
                session = env.createSession(model.toBytes(), so);
            } else {
                // Too big for one protobuf in memory: ONNX Runtime reads it, with external data, from disk.
                tempDir = Files.createTempDirectory("onnx-hap-ort");
                Path file = tempDir.resolve("model.onnx");
                ModelIO.save(model, file);
                session = env.createSession(file.toString(), so);
            }
            return new OrtModel(model, options, so, session, tempDir, device);
        } catch (OrtException e) {
            closeQuietly(session, so, tempDir);
            throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "ONNX Runtime cannot load " + model.label()
                    + ": " + message(e), e);
        } catch (IOException e) {
            closeQuietly(session, so, tempDir);
            throw OnnxHapException.io("cannot write a temporary copy of " + model.label() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session, so, tempDir);
            throw e;
        }
    }

    private static OrtEnvironment environment() {
        try {
            return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "onnx-hap");
        } catch (RuntimeException | LinkageError e) {
            throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "cannot start ONNX Runtime on this platform: "
                    + e.getMessage(), e);
        }
    }

    /** Whether this ONNX Runtime build has the CUDA execution provider. */
    public static boolean cudaAvailable() {
        environment();
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    private static Device addDevice(OrtSession.SessionOptions so, Device wanted) {
        if (wanted == Device.CPU || (wanted == Device.AUTO && !cudaAvailable())) {
            return Device.CPU;
        }
        if (!cudaAvailable()) {
            throw OnnxHapException.usage("device 'cuda' needs the GPU build of ONNX Runtime (onnxruntime_gpu); "
                    + "this one supports " + OrtEnvironment.getAvailableProviders());
        }
        try {
            so.addCUDA(0);
            return Device.CUDA;
        } catch (OrtException e) {
            if (wanted == Device.AUTO) {
                return Device.CPU;
            }
            throw OnnxHapException.usage("cannot use CUDA: " + message(e));
        }
    }

    private static void closeQuietly(OrtSession session, OrtSession.SessionOptions so, Path tempDir) {
        try {
            if (session != null) {
                session.close();
            }
        } catch (OrtException ignored) {
            // already failing; the first error is the one to report
        }
        so.close();
        deleteTree(tempDir);
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a stray temporary folder is harmless
        }
    }

    /** ONNX Runtime's message without its error-code prefix, on one line. */
    static String message(OrtException e) {
        String m = e.getMessage() == null ? e.getCode().name() : e.getMessage();
        m = m.replaceFirst("^Error code - \\w+ - message[:\\s-]+", "").replaceAll("\\s+", " ").trim();
        return m.length() > 400 ? m.substring(0, 400) + "..." : m;
    }

    public OnnxModel model() {
        return model;
    }

    public Options options() {
        return options;
    }

    /** The device the session actually runs on (AUTO resolved). */
    public Device device() {
        return device;
    }

    public List<String> inputNames() {
        ensureOpen();
        return inputNames;
    }

    public List<String> outputNames() {
        ensureOpen();
        return outputNames;
    }

    /** Runs once; returns every tensor output by name, in the model's output order (non-tensor outputs are skipped). */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return runSession(inputs, (name, value) -> value instanceof OnnxTensor t ? toTensor(name, t) : null);
    }

    /**
     * Runs the data in batches of {@code batchSize} and concatenates the outputs along axis 0. The data is
     * bound to the model's inputs first ({@link ModelInputs#bind}). When the model fixes the batch size,
     * that size is used and the last batch is padded by repeating its last sample.
     */
    public Map<String, Tensor> run(DataSet data, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        ensureOpen();
        DataSet bound = ModelInputs.bind(data, model);
        int fixed = fixedBatch();
        int batch = fixed > 0 ? fixed : Math.min(batchSize, bound.size());
        List<DataSet> batches = bound.batches(batch);
        Map<String, List<Tensor>> parts = new LinkedHashMap<>();
        for (DataSet b : batches) {
            int rows = b.size();
            Map<String, Tensor> feed = fixed > 0 && rows < fixed ? pad(b.inputs(), fixed) : b.inputs();
            int fed = fixed > 0 ? Math.max(rows, fixed) : rows;
            for (Map.Entry<String, Tensor> e : run(feed).entrySet()) {
                Tensor t = e.getValue();
                boolean sampleAxis = t.rank() > 0 && t.dim(0) == fed;
                if (!sampleAxis && !(batches.size() == 1 && fed == rows)) {
                    throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "output '" + e.getKey() + "' has shape "
                            + ModelInputs.shapeString(t.shape()) + " for a batch of " + fed
                            + "; batched runs need outputs with the sample axis first");
                }
                parts.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(sampleAxis && rows < fed ? TensorRows.slice(t, 0, rows) : t);
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        parts.forEach((k, v) -> {
            try {
                result.put(k, v.size() == 1 ? v.get(0) : TensorRows.concat(v));
            } catch (IllegalArgumentException e) {
                throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "output '" + k + "' changes shape from "
                        + "batch to batch (" + e.getMessage() + "); run it with one batch");
            }
        });
        return result;
    }

    /** The batch size every input fixes on axis 0, or 0 when it is dynamic. */
    private int fixedBatch() {
        long fixed = 0;
        for (TensorInfo ti : inputInfo.values()) {
            long[] s = ti.getShape();
            if (s.length == 0 || s[0] <= 0) {
                return 0;
            }
            fixed = s[0];
        }
        return (int) fixed;
    }

    private static Map<String, Tensor> pad(Map<String, Tensor> inputs, int rows) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        inputs.forEach((k, t) -> {
            int[] idx = new int[rows];
            for (int i = 0; i < rows; i++) {
                idx[i] = (int) Math.min(i, t.dim(0) - 1);
            }
            out.put(k, TensorRows.gather(t, idx));
        });
        return out;
    }

    /** Runs once and maps every output through {@code convert}; null results are dropped. */
    <T> Map<String, T> runSession(Map<String, Tensor> inputs, BiFunction<String, OnnxValue, T> convert) {
        ensureOpen();
        checkNames(inputs);
        List<OnnxTensor> created = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = feed(inputs, created);
            try (OrtSession.Result result = session.run(feed)) {
                Map<String, T> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    T v = convert.apply(e.getKey(), e.getValue());
                    if (v != null) {
                        out.put(e.getKey(), v);
                    }
                }
                return out;
            }
        } catch (OrtException e) {
            throw runFailure(e);
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    /**
     * Runs the same inputs warmup + runs times and returns the wall time of each timed run in nanoseconds.
     * Only the session run is timed: inputs are made once and outputs are not converted.
     */
    long[] time(Map<String, Tensor> inputs, int warmup, int runs) {
        ensureOpen();
        checkNames(inputs);
        List<OnnxTensor> created = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = feed(inputs, created);
            long[] nanos = new long[runs];
            for (int i = 0; i < warmup + runs; i++) {
                long start = System.nanoTime();
                try (OrtSession.Result ignored = session.run(feed)) {
                    long elapsed = System.nanoTime() - start;
                    if (i >= warmup) {
                        nanos[i - warmup] = elapsed;
                    }
                }
            }
            return nanos;
        } catch (OrtException e) {
            throw runFailure(e);
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    private void checkNames(Map<String, Tensor> inputs) {
        for (String name : inputs.keySet()) {
            if (!inputNames.contains(name)) {
                throw OnnxHapException.usage(model.label() + " has no input '" + name + "'; its inputs are "
                        + inputNames);
            }
        }
        for (String name : inputNames) {
            if (!inputs.containsKey(name)) {
                throw OnnxHapException.usage("no value given for input '" + name + "' of " + model.label());
            }
        }
    }

    private Map<String, OnnxTensor> feed(Map<String, Tensor> inputs, List<OnnxTensor> created) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            OnnxTensor t = toOnnx(e.getKey(), e.getValue());
            created.add(t);
            feed.put(e.getKey(), t);
        }
        return feed;
    }

    private OnnxHapException runFailure(OrtException e) {
        // Invalid arguments are the caller's inputs (shape, type); anything else is the model failing.
        ErrorCode code = e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT
                ? ErrorCode.USAGE : ErrorCode.MODEL_NOT_SUPPORTED;
        return new OnnxHapException(code, "ONNX Runtime failed running " + model.label() + ": " + message(e), e);
    }

    private static OnnxTensor toOnnx(String name, Tensor t) throws OrtException {
        OrtEnvironment env = environment();
        long[] shape = t.shape();
        if (t.type() == DataType.STRING) {
            String[] s = t.strings().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toArray(String[]::new);
            return OnnxTensor.createTensor(env, s, shape);
        }
        OnnxJavaType javaType = switch (t.type()) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case INT64 -> OnnxJavaType.INT64;
            case INT32 -> OnnxJavaType.INT32;
            case INT16 -> OnnxJavaType.INT16;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case BFLOAT16 -> OnnxJavaType.BFLOAT16;
            default -> throw OnnxHapException.usage("input '" + name + "' has type " + ModelInputs.typeName(t.type())
                    + ", which ONNX Runtime's Java API cannot feed");
        };
        // ONNX Runtime wants native order; raw_data's little-endian is that on every platform it ships for.
        ByteBuffer raw = TensorCodec.rawBytes(t);
        ByteBuffer direct = ByteBuffer.allocateDirect(raw.remaining()).order(ByteOrder.nativeOrder());
        direct.put(raw).flip();
        return OnnxTensor.createTensor(env, direct, shape, javaType);
    }

    /** ONNX Runtime's Java enum numbers types its own way; its names carry the ONNX type names. */
    static DataType typeOf(TensorInfo info) {
        String name = info.onnxType.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "");
        try {
            return DataType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "ONNX Runtime returned a tensor of type "
                    + name.toLowerCase(Locale.ROOT) + ", which onnx-hap cannot read");
        }
    }

    private static Tensor toTensor(String name, OnnxTensor t) {
        TensorInfo info = t.getInfo();
        DataType type = typeOf(info);
        long[] shape = info.getShape();
        if (type == DataType.STRING) {
            List<byte[]> out = new ArrayList<>();
            try {
                flattenStrings(t.getValue(), out);
            } catch (OrtException e) {
                throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "cannot read output '" + name + "': "
                        + message(e), e);
            }
            return Tensor.ofStrings(name, shape, out);
        }
        ByteBuffer bytes = t.getByteBuffer();
        if (bytes == null) {
            throw new OnnxHapException(ErrorCode.MODEL_NOT_SUPPORTED, "output '" + name + "' has type "
                    + ModelInputs.typeName(type) + ", which ONNX Runtime's Java API cannot read");
        }
        TensorProto header = TensorProto.newBuilder().setName(name).setDataType(type.code())
                .addAllDims(Arrays.stream(shape).boxed().toList()).build();
        return TensorCodec.decode(header, bytes.order(ByteOrder.LITTLE_ENDIAN));
    }

    private static void flattenStrings(Object value, List<byte[]> out) {
        if (value instanceof String s) {
            out.add(s.getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof Object[] arr) {
            for (Object o : arr) {
                flattenStrings(o, out);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the ONNX Runtime session for " + model.label() + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(session, sessionOptions, tempDir);
    }
}
