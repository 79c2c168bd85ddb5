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
    void warnsUnlessOneDnnIsOffAndNamesTheCrashOnlyOnAvx512() {
        assertNull(NativeEnvironment.risk(Map.of("TF_ENABLE_ONEDNN_OPTS", "0"), AVX512));
        String avx512 = NativeEnvironment.risk(Map.of(), AVX512);
        assertNotNull(avx512);
        assertTrue(avx512.contains("crash") && avx512.contains("TF_ENABLE_ONEDNN_OPTS=0"), avx512);
        String avx2 = NativeEnvironment.risk(Map.of("TF_ENABLE_ONEDNN_OPTS", "1"), AVX2);
        assertNotNull(avx2);
        assertTrue(avx2.contains("not reproducible") && !avx2.contains("crash"), avx2);
        assertFalse(NativeEnvironment.risk(Map.of(), "flags : avx512fp16_only_lookalike").contains("crash"));
        assertNotNull(NativeEnvironment.risk(Map.of(), null));
    }

    @Test
    void theTestJvmRunsWithOneDnnOffAsTheLauncherDoes() {
        // Conv retraining crashes on AVX-512 machines, and is not reproducible anywhere, without it (pom.xml).
        assertEquals("0", System.getenv("TF_ENABLE_ONEDNN_OPTS"));
        assertNull(NativeEnvironment.risk(System.getenv(), AVX512));
    }
}
