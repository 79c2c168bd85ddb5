package ai.onnxhap.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.plan.sparse.MatrixLayout;
import ai.onnxhap.provenance.Json;
import ai.onnxhap.plan.sparse.DarbBlockExport;
import ai.onnxhap.report.DarbRenderer;
import ai.onnxhap.rewrite.SparseWeights;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DarbCompressionTest {
    @TempDir
    Path dir;

    private static final CompressionJob.Progress QUIET = new CompressionJob.Progress() {
        @Override
        public void probeDone(int done, int total) {
        }
    };

    private static AccuracyGate.Settings settings(DataSet data, int epochs) {
        TrainConfig training = new TrainConfig(epochs, 32, 1e-3, TrainConfig.Optimizer.ADAM, 0.9, 1e-4,
                TrainConfig.Schedule.CONSTANT, 1, 0.1, 4.0, 0);
        return new AccuracyGate.Settings(data.slice(0, 192), data.slice(192, 256), training, null,
                OrtModel.Options.defaults(), TfModel.Device.CPU);
    }

    private static DataSet data(String fixture, OnnxModel model) {
        return ModelInputs.bind(DataLoader.load(TestModels.testdata().resolve(fixture + ".npz")), model);
    }

    @Test
    void maskedRetrainingKeepsPrunedWeightsExactlyZeroAndMovesTheKeptOnes() {
        for (String fixture : new String[] {"mlp_fmnist", "lstm_fmnist"}) {
            OnnxModel model = ModelIO.load(TestModels.testdata().resolve(fixture + ".onnx"));
            DarbCompression.Result r = DarbCompression.run(model, DarbOptions.of(16).withDense(true),
                    settings(data(fixture, model), 2), QUIET);
            assertNotNull(r.gate().retraining(), fixture + " was retrained");
            Map<String, Tensor> masks = SparseWeights.masks(r.plan());
            Graph before = Graph.of(model);
            Graph after = Graph.of(r.model());
            assertEquals(0, r.model().proto().getGraph().getSparseInitializerCount(), "--dense writes zeros");
            for (var e : masks.entrySet()) {
                float[] m = e.getValue().floats();
                float[] w0 = before.initializer(e.getKey()).floats();
                float[] w1 = after.initializer(e.getKey()).floats();
                int moved = 0;
                int kept = 0;
                for (int i = 0; i < m.length; i++) {
                    if (m[i] == 0) {
                        assertEquals(0f, Math.abs(w1[i]), fixture + " " + e.getKey() + "[" + i + "] was pruned");
                    } else {
                        kept++;
                        moved += w1[i] != w0[i] ? 1 : 0;
                    }
                }
                assertTrue(moved > kept / 2, fixture + " " + e.getKey() + ": only " + moved + " of " + kept
                        + " kept weights changed in training");
            }
        }
    }

    @Test
    void sparseOutputLoadsRunsAndReportsEveryMatrix() throws Exception {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve("lstm_fmnist.onnx"));
        DataSet data = data("lstm_fmnist", model);
        DarbCompression.Result r = DarbCompression.run(model, DarbOptions.of(8), settings(data, 1), QUIET);
        assertTrue(r.passed());
        OnnxModel reloaded = ModelIO.parse(r.model().toBytes(), dir);
        assertEquals(2, reloaded.proto().getGraph().getSparseInitializerCount(), "LSTM W and R stored sparse");
        assertTrue(reloaded.proto().getMetadataPropsList().stream().anyMatch(e -> e.getKey()
                .equals(DarbCompression.METADATA_KEY) && e.getValue().contains("\"achievedRatio\"")));
        try (OrtModel ort = OrtModel.open(reloaded)) {
            Tensor y = ort.run(data.slice(192, 256), 64).get("logits");
            double acc = ai.onnxhap.validate.Validator.accuracy(y, data.slice(192, 256).labels().orElseThrow());
            assertEquals(r.gate().comparison().candidateAccuracy(), acc, 1e-9, "the written model is the validated one");
        }

        DarbReport report = r.report();
        assertEquals(8, report.matrices().size(), "4 gate blocks of W and of R");
        assertTrue(report.skipped().stream().anyMatch(s -> s.reason().contains("below 4096")));
        for (DarbReport.Matrix m : report.matrices()) {
            assertEquals(1.0, m.densityBefore(), 1e-9);
            assertEquals(m.densityAfter(), 1 / m.ratio(), 1e-9);
            long kept = Math.round(m.rows() * m.cols() * m.densityAfter());
            assertEquals(m.rows(), m.blockSizes().values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(Math.round(m.rows() * m.cols() / 8.0) - kept <= m.rows(), m.tensor() + " " + m.part());
            assertTrue(m.indexBits() < m.csrBits(), "block offsets are cheaper than column indices");
        }
        assertEquals(2, report.totals().sparseTensors());
        assertTrue(report.totals().modelBytesAfter() < report.totals().modelBytesBefore() / 2,
                report.totals().modelBytesAfter() + " vs " + report.totals().modelBytesBefore());

        StringWriter table = new StringWriter();
        DarbRenderer.render(report, new PrintWriter(table));
        assertTrue(table.toString().contains("R dir 0 gate f"), table.toString());
        assertTrue(table.toString().contains("stored as sparse_initializer"), table.toString());
        assertTrue(Json.string(report).contains("\"fixedBlockBits\""));

        Path blocks = dir.resolve("blocks.json");
        DarbBlockExport.write(r.plan(), blocks);
        DarbBlockExport.Document doc = DarbBlockExport.read(blocks);
        assertEquals(DarbBlockExport.FORMAT, doc.format());
        assertEquals(r.plan().layouts().size(), doc.matrices().size());
        for (int i = 0; i < doc.matrices().size(); i++) {
            MatrixLayout l = r.plan().layouts().get(i);
            DarbBlockExport.Matrix m = doc.matrices().get(i);
            assertArrayEquals(l.blockSizes(), m.blockSizes());
            for (int row = 0; row < m.rows(); row++) {
                assertArrayEquals(l.keptInRow(row), m.kept()[row]);
                // The exported indices address exactly the non-zero weights of the written model.
                float[] w = Graph.of(reloaded).initializer(m.tensor()).floats();
                for (int c = 0; c < m.cols(); c++) {
                    boolean listed = java.util.Arrays.binarySearch(m.kept()[row], c) >= 0;
                    int index = m.offset() + row * m.rowStride() + c * m.colStride();
                    assertTrue(listed || w[index] == 0, m.tensor() + " row " + row + " col " + c);
                }
            }
        }
    }

    @Test
    void stagesGrowTheRatioAndEndAtTheTarget() {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        DataSet data = data("mlp_fmnist", model);
        DarbOptions twoSteps = new DarbOptions(16, ai.onnxhap.plan.sparse.SparsityPattern.DARB, "magnitude", 2, 4096,
                java.util.Set.of(), false, null, 0);
        DarbCompression.Result r = DarbCompression.run(model, twoSteps, settings(data, 1), QUIET);
        assertEquals(16, r.plan().targetRatio(), 1e-9);
        assertEquals(16, r.report().totals().ratio(), 0.1);
        assertEquals(2, r.report().steps());
    }

    @Test
    void hessianCriterionPrefersWeightsTheLossDependsOnOverLargerDeadOnes() {
        // y = x W + b with W [64 in, 64 out]; odd input features are always zero, so their weights have a zero
        // Hessian diagonal although they are 100x larger: magnitude keeps them, the Hessian criterion does not.
        java.util.Random rnd = new java.util.Random(5);
        float[] w = new float[64 * 64];
        for (int j = 0; j < 64; j++) {
            for (int k = 0; k < 64; k++) {
                w[j * 64 + k] = j % 2 == 1 ? 10f : 0.05f + 0.1f * rnd.nextFloat();
            }
        }
        OnnxModel model = TestModels.gemm(64, 64, w, new float[64]);
        int n = 64;
        float[] x = new float[n * 64];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 64; j += 2) {
                x[i * 64 + j] = (float) rnd.nextGaussian();
            }
            labels[i] = rnd.nextInt(64);
        }
        DataSet data = new DataSet(Map.of("x", Tensor.ofFloats("x", new long[] {n, 64}, x)),
                Tensor.ofLongs("labels", new long[] {n}, labels));
        var calibration = new DarbOptions.Calibration(data, n, 2, 32);
        for (String criterion : new String[] {"magnitude", "hessian"}) {
            DarbOptions options = new DarbOptions(16, ai.onnxhap.plan.sparse.SparsityPattern.DARB, criterion, 1, 4096,
                    java.util.Set.of(), true, calibration, 0);
            DarbCompression.Result r = DarbCompression.run(model, options, null, QUIET);
            MatrixLayout l = r.plan().layouts().get(0);
            for (int row = 0; row < l.matrix().rows(); row++) {
                for (int c : l.keptInRow(row)) {
                    assertEquals(criterion.equals("magnitude") ? 1 : 0, c % 2, criterion + " row " + row + " kept " + c);
                }
            }
        }
    }

    @Test
    void aSparseOutputCanBePrunedFurther() {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        DarbCompression.Result first = DarbCompression.run(model, DarbOptions.of(8), null, QUIET);
        assertEquals(2, first.model().proto().getGraph().getSparseInitializerCount());
        DarbCompression.Result second = DarbCompression.run(first.model(), DarbOptions.of(16), null, QUIET);
        for (DarbReport.Matrix m : second.report().matrices()) {
            assertEquals(1 / 8.0, m.densityBefore(), 1e-3, m.tensor() + " was 8x sparse before");
            assertEquals(16, m.ratio(), 1e-2, m.tensor());
        }
        // Every weight kept at 16x was kept at 8x: block maxima of a masked matrix are its surviving weights.
        Graph eight = Graph.of(first.model());
        Graph sixteen = Graph.of(second.model());
        for (MatrixLayout l : second.plan().layouts()) {
            float[] w8 = eight.initializer(l.matrix().tensor()).floats();
            float[] w16 = sixteen.initializer(l.matrix().tensor()).floats();
            for (int i = 0; i < w16.length; i++) {
                assertTrue(w16[i] == 0 || w16[i] == w8[i], l.matrix().tensor() + "[" + i + "]");
            }
        }
    }
}
