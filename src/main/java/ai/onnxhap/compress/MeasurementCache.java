package ai.onnxhap.compress;

import ai.onnxhap.model.AtomicFiles;
import ai.onnxhap.provenance.Hashing;
import ai.onnxhap.provenance.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Decisions the job takes by timing the runtime (which width multiple its kernels prefer), kept per model, settings
 * and machine so that the same command on the same machine decides the same way, and so writes the same bytes,
 * however noisy the second timing would have been. One small JSON file per key under the cache folder: the system
 * property {@code onnxhap.cache}, else {@code $ONNX_HAP_CACHE}, else {@code $XDG_CACHE_HOME/onnx-hap}, else
 * {@code ~/.cache/onnx-hap}. A cache that cannot be read or written is not an error: the job measures again.
 */
final class MeasurementCache {
    private MeasurementCache() {
    }

    static Path folder() {
        String prop = System.getProperty("onnxhap.cache");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("ONNX_HAP_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("onnx-hap");
    }

    /** This machine, as far as kernel speed goes: processor model, cores, OS and architecture. */
    static String machine() {
        String cpu = "";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("");
        } catch (IOException | RuntimeException e) {
            // not Linux: the rest of the key still separates machines roughly
        }
        return cpu + "|" + Runtime.getRuntime().availableProcessors() + "|" + System.getProperty("os.name") + "|"
                + System.getProperty("os.arch");
    }

    static <T> Optional<T> read(String kind, String key, Class<T> type) {
        Path file = file(kind, key);
        try {
            return Files.isRegularFile(file) ? Optional.of(Json.mapper().readValue(file.toFile(), type))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a damaged entry is measured again and overwritten
        }
    }

    static void write(String kind, String key, Object value) {
        try {
            Path file = file(kind, key);
            Files.createDirectories(file.getParent());
            AtomicFiles.writeString(file, Json.string(value));
        } catch (IOException | RuntimeException e) {
            // read-only home, full disk: the decision stands for this run, the next one measures again
        }
    }

    private static Path file(String kind, String key) {
        return folder().resolve(kind).resolve(Hashing.sha256(key.getBytes(StandardCharsets.UTF_8)) + ".json");
    }
}
