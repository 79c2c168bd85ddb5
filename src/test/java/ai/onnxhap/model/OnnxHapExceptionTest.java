package ai.onnxhap.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OnnxHapExceptionTest {
    @Test
    void namesFromFilesCannotBreakTheOneLineMessage() {
        OnnxHapException e = OnnxHapException.invalidModel("node 'a\nb\tc\u0000' is odd");
        assertEquals("node 'a\\x0ab\\x09c\\x00' is odd", e.getMessage());
        String huge = "x".repeat(10_000);
        assertTrue(OnnxHapException.usage(huge).getMessage().length() < 2100);
    }
}
