package ai.onnxhap.arch;


import ai.onnxhap.graph.deps.OpRules;
import ai.onnxhap.tf.OpHandlers;
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
        ai.onnxhap.testing.ReadmeSection.check(BEGIN, END, generated(),
                "README support tables are stale: regenerate them (see this test's doc)");
    }
}
