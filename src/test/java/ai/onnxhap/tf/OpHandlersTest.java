package ai.onnxhap.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpHandlersTest {
    private final OpHandlers handlers = OpHandlers.standard();

    @Test
    void theNewestTranslationAtOrBelowTheModelsOpsetIsUsed() {
        assertTrue(handlers.find("Softmax", 12).isPresent());
        assertNotSame(handlers.find("Softmax", 12).get(), handlers.find("Softmax", 13).get());
        assertSame(handlers.find("Softmax", 13).get(), handlers.find("Softmax", 21).get());
        assertSame(handlers.find("ReduceMean", 13).get(), handlers.find("ReduceMean", 17).get());
        assertNotSame(handlers.find("ReduceMean", 17).get(), handlers.find("ReduceMean", 18).get());
        assertTrue(handlers.find("LayerNormalization", 16).isEmpty(), "LayerNormalization exists from opset 17");
        assertTrue(handlers.find("NoSuchOp", 13).isEmpty());
    }

    /** The ops onnx-hap promises to train on, at the opsets exporters write (7–22). */
    @Test
    void theClaimedOpsAreRegistered() {
        List<String> claimed = List.of("Conv", "ConvTranspose", "BatchNormalization", "Gemm", "MatMul", "Add", "Sub",
                "Mul", "Div", "Pow", "Sqrt", "Reciprocal", "Neg", "Abs", "Exp", "Log", "Relu", "LeakyRelu", "PRelu",
                "Elu", "Selu", "Sigmoid", "Tanh", "HardSigmoid", "Softplus", "Clip", "Erf", "Softmax",
                "LogSoftmax", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape",
                "Transpose", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "Shape", "Constant",
                "ConstantOfShape", "Identity", "Dropout", "Cast", "Expand", "Tile", "Pad", "ReduceMean", "ReduceSum",
                "ReduceMax", "Where", "Equal", "Less", "Greater", "Range", "LSTM", "GRU");
        for (String op : claimed) {
            for (int opset = 11; opset <= OpHandlers.MAX_OPSET; opset++) {
                assertTrue(handlers.find(op, opset).isPresent(), op + " at opset " + opset);
            }
        }
        assertTrue(handlers.find("HardSwish", 14).isPresent());
        assertTrue(handlers.find("LayerNormalization", 17).isPresent());
        assertTrue(handlers.find("Gelu", 20).isPresent());
    }

    /** Prints the generated matrix; -Dhap.tf.supportMatrix=FILE also writes it (Markdown) for the README. */
    @Test
    void supportMatrixIsGeneratedFromTheRegistry() throws IOException {
        List<OpHandlers.OpSupport> rows = handlers.supportMatrix();
        OpHandlers.OpSupport softmax = rows.stream().filter(r -> r.op().equals("Softmax")).findFirst().orElseThrow();
        assertEquals("1–12, 13–" + OpHandlers.MAX_OPSET, softmax.rangesText());
        String md = handlers.supportMatrixMarkdown();
        assertEquals(rows.size() + 2, md.lines().count());
        System.out.println("TF importer: " + rows.size() + " ops\n" + md);
        String file = System.getProperty("hap.tf.supportMatrix", "");
        if (!file.isEmpty()) {
            Files.writeString(Path.of(file), md);
        }
    }
}
