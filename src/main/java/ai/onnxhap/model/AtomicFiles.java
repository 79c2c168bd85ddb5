package ai.onnxhap.model;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file so that readers see the old content or the new one, never half of it: a hidden temporary
 * file in the same folder, renamed into place. A failed write leaves nothing behind.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of one file to the given path. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(Path file) throws IOException;
    }

    public static void write(Path file, Writer writer) {
        Path target = file.toAbsolutePath().normalize();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            writer.writeTo(tmp);
            replace(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw OnnxHapException.io("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a hidden temporary file is harmless
                }
            }
        }
    }

    public static void writeString(Path file, String content) {
        write(file, tmp -> Files.writeString(tmp, content));
    }

    /** Renames a finished temporary file over the target, readable like any file the user writes. */
    static void replace(Path from, Path to) throws IOException {
        try {
            Files.setPosixFilePermissions(from, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep what it gave
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
