package ai.onnxhap.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxhap.graph.deps.OpRules;
import ai.onnxhap.tf.OpHandlers;
import ai.onnxhap.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's support tables are generated from the registries, never kept by hand: this test fails when
 * they drift. Regenerate with mvn test -Dtest=ReadmeSupportMatrixTest -Dhap.readme.update=true
 */
class ReadmeSupportMatrixTest {
    private static final String BEGIN = "<!-- generated:support-matrix:begin -->\n";
    private static final String END = "<!-- generated:support-matrix:end -->";

    static String generated() {
        return "TensorFlow backend (ONNX default domain; one translation per opset range, chosen by the model's opset):\n\n"
                + OpHandlers.standard().supportMatrixMarkdown()
                + "\nTensorFlow backend, ONNX Runtime contrib ops (domain com.microsoft, versioned by its own opset):\n\n"
                + OpHandlers.standard().supportMatrixMarkdown(OpHandlers.MICROSOFT)
                + "\nPruning rules (ops a cut can pass through; any other op stops the group and is named):\n\n"
                + String.join(", ", OpRules.supportedOps()) + "\n";
    }

    @Test
    void readmeTablesMatchTheRegistries() throws Exception {
        Path readme = TestModels.testdata().resolveSibling("README.md");
        String text = Files.readString(readme);
        int from = text.indexOf(BEGIN);
        int to = text.indexOf(END);
        String current = from < 0 || to < 0 ? "" : text.substring(from + BEGIN.length(), to);
        if (Boolean.getBoolean("hap.readme.update") && from >= 0 && to > from) {
            Files.writeString(readme, text.substring(0, from + BEGIN.length()) + generated() + text.substring(to));
            return;
        }
        assertEquals(generated(), current, "README support tables are stale: regenerate them (see this test's doc)");
    }
}
