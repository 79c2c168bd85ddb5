package ai.onnxhap.roundtrip;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime used directly, without onnx-hap's wrappers, so round-trip tests judge our I/O against the
 * runtime's own reading of the original file: outputs come back as raw bytes per output.
 */
final class OrtRaw {
    private OrtRaw() {
    }

    /** Serialized ONNX TensorProto input as ORT needs it; null when ORT's Java API cannot take that type. */
    record Input(long[] shape, OnnxJavaType type, ByteBuffer bytes, String[] strings) {
    }

    static OrtEnvironment env() {
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "roundtrip-tests");
    }

    static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(1);
        so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
        return so;
    }

    /** Runs the model file on positional inputs and returns each output's bytes (strings as UTF-8 text). */
    static Map<String, byte[]> run(Path model, List<Input> inputs) throws OrtException {
        OrtEnvironment env = env();
        try (OrtSession.SessionOptions so = options(); OrtSession session = env.createSession(model.toString(), so)) {
            List<String> names = new ArrayList<>(session.getInputNames());
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            try {
                for (int i = 0; i < inputs.size() && i < names.size(); i++) {
                    Input in = inputs.get(i);
                    OnnxTensor t = in.strings() != null
                            ? OnnxTensor.createTensor(env, in.strings(), in.shape())
                            : OnnxTensor.createTensor(env, in.bytes().duplicate().order(ByteOrder.nativeOrder()),
                                    in.shape(), in.type());
                    feed.put(names.get(i), t);
                }
                try (OrtSession.Result result = session.run(feed)) {
                    Map<String, byte[]> out = new LinkedHashMap<>();
                    for (Map.Entry<String, OnnxValue> e : result) {
                        out.put(e.getKey(), bytesOf(e.getValue()));
                    }
                    return out;
                }
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
        }
    }

    private static byte[] bytesOf(OnnxValue v) throws OrtException {
        if (v instanceof OnnxTensor t) {
            TensorInfo info = t.getInfo();
            ByteBuffer b = info.type == OnnxJavaType.STRING ? null : t.getByteBuffer();
            if (b != null) {
                byte[] out = new byte[b.remaining()];
                b.get(out);
                return out;
            }
        }
        // Strings, sequences and maps: their printed value is exact enough to compare two runs.
        return String.valueOf(deep(v.getValue())).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Object deep(Object o) {
        if (o instanceof Object[] arr) {
            return java.util.Arrays.deepToString(arr);
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) {
                try {
                    out.add(x instanceof OnnxValue ov ? deep(ov.getValue()) : deep(x));
                } catch (OrtException e) {
                    out.add(e.getMessage());
                }
            }
            return out;
        }
        if (o != null && o.getClass().isArray()) {
            return java.util.Arrays.deepToString(new Object[] {o});
        }
        return o;
    }
}
