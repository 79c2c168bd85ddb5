package ai.onnxhap.data;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.FloatFormats;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads NumPy's .npy format (versions 1-3). Our own reader rather than the npy library's, because that
 * one reads uint8 as int8 and so cannot tell image bytes from signed values.
 */
final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** What an .npy header says: element type, byte order, shape, and where the data starts. */
    record Header(DataType type, ByteOrder order, long[] shape, long dataOffset, int width) {
        Header {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        long count() {
            return Tensor.elementCount(shape);
        }
    }

    /**
     * @param name   the tensor's name
     * @param source the file (and entry) for messages
     */
    static Tensor read(InputStream in, String name, String source) throws IOException {
        Header h = readHeader(in, source);
        long count = h.count();
        if (count * h.width() > Integer.MAX_VALUE - 8) {
            throw OnnxHapException.usage(source + " holds " + count + " values, more than onnx-hap loads at once "
                    + "(2 GB); save it as a single .npy, which is read from disk in batches");
        }
        int bytes = (int) (count * h.width());
        byte[] data = in.readNBytes(bytes);
        if (data.length < bytes) {
            throw bad(source, "truncated data: " + data.length + " of " + bytes + " bytes");
        }
        Object values = allocate(h.type(), (int) count);
        decodeInto(h.type(), ByteBuffer.wrap(data).order(h.order()), values, 0, (int) count);
        return TensorRows.wrap(name, h.type(), h.shape(), values);
    }

    /** Reads and checks the magic number and header; the stream is left at the first data byte. */
    static Header readHeader(InputStream in, String source) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw bad(source, "no NPY magic number");
        }
        int major = magic[6];
        int headerLen;
        int prefix;
        if (major == 1) {
            headerLen = (int) littleEndian(in.readNBytes(2), 2, source);
            prefix = 10;
        } else if (major == 2 || major == 3) {
            long len = littleEndian(in.readNBytes(4), 4, source);
            if (len > 1 << 20) {
                throw bad(source, "header of " + len + " bytes");
            }
            headerLen = (int) len;
            prefix = 12;
        } else {
            throw bad(source, "unsupported NPY version " + major);
        }
        byte[] headerBytes = in.readNBytes(headerLen);
        if (headerBytes.length < headerLen) {
            throw bad(source, "truncated header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeM = SHAPE.matcher(header);
        if (!shapeM.find() || !fortran.find()) {
            throw bad(source, "unreadable header " + header.trim());
        }
        if (!descr.find()) {
            throw OnnxHapException.usage(source + ": unsupported array type in header " + header.trim()
                    + " (use float32, float64, int64, int32, uint8 or bool)");
        }
        long[] shape = parseShape(shapeM.group(1), source);
        if (fortran.group(1).equals("True") && shape.length > 1) {
            throw OnnxHapException.usage(source + " is stored in Fortran order; save it with "
                    + "np.ascontiguousarray(...)");
        }
        char kind = descr.group(2).charAt(0);
        int width = Integer.parseInt(descr.group(3));
        DataType type = type(kind, width, source);
        ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        try {
            Math.multiplyExact(Tensor.elementCount(shape), (long) width);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw bad(source, "invalid shape " + Arrays.toString(shape));
        }
        return new Header(type, order, shape, prefix + headerLen, width);
    }

    private static long littleEndian(byte[] b, int length, String source) {
        if (b.length < length) {
            throw bad(source, "truncated header");
        }
        long v = 0;
        for (int i = length - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    private static long[] parseShape(String s, String source) {
        String[] parts = s.split(",");
        long[] dims = new long[parts.length];
        int n = 0;
        for (String p : parts) {
            String d = p.trim().replace("L", "");
            if (d.isEmpty()) {
                continue;
            }
            try {
                dims[n++] = Long.parseLong(d);
            } catch (NumberFormatException e) {
                throw bad(source, "invalid shape (" + s + ")");
            }
        }
        return Arrays.copyOf(dims, n);
    }

    private static DataType type(char kind, int width, String source) {
        DataType t = switch (kind) {
            case 'f' -> width == 2 ? DataType.FLOAT16 : width == 4 ? DataType.FLOAT : width == 8 ? DataType.DOUBLE : null;
            case 'i' -> width == 1 ? DataType.INT8 : width == 2 ? DataType.INT16 : width == 4 ? DataType.INT32
                    : width == 8 ? DataType.INT64 : null;
            case 'u' -> width == 1 ? DataType.UINT8 : width == 2 ? DataType.UINT16 : width == 4 ? DataType.UINT32
                    : width == 8 ? DataType.UINT64 : null;
            case 'b' -> width == 1 ? DataType.BOOL : null;
            default -> null;
        };
        if (t == null) {
            throw OnnxHapException.usage(source + ": unsupported array type '" + kind + width
                    + "' (use float32, float64, int64, int32, uint8 or bool)");
        }
        return t;
    }

    static Object allocate(DataType type, int n) {
        return switch (type.storage()) {
            case FLOAT -> new float[n];
            case DOUBLE -> new double[n];
            default -> new long[n];
        };
    }

    /** Decodes {@code n} values of the file's type from {@code b} into {@code dst} (from {@link #allocate}) at {@code at}. */
    static void decodeInto(DataType type, ByteBuffer b, Object dst, int at, int n) {
        switch (type) {
            case FLOAT -> b.asFloatBuffer().get((float[]) dst, at, n);
            case DOUBLE -> b.asDoubleBuffer().get((double[]) dst, at, n);
            case FLOAT16 -> {
                float[] v = (float[]) dst;
                for (int i = 0; i < n; i++) {
                    v[at + i] = FloatFormats.halfToFloat(b.getShort() & 0xffff);
                }
            }
            default -> {
                long[] v = (long[]) dst;
                for (int i = 0; i < n; i++) {
                    v[at + i] = switch (type) {
                        case INT8 -> b.get();
                        case UINT8 -> b.get() & 0xff;
                        case BOOL -> b.get() != 0 ? 1 : 0;
                        case INT16 -> b.getShort();
                        case UINT16 -> b.getShort() & 0xffff;
                        case INT32 -> b.getInt();
                        case UINT32 -> b.getInt() & 0xffffffffL;
                        default -> b.getLong();
                    };
                }
            }
        }
    }

    private static OnnxHapException bad(String source, String why) {
        return OnnxHapException.usage(source + " is not a valid .npy array (" + why + ")");
    }
}
