package ai.onnxhap.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeEnvironmentTest {
    private static final String AVX512 = "flags\t\t: fpu sse2 avx avx2 avx512f avx512dq avx512bw";
    private static final String AVX2 = "flags\t\t: fpu sse2 avx avx2 fma";

    @Test
    void warnsOnlyWhenOneDnnMayUseAvx512OnAnAvx512Cpu() {
        assertNull(NativeEnvironment.risk(Map.of("TF_ENABLE_ONEDNN_OPTS", "0"), AVX512));
        String avx512 = NativeEnvironment.risk(Map.of(), AVX512);
        assertNotNull(avx512);
        assertTrue(avx512.contains("crash") && avx512.contains("ONEDNN_MAX_CPU_ISA=AVX2"), avx512);
        assertNull(NativeEnvironment.risk(Map.of("ONEDNN_MAX_CPU_ISA", "avx2"), AVX512)); // the launcher's cap
        assertNotNull(NativeEnvironment.risk(Map.of("ONEDNN_MAX_CPU_ISA", "AVX512_CORE"), AVX512));
        assertNull(NativeEnvironment.risk(Map.of("TF_ENABLE_ONEDNN_OPTS", "1"), AVX2));
        assertNull(NativeEnvironment.risk(Map.of(), "flags : avx512fp16_only_lookalike"));
        assertNull(NativeEnvironment.risk(Map.of(), null));
    }

    @Test
    void deterministicMeansOneDnnOff() {
        assertTrue(NativeEnvironment.deterministic(Map.of("TF_ENABLE_ONEDNN_OPTS", "0")));
        assertFalse(NativeEnvironment.deterministic(Map.of()));
        assertFalse(NativeEnvironment.deterministic(Map.of("TF_ENABLE_ONEDNN_OPTS", "1")));
    }

    @Test
    void theTestJvmRunsWithOneDnnOffAsTheLauncherDoes() {
        // The suite proves byte-identical outputs, which need TF's own kernels (pom.xml), as --deterministic does.
        assertEquals("0", System.getenv("TF_ENABLE_ONEDNN_OPTS"));
        assertNull(NativeEnvironment.risk(System.getenv(), AVX512));
        NativeEnvironment.requireDeterministic(); // no exception
    }
}
