package ai.onnxhap.model;

import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.OperatorSetIdProto;
import ai.onnxhap.onnx.TensorProto;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An ONNX model as loaded: the protobuf plus the folder its external data files are relative to.
 * Immutable; changes produce a new instance through {@link #withProto}.
 */
public final class OnnxModel {
    /** protobuf cannot serialize a message of 2 GiB or more; keep a margin for the non-tensor parts. */
    public static final long INLINE_LIMIT_BYTES = (1L << 31) - (64L << 20);

    private final ModelProto proto;
    private final Path source;
    private final Path baseDir;
    /** Views and results computed from this (immutable) model, once: the graph view, exact shapes. */
    private final java.util.concurrent.ConcurrentHashMap<Object, Object> memo = new java.util.concurrent.ConcurrentHashMap<>();

    public OnnxModel(ModelProto proto, Path source, Path baseDir) {
        this.proto = Objects.requireNonNull(proto, "proto");
        this.source = source;
        this.baseDir = baseDir;
    }

    /** A model built in memory; it cannot hold external tensors. */
    public static OnnxModel of(ModelProto proto) {
        return new OnnxModel(proto, null, null);
    }

    public ModelProto proto() {
        return proto;
    }

    /** The file the model was loaded from, if any. */
    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    /** The folder external data locations are resolved against. */
    public Optional<Path> baseDir() {
        return Optional.ofNullable(baseDir);
    }

    /**
     * A value derived from this model, computed on first use and kept as long as the model: the model is
     * immutable, so whatever is computed from it alone stays true. The key says what the value is.
     */
    @SuppressWarnings("unchecked")
    public <T> T memo(Object key, java.util.function.Function<OnnxModel, T> compute) {
        Object v = memo.get(key);
        if (v == null) {
            v = compute.apply(this); // outside computeIfAbsent: computing may memoize other keys of this model
            Object raced = memo.putIfAbsent(key, v);
            v = raced != null ? raced : v;
        }
        return (T) v;
    }

    public OnnxModel withProto(ModelProto newProto) {
        return new OnnxModel(newProto, source, baseDir);
    }

    /** Opset version per domain ("" is the default ONNX domain; "ai.onnx" is folded into it). */
    public Map<String, Long> opsets() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (OperatorSetIdProto op : proto.getOpsetImportList()) {
            String domain = op.getDomain().equals("ai.onnx") ? "" : op.getDomain();
            out.put(domain, op.getVersion());
        }
        return out;
    }

    public long opset() {
        return opsets().getOrDefault("", 0L);
    }

    public boolean hasExternalData() {
        boolean[] found = {false};
        TensorWalk.forEach(proto, t -> found[0] |= ExternalData.isExternal(t));
        return found[0];
    }

    /** A tensor's raw little-endian bytes, read from the external file if needed; null when it uses typed fields. */
    public ByteBuffer rawData(TensorProto t) {
        if (ExternalData.isExternal(t)) {
            if (baseDir == null) {
                throw OnnxHapException.invalidModel("tensor '" + t.getName()
                        + "' has external data but the model has no folder to read it from");
            }
            return ExternalData.of(t).read(baseDir, t.getName());
        }
        return t.hasRawData() ? t.getRawData().asReadOnlyByteBuffer() : null;
    }

    /** Decodes a tensor of this model, reading external data where it lives. */
    public Tensor tensor(TensorProto t) {
        return TensorCodec.decode(t, rawData(t));
    }

    /** The same model with every external tensor's bytes moved into raw_data. */
    public OnnxModel inlined() {
        if (!hasExternalData()) {
            return this;
        }
        ModelProto inlined = TensorWalk.map(proto, t -> ExternalData.isExternal(t) ? inline(t) : t);
        return new OnnxModel(inlined, source, baseDir);
    }

    private TensorProto inline(TensorProto t) {
        ByteBuffer raw = rawData(t);
        return t.toBuilder().clearExternalData().clearDataLocation()
                .setRawData(UnsafeByteOperations.unsafeWrap(raw)).build();
    }

    /** Size of the model once every tensor is inline, counted without serializing (which overflows past 2 GiB). */
    public long inlinedSizeEstimate() {
        long[] total = {0};
        TensorWalk.forEach(proto, t -> {
            if (ExternalData.isExternal(t)) {
                ExternalData ext = ExternalData.of(t);
                total[0] += ext.length() >= 0 ? ext.length() : 0;
            } else {
                total[0] += t.getRawData().size();
            }
        });
        ModelProto skeleton = TensorWalk.map(proto, t -> t.toBuilder().clearRawData().build());
        return total[0] + skeleton.getSerializedSize();
    }

    /** The serialized model with all data inline, as ONNX Runtime takes it from memory. */
    public byte[] toBytes() {
        OnnxModel inlined = inlined();
        if (inlined.inlinedSizeEstimate() >= INLINE_LIMIT_BYTES) {
            throw OnnxHapException.invalidModel("model is too large to hold in one protobuf (2 GB); "
                    + "save it with external data and load it from a file");
        }
        return inlined.proto.toByteArray();
    }

    /**
     * The same model with new values for some initializers (after training): names, element types and shapes
     * stay as the file has them, so the graph is untouched; a value of another shape is refused.
     */
    public OnnxModel withInitializerValues(Map<String, Tensor> values) {
        var graph = proto.getGraph().toBuilder();
        java.util.Set<String> missing = new java.util.TreeSet<>(values.keySet());
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto old = graph.getInitializer(i);
            Tensor v = values.get(old.getName());
            if (v == null) {
                continue;
            }
            missing.remove(old.getName());
            long[] dims = old.getDimsList().stream().mapToLong(Long::longValue).toArray();
            if (!java.util.Arrays.equals(dims, v.shape())) {
                throw new IllegalArgumentException("initializer '" + old.getName() + "' has shape "
                        + java.util.Arrays.toString(dims) + ", new value has " + java.util.Arrays.toString(v.shape()));
            }
            DataType type = DataType.fromCode(old.getDataType());
            Tensor typed = v.type() == type ? v : Tensor.ofFloats(old.getName(), type, dims, v.floats());
            graph.setInitializer(i, TensorCodec.encode(typed.withName(old.getName())).toBuilder()
                    .addAllMetadataProps(old.getMetadataPropsList()).setDocString(old.getDocString()).build());
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no initializers named " + missing);
        }
        return withProto(proto.toBuilder().setGraph(graph).build());
    }

    /** The same model with one metadata_props entry set (replacing any entry of that key). */
    public OnnxModel withMetadata(String key, String value) {
        ModelProto.Builder b = proto.toBuilder();
        for (int i = b.getMetadataPropsCount() - 1; i >= 0; i--) {
            if (b.getMetadataProps(i).getKey().equals(key)) {
                b.removeMetadataProps(i);
            }
        }
        b.addMetadataProps(ai.onnxhap.onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value));
        return withProto(b.build());
    }

    /** A short label for messages. */
    public String label() {
        return source != null ? source.getFileName().toString() : proto.getGraph().getName();
    }
}
