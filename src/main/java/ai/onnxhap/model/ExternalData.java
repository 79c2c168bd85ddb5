package ai.onnxhap.model;

import ai.onnxhap.onnx.StringStringEntryProto;
import ai.onnxhap.onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where an external tensor's bytes live: a file beside the model, an offset and a length, as the
 * ONNX IR defines them ({@code location}, {@code offset}, {@code length} entries).
 */
public record ExternalData(String location, long offset, long length) {

    public static boolean isExternal(TensorProto t) {
        return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    /** Parses a tensor's external_data entries; {@code length} is -1 when the entry is absent (to end of file). */
    public static ExternalData of(TensorProto t) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { } // "checksum" and future keys do not change where the bytes are
                }
            } catch (NumberFormatException ex) {
                throw OnnxHapException.invalidModel("tensor '" + t.getName() + "' has a non-numeric external "
                        + e.getKey() + " '" + e.getValue() + "'");
            }
        }
        if (location == null || location.isEmpty()) {
            throw OnnxHapException.invalidModel("tensor '" + t.getName() + "' is external but names no location");
        }
        if (offset < 0 || length < -1) {
            throw OnnxHapException.invalidModel("tensor '" + t.getName() + "' has a negative external offset or length");
        }
        return new ExternalData(location, offset, length);
    }

    /** The data file, which must stay inside the model's folder (as ONNX's checker demands). */
    public Path resolve(Path baseDir, String tensorName) {
        Path rel = Path.of(location).normalize();
        if (rel.isAbsolute() || rel.startsWith("..")) {
            throw OnnxHapException.invalidModel("tensor '" + tensorName + "' points outside the model's folder: "
                    + location);
        }
        return baseDir.resolve(rel);
    }

    /** Reads the bytes; large ranges are memory-mapped rather than copied. */
    public ByteBuffer read(Path baseDir, String tensorName) {
        Path file = resolve(baseDir, tensorName);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long len = length < 0 ? size - offset : length;
            if (offset + len > size || len < 0) {
                throw OnnxHapException.invalidModel("tensor '" + tensorName + "' needs bytes " + offset + ".."
                        + (offset + len) + " of " + file.getFileName() + ", which has only " + size);
            }
            if (len > Integer.MAX_VALUE - 8) {
                throw OnnxHapException.invalidModel("tensor '" + tensorName + "' is larger than 2 GB");
            }
            if (len >= (1 << 20)) {
                return ch.map(FileChannel.MapMode.READ_ONLY, offset, len);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) len);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw OnnxHapException.invalidModel("external data file " + file.getFileName() + " ended early");
                }
            }
            return buf.flip();
        } catch (NoSuchFileException e) {
            throw OnnxHapException.invalidModel("tensor '" + tensorName + "' refers to a missing external data file: "
                    + file);
        } catch (IOException e) {
            throw OnnxHapException.io("cannot read external data " + file + ": " + e.getMessage(), e);
        }
    }

    /** Checks the file exists and holds the range, without reading it. */
    public void verify(Path baseDir, String tensorName) {
        Path file = resolve(baseDir, tensorName);
        if (!Files.isRegularFile(file)) {
            throw OnnxHapException.invalidModel("tensor '" + tensorName + "' refers to a missing external data file: "
                    + file);
        }
        try {
            long size = Files.size(file);
            if (offset > size || (length >= 0 && offset + length > size)) {
                throw OnnxHapException.invalidModel("tensor '" + tensorName + "' needs bytes " + offset + ".."
                        + (offset + Math.max(length, 0)) + " of " + file.getFileName() + ", which has only " + size);
            }
        } catch (IOException e) {
            throw OnnxHapException.io("cannot read external data " + file + ": " + e.getMessage(), e);
        }
    }
}
