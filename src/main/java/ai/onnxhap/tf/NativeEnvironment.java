package ai.onnxhap.tf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Checks the process environment that TensorFlow's native library reads once, when it loads.
 *
 * <p>TensorFlow 2.18 (TF Java 1.1.0) runs its CPU kernels through oneDNN by default. That is the fast path:
 * training the residual CNN fixture ran 715 samples/s with oneDNN capped at AVX2 and 573 with TF's own Eigen
 * kernels on a 2-core Zen 4 (PyTorch: 747). It has two faults. On AVX-512 its backward-weights convolution kernels
 * corrupted the heap on an Intel Xeon (the JVM died with {@code double free or corruption}); capping oneDNN at AVX2
 * ({@code ONEDNN_MAX_CPU_ISA=AVX2}) avoids them. Its weights after retraining also seemed to change from run to
 * run; most of that was a race in our trainer (updates before the backward pass had read the weights), since
 * fixed, after which oneDNN repeated byte for byte in our checks. So the launcher runs oneDNN, capped at AVX2 on
 * AVX-512 CPUs, and {@code --deterministic} selects the Eigen kernels ({@code TF_ENABLE_ONEDNN_OPTS=0}), whose
 * sums have a fixed order by construction, at about 1.25 to 1.6 times the time.
 *
 * <p>A JVM cannot set its own environment, so the {@code onnx-hap} launcher and the test runner set it; a
 * program embedding the library must set it before starting the JVM, and is warned once here when the crashing
 * kernels are on.
 */
public final class NativeEnvironment {
    /** The variable that turns oneDNN off ("0"). */
    public static final String ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS";
    /** The variable that caps the instruction set oneDNN uses. */
    public static final String ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA";

    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private NativeEnvironment() {
    }

    /** Whether TensorFlow runs its own (Eigen) kernels, whose training is reproducible from the seed. */
    public static boolean deterministic() {
        return deterministic(System.getenv());
    }

    static boolean deterministic(Map<String, String> env) {
        return "0".equals(env.get(ONEDNN_VARIABLE));
    }

    /**
     * Refuses a run asked to be deterministic in a JVM whose TensorFlow uses oneDNN (the launcher sets the
     * variable for {@code --deterministic}; a JVM started otherwise cannot change it any more).
     */
    public static void requireDeterministic() {
        if (!deterministic()) {
            throw ai.onnxhap.model.OnnxHapException.usage("--deterministic needs TensorFlow's own kernels, chosen when "
                    + "the JVM starts: start it with " + ONEDNN_VARIABLE + "=0 (./onnx-hap does this for --deterministic)");
        }
    }

    /** What this environment risks, or null when nothing: oneDNN off, or capped below AVX-512. */
    static String risk(Map<String, String> env, String cpuFlags) {
        if (deterministic(env)) {
            return null;
        }
        boolean avx512 = cpuFlags != null && (" " + cpuFlags + " ").contains(" avx512f ");
        String isa = env.getOrDefault(ISA_VARIABLE, "ALL").toUpperCase(java.util.Locale.ROOT);
        boolean capped = isa.equals("AVX2") || isa.equals("AVX") || isa.startsWith("SSE");
        if (!avx512 || capped) {
            return null;
        }
        return "TensorFlow runs oneDNN with AVX-512, whose convolution gradients can crash the JVM on this CPU; start "
                + "the JVM with " + ISA_VARIABLE + "=AVX2, or " + ONEDNN_VARIABLE + "=0 for reproducible training "
                + "(the onnx-hap launcher sets the first, and the second for --deterministic)";
    }

    /**
     * Warns (on the platform logger) when TensorFlow would run the kernels that crash. A process's environment
     * does not change, so only the first call looks.
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
            return null; // not Linux, or unreadable: no warning
        }
    }
}
