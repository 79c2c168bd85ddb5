package ai.onnxhap.tf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Checks the process environment that TensorFlow's native library reads once, when it loads.
 *
 * <p>TensorFlow 2.18 (TF Java 1.1.0) runs its CPU kernels through oneDNN by default, and two of its faults
 * break promises onnx-hap makes: on AVX-512 CPUs its backward-weights convolution kernels corrupt the heap for
 * some shapes (channel counts that are not multiples of 16, a short last batch) and the JVM dies with
 * {@code double free or corruption}; and its multi-threaded weight gradients sum in an order that changes from
 * run to run, so the same seed gave different weights after retraining (capping oneDNN at AVX2 or running one
 * intra-op thread made this rarer, not gone). {@code TF_ENABLE_ONEDNN_OPTS=0} selects TF's Eigen kernels,
 * which do neither; they took 1.6× as long for Hessian scoring and training on our 2-core machines.
 *
 * <p>A JVM cannot set its own environment, so the {@code onnx-hap} launcher and the test runner set it; a
 * program embedding the library must set it before starting the JVM, and is warned once here when it did not.
 */
public final class NativeEnvironment {
    /** The variable, and the value the launcher and the tests set. */
    public static final String ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS";

    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private NativeEnvironment() {
    }

    /** What this environment risks, or null when oneDNN is off. */
    static String risk(Map<String, String> env, String cpuFlags) {
        if ("0".equals(env.get(ONEDNN_VARIABLE))) {
            return null;
        }
        boolean avx512 = cpuFlags != null && (" " + cpuFlags + " ").contains(" avx512f ");
        return "TensorFlow runs with oneDNN, so retraining is not reproducible from its seed"
                + (avx512 ? " and, on this AVX-512 CPU, convolution gradients can crash the JVM" : "")
                + "; start the JVM with " + ONEDNN_VARIABLE + "=0 (the onnx-hap launcher does)";
    }

    /**
     * Warns (on the platform logger) when TensorFlow would run with oneDNN. A process's environment does not
     * change, so only the first call looks.
     */
    static void warnIfUnsafe() {
        if (!CHECKED.compareAndSet(false, true)) {
            return;
        }
        String why = risk(System.getenv(), cpuFlags());
        if (why != null) {
            System.getLogger("ai.onnxhap.tf").log(System.Logger.Level.WARNING, why);
        }
    }

    private static String cpuFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags")).findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            return null; // not Linux, or unreadable: the warning then names only what holds everywhere
        }
    }
}
