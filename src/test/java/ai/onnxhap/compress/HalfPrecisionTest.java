package ai.onnxhap.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.plan.PlanOptions;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.Float32Twin;
import ai.onnxhap.tf.train.Retraining;
import ai.onnxhap.tf.train.TrainConfig;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A float16 model (Caffe2's habit, tools/make_foreign_styles.py) is pruned and trained in its own type: Hessian
 * scores and gradient steps run on its float32 twin, and the weights go back as float16.
 */
class HalfPrecisionTest {
    private static final OnnxModel FP16 = ModelIO.load(TestModels.testdata().resolve("foreign_styles")
            .resolve("caffe2_fp16.onnx"));

    @Test
    void theTwinComputesWhatTheHalfModelComputes() {
        OnnxModel twin = Float32Twin.of(FP16);
        assertTrue(twin.proto().getGraph().getInitializerList().stream()
                .allMatch(t -> t.getDataType() != TensorProto.DataType.FLOAT16_VALUE));
        Graph g = Graph.of(FP16);
        Map<String, Tensor> inputs = OrtShapeOracle.syntheticInputs(g, InputShapes.resolve(g, Map.of(), 2), 5);
        Tensor half = run(FP16, inputs).values().iterator().next();
        Tensor wide = run(twin, Map.of(g.inputs().get(0).name(), widen(inputs.values().iterator().next())))
                .values().iterator().next();
        assertEquals(DataType.FLOAT16, half.type());
        float[] a = half.floats();
        float[] b = wide.floats();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 2e-3 + 2e-3 * Math.abs(b[i]), "element " + i);
        }
    }

    @Test
    void hessianScoringAndRetrainingKeepTheModelInFloat16() {
        Graph g = Graph.of(FP16);
        Map<String, long[]> shapes = InputShapes.resolve(g, Map.of(), 1);
        var options = new CompressOptions(new PlanOptions(0.3, 0.9, Set.of(), 1), "hessian", 0, Map.of(), 0.5, shapes,
                new CompressOptions.Calibration(null, true, 16, 2, 8));
        Compressor.Result result = new Compressor(OrtShapeOracle.INSTANCE).compress(FP16, "", options, false);
        assertTrue(result.report().paramsAfter() < result.report().paramsBefore());
        for (var layer : result.report().layers()) {
            if (layer.meanScore() != null) {
                assertTrue(Double.isFinite(layer.meanScore()), layer.group() + ": " + layer.meanScore()); // a trace estimate may be negative
            }
        }
        OnnxModel pruned = result.model();
        assertTrue(pruned.proto().getGraph().getInitializerList().stream()
                .allMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE), "weights stay float16");

        Graph pg = Graph.of(pruned);
        // 32 samples of the fixture's fixed-batch input [1, 3, 16, 16]
        Map<String, Tensor> x = OrtShapeOracle.syntheticInputs(pg, Map.of(pg.inputs().get(0).name(),
                new long[] {32, 3, 16, 16}), 9);
        long[] y = new long[32];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 10;
        }
        DataSet train = DataSet.of(x).withLabels(Tensor.ofLongs("labels", new long[] {32}, y));
        Retraining.Result trained = Retraining.run(pruned, FP16, train, null, TrainConfig.defaults().withEpochs(1),
                Map.of(), ai.onnxhap.tf.train.ProgressListener.NONE);
        var inits = trained.model().proto().getGraph().getInitializerList();
        assertTrue(inits.stream().allMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE),
                "trained weights are written back as float16");
        assertEquals(DataType.FLOAT16, Graph.of(trained.model()).inputs().get(0).type());
        Graph before = Graph.of(pruned);
        Graph after = Graph.of(trained.model());
        boolean changed = inits.stream().anyMatch(t -> !java.util.Arrays.equals(before.initializer(t.getName()).floats(),
                after.initializer(t.getName()).floats()));
        assertTrue(changed, "one epoch changed no weight");
        run(trained.model(), OrtShapeOracle.syntheticInputs(pg, InputShapes.resolve(pg, Map.of(), 1), 9)); // ORT runs it
    }

    private static Tensor widen(Tensor t) {
        return Tensor.ofFloats(t.name(), DataType.FLOAT, t.shape(), t.floats());
    }

    private static Map<String, Tensor> run(OnnxModel m, Map<String, Tensor> inputs) {
        try (OrtModel ort = OrtModel.open(m)) {
            return ort.run(inputs);
        }
    }
}
