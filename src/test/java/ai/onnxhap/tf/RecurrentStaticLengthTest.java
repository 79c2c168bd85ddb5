package ai.onnxhap.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.score.HutchinsonTrace;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.train.FineTune;
import ai.onnxhap.tf.train.Loss;
import ai.onnxhap.tf.train.ProgressListener;
import ai.onnxhap.tf.train.Retraining;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An nn.LSTM fed through x.view(x.size(0), rows, cols) of an image batch: the Reshape target is built at run time
 * from the dynamic batch size, so TF does not see the sequence length it must unroll; exact shape inference does.
 */
class RecurrentStaticLengthTest {
    private static final int ROWS = 6;
    private static final int COLS = 4;
    private static final int HIDDEN = 5;
    private static final int CLASSES = 3;

    /** x [batch, 1, ROWS, COLS] → Reshape(Concat(Shape(x)[0], ROWS, COLS)) → Transpose → LSTM → Gemm, as torch exports. */
    static OnnxModel viewThenLstm(String op) {
        Random rnd = new Random(11);
        int gates = op.equals("LSTM") ? 4 : 3;
        GraphProto.Builder g = GraphProto.newBuilder().setName("view_" + op)
                .addInput(TestModels.floatInfo("x", -1, 1, ROWS, COLS)).addOutput(TestModels.floatInfo("logits"))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("zero", new long[0], new long[] {0})))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("axis0", new long[] {1}, new long[] {0})))
                .addInitializer(TensorCodec.encode(Tensor.ofLongs("rows_cols", new long[] {2}, new long[] {ROWS, COLS})))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("W", rnd, 1, gates * HIDDEN, COLS)))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("R", rnd, 1, gates * HIDDEN, HIDDEN)))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("B", rnd, 1, 2 * gates * HIDDEN)))
                .addInitializer(TensorCodec.encode(TestModels.randomFloats("fc", rnd, CLASSES, HIDDEN)))
                .addNode(TestModels.node("Shape", new String[] {"x"}, new String[] {"shape"}))
                .addNode(TestModels.node("Gather", new String[] {"shape", "zero"}, new String[] {"n"}))
                .addNode(TestModels.node("Unsqueeze", new String[] {"n", "axis0"}, new String[] {"n1"}))
                .addNode(TestModels.node("Concat", new String[] {"n1", "rows_cols"}, new String[] {"target"},
                        TestModels.integer("axis", 0)))
                .addNode(TestModels.node("Reshape", new String[] {"x", "target"}, new String[] {"rows"}))
                .addNode(TestModels.node("Transpose", new String[] {"rows"}, new String[] {"seq"},
                        TestModels.ints("perm", 1, 0, 2)))
                .addNode(NodeProto.newBuilder().setName("rnn").setOpType(op).addInput("seq").addInput("W")
                        .addInput("R").addInput("B").addOutput("").addOutput("h")
                        .addAttribute(TestModels.integer("hidden_size", HIDDEN)))
                .addNode(TestModels.node("Squeeze", new String[] {"h", "axis0"}, new String[] {"last"}))
                .addNode(TestModels.node("Gemm", new String[] {"last", "fc"}, new String[] {"logits"},
                        TestModels.integer("transB", 1)));
        return OnnxModel.of(TestModels.wrap(g.build(), 13));
    }

    @Test
    void theUnrolledLengthComesFromShapeInferenceAndTheBatchStaysDynamic() {
        OnnxModel model = viewThenLstm("LSTM");
        try (TfModel tf = TfModel.build(model); OrtModel ort = OrtModel.open(model)) {
            for (int batch : new int[] {1, 3}) {
                Map<String, Tensor> in = OrtShapeOracle.syntheticInputs(Graph.of(model),
                        Map.of("x", new long[] {batch, 1, ROWS, COLS}), batch);
                float[] want = ort.run(in).get("logits").floats();
                float[] got = tf.run(in).get("logits").floats();
                assertEquals(batch * CLASSES, got.length);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-5, "batch " + batch + " logit " + i);
                }
            }
        }
    }

    @Test
    void retrainingTakesAStepAndHessianProductsStayExact() {
        for (String op : new String[] {"LSTM", "GRU"}) {
            OnnxModel model = viewThenLstm(op);
            int n = 16;
            Random rnd = new Random(2);
            float[] x = new float[n * ROWS * COLS];
            long[] y = new long[n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < n; i++) {
                y[i] = i % CLASSES;
            }
            DataSet data = new DataSet(Map.of("x", Tensor.ofFloats("x", new long[] {n, 1, ROWS, COLS}, x)),
                    Tensor.ofLongs("labels", new long[] {n}, y));
            TrainConfig config = new TrainConfig(1, 8, 1e-2, TrainConfig.Optimizer.ADAM, 0.9, 0,
                    TrainConfig.Schedule.CONSTANT, 1, 0.1, 4.0, 0);
            Retraining.Result r = Retraining.run(model, model, data, null, config, Map.of(), ProgressListener.NONE);
            assertEquals("cross-entropy", r.report().loss());
            assertEquals(1, r.report().history().size());
            float[] before = Graph.of(model).initializer("R").floats();
            float[] after = Graph.of(r.model()).initializer("R").floats();
            assertFalse(java.util.Arrays.equals(before, after), op + ": R did not move");

            try (TfModel tf = TfModel.build(model)) {
                HutchinsonTrace trace = new HutchinsonTrace(FineTune.trainable(tf), "logits", Loss.CROSS_ENTROPY, 1.0,
                        Map.of("W", 0, "R", 0));
                assertEquals(HutchinsonTrace.Route.EXACT, trace.route(), () -> trace.whyNotExact().orElse(""));
                HutchinsonTrace.Diagonal d = trace.diagonal(data, data.labels().orElseThrow(),
                        HutchinsonTrace.Probes.fixed(1), 8, 1e-3, 0, HutchinsonTrace.ProbeListener.NONE);
                assertEquals(HutchinsonTrace.Route.EXACT, d.route(), op);
                for (double v : d.values().get("R")) {
                    assertTrue(Double.isFinite(v), op);
                }
            }
        }
    }
}
