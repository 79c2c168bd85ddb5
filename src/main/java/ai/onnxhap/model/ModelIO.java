package ai.onnxhap.model;

import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.StringStringEntryProto;
import ai.onnxhap.onnx.TensorProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Loads and saves .onnx files. Loading checks the model (see {@link ModelChecker}); saving is atomic
 * (temporary files renamed into place), never touches the input model or its data files, and moves
 * large tensors to an external data file when the model needs it.
 */
public final class ModelIO {
    private static final int RECURSION_LIMIT = 256;

    private ModelIO() {
    }

    /** How tensors are laid out when saving. */
    public enum ExternalDataPolicy {
        /** External when the input model used external data or the model would exceed protobuf's 2 GB. */
        AUTO,
        ALWAYS,
        NEVER
    }

    /**
     * @param policy           when to write tensors to a separate data file
     * @param minExternalBytes tensors smaller than this stay inline even when data goes external
     * @param inlineLimitBytes model size above which AUTO switches to external data
     */
    public record SaveOptions(ExternalDataPolicy policy, long minExternalBytes, long inlineLimitBytes) {
        public static SaveOptions defaults() {
            return new SaveOptions(ExternalDataPolicy.AUTO, 1024, OnnxModel.INLINE_LIMIT_BYTES);
        }
    }

    public static OnnxModel load(Path path) {
        if (!Files.exists(path)) {
            throw OnnxHapException.io("no such file: " + path, null);
        }
        if (Files.isDirectory(path)) {
            throw OnnxHapException.io(path + " is a directory, not an ONNX model file", null);
        }
        Path abs = path.toAbsolutePath().normalize();
        try (FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw OnnxHapException.invalidModel(path + " is empty, not an ONNX model");
            }
            if (size >= Integer.MAX_VALUE) {
                throw OnnxHapException.invalidModel(path + " is larger than 2 GB; ONNX keeps weights of such models "
                        + "in external data files");
            }
            // Mapped and parsed with aliasing: raw_data of large tensors stays in the page cache, uncopied.
            ByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return parse(mapped, abs, abs.getParent(), path.toString());
        } catch (NoSuchFileException e) {
            throw OnnxHapException.io("no such file: " + path, e);
        } catch (AccessDeniedException e) {
            throw OnnxHapException.io("permission denied: " + path, e);
        } catch (IOException e) {
            throw OnnxHapException.io("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Parses and checks a model held in memory; external data, if any, is resolved against baseDir. */
    public static OnnxModel parse(byte[] bytes, Path baseDir) {
        return parse(ByteBuffer.wrap(bytes), null, baseDir, "model");
    }

    private static OnnxModel parse(ByteBuffer bytes, Path source, Path baseDir, String label) {
        ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            in.setRecursionLimit(RECURSION_LIMIT);
            proto = ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw OnnxHapException.invalidModel(label + " is not a valid ONNX model (corrupt or truncated protobuf: "
                    + firstLine(e.getMessage()) + ")");
        } catch (RuntimeException | StackOverflowError e) {
            throw OnnxHapException.invalidModel(label + " is not a valid ONNX model (unreadable protobuf)");
        }
        OnnxModel model = new OnnxModel(proto, source, baseDir);
        ModelChecker.check(model, label);
        return model;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public static void save(OnnxModel model, Path out) {
        save(model, out, SaveOptions.defaults());
    }

    /**
     * Refuses an output path that would replace the input model or one of its data files, or that cannot
     * be written; commands call it before long work so a bad path fails at once.
     */
    public static void checkOutput(OnnxModel model, Path out) {
        Path target = out.toAbsolutePath().normalize();
        Set<Path> protectedFiles = inputFiles(model);
        if (protectedFiles.contains(target) || isSameExisting(target, model.source().orElse(null))) {
            throw OnnxHapException.usage("output " + out + " is the input model; choose another output path");
        }
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            throw OnnxHapException.io("output directory does not exist: " + dir, null);
        }
        if (!Files.isWritable(dir)) {
            throw OnnxHapException.io("output directory is not writable: " + dir, null);
        }
        if (Files.isDirectory(target)) {
            throw OnnxHapException.usage("output " + out + " is a directory; give a file name");
        }
    }

    public static void save(OnnxModel model, Path out, SaveOptions options) {
        checkOutput(model, out);
        Path target = out.toAbsolutePath().normalize();
        Path dir = target.getParent();
        String dataName = target.getFileName() + ".data";
        Set<Path> protectedFiles = inputFiles(model);
        boolean external = switch (options.policy()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> model.hasExternalData() || model.inlinedSizeEstimate() >= options.inlineLimitBytes();
        };
        Path dataTarget = dir.resolve(dataName);
        if (external && protectedFiles.contains(dataTarget.normalize())) {
            throw OnnxHapException.usage("output " + out + " would overwrite the input's external data file "
                    + dataTarget.getFileName() + "; choose another output name");
        }
        Path tmpModel = null;
        Path tmpData = null;
        try {
            tmpModel = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            ModelProto toWrite;
            if (external) {
                tmpData = Files.createTempFile(dir, "." + dataName, ".tmp");
                toWrite = writeExternal(model, tmpData, dataName, options.minExternalBytes());
            } else {
                OnnxModel inlined = model.inlined();
                if (inlined.inlinedSizeEstimate() >= OnnxModel.INLINE_LIMIT_BYTES) {
                    throw OnnxHapException.usage("model is over 2 GB and cannot be saved without external data");
                }
                toWrite = inlined.proto();
            }
            try (OutputStream os = Files.newOutputStream(tmpModel)) {
                CodedOutputStream cos = CodedOutputStream.newInstance(os, 1 << 16);
                toWrite.writeTo(cos);
                cos.flush();
            }
            if (tmpData != null) {
                move(tmpData, dataTarget);
                tmpData = null;
            }
            move(tmpModel, target);
            tmpModel = null;
        } catch (AccessDeniedException e) {
            throw OnnxHapException.io("permission denied writing " + out, e);
        } catch (IOException e) {
            throw OnnxHapException.io("cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmpModel);
            deleteQuietly(tmpData);
        }
    }

    /** The input model and every external data file it reads: an output must never replace any of them. */
    private static Set<Path> inputFiles(OnnxModel model) {
        Set<Path> files = new HashSet<>();
        model.source().ifPresent(p -> files.add(p.toAbsolutePath().normalize()));
        model.baseDir().ifPresent(base -> TensorWalk.forEach(model.proto(), t -> {
            if (ExternalData.isExternal(t)) {
                files.add(ExternalData.of(t).resolve(base, t.getName()).toAbsolutePath().normalize());
            }
        }));
        return files;
    }

    private static boolean isSameExisting(Path a, Path b) {
        try {
            return b != null && Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static ModelProto writeExternal(OnnxModel model, Path dataFile, String location, long minBytes)
            throws IOException {
        try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.WRITE)) {
            long[] offset = {0};
            IOException[] failure = {null};
            ModelProto result = TensorWalk.map(model.proto(), t -> {
                if (failure[0] != null) {
                    return t;
                }
                ByteBuffer raw = model.rawData(t);
                if (raw == null || raw.remaining() < minBytes) {
                    return ExternalData.isExternal(t) ? inlineOf(t, raw) : t;
                }
                try {
                    // Page-aligned offsets let runtimes memory-map each tensor.
                    long start = (offset[0] + 4095) & ~4095L;
                    long len = raw.remaining();
                    ByteBuffer src = raw.duplicate();
                    long pos = start;
                    while (src.hasRemaining()) {
                        pos += ch.write(src, pos);
                    }
                    offset[0] = start + len;
                    return t.toBuilder().clearRawData().clearExternalData()
                            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                            .addExternalData(entry("location", location))
                            .addExternalData(entry("offset", Long.toString(start)))
                            .addExternalData(entry("length", Long.toString(len)))
                            .build();
                } catch (IOException e) {
                    failure[0] = e;
                    return t;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            ch.force(false);
            return result;
        }
    }

    private static TensorProto inlineOf(TensorProto t, ByteBuffer raw) {
        return t.toBuilder().clearExternalData().clearDataLocation()
                .setRawData(com.google.protobuf.ByteString.copyFrom(raw.duplicate())).build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static void move(Path from, Path to) throws IOException {
        AtomicFiles.replace(from, to);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: a stray temp file is harmless and named as hidden
            }
        }
    }
}
