package ai.onnxhap.tf.train;

import static ai.onnxhap.testing.TestModels.floatInfo;
import static ai.onnxhap.testing.TestModels.ints;
import static ai.onnxhap.testing.TestModels.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * With statistics re-estimated on a data set, BatchNorm normalises that data set exactly: per channel, its
 * output has mean B and variance scale²·σ²/(σ² + ε) (closed form), whatever statistics it was exported with.
 */
class BatchNormStatisticsTest {
    private static final float EPS = 1e-5f;

    @Test
    void reestimatedStatisticsNormaliseTheData() {
        Random rnd = new Random(3);
        float[] scale = {0.5f, 1.5f, 2f, 1f, 0.8f};
        float[] beta = {0.1f, -0.2f, 0.3f, 0f, 1f};
        GraphProto g = GraphProto.newBuilder().setName("bn")
                .addInput(floatInfo("x", 8, 3, 6, 6))
                .addOutput(floatInfo("y"))
                .addInitializer(TensorCodec.encode(randomFloats("W", rnd, 5, 3, 3, 3)))
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("scale", new long[] {5}, scale)))
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("B", new long[] {5}, beta)))
                // Stale statistics, as if exported from another network.
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("mean", new long[] {5}, new float[] {3, -3, 1, 0, 2})))
                .addInitializer(TensorCodec.encode(Tensor.ofFloats("var", new long[] {5}, new float[] {9, 0.1f, 4, 1, 2})))
                .addNode(NodeProto.newBuilder().setName("conv").setOpType("Conv").addInput("x").addInput("W")
                        .addOutput("c").addAttribute(ints("kernel_shape", 3, 3)).addAttribute(ints("pads", 1, 1, 1, 1)))
                .addNode(NodeProto.newBuilder().setName("bn").setOpType("BatchNormalization").addInput("c")
                        .addInput("scale").addInput("B").addInput("mean").addInput("var").addOutput("y")
                        .addAttribute(ai.onnxhap.onnx.AttributeProto.newBuilder().setName("epsilon")
                                .setType(ai.onnxhap.onnx.AttributeProto.AttributeType.FLOAT).setF(EPS)))
                .build();
        OnnxModel model = OnnxModel.of(TestModels.wrap(g, 13));
        Tensor x = randomFloats("x", new Random(4), 8, 3, 6, 6);
        BatchNormStatistics.Result r = BatchNormStatistics.reestimate(model, DataSet.of(Map.of("x", x)),
                OrtModel.Options.defaults());
        assertEquals(List.of("bn"), r.nodes());
        Tensor y;
        try (OrtModel ort = OrtModel.open(r.model())) {
            y = ort.run(Map.of("x", x)).get("y");
        }
        // Measured here, independently of the code under test: y is [8, 5, 6, 6].
        double[][] moments = new double[2][5];
        float[] v = y.floats();
        for (int c = 0; c < 5; c++) {
            double sum = 0;
            double sq = 0;
            for (int n = 0; n < 8; n++) {
                for (int p = 0; p < 36; p++) {
                    double e = v[(n * 5 + c) * 36 + p];
                    sum += e;
                    sq += e * e;
                }
            }
            moments[0][c] = sum / 288;
            moments[1][c] = sq / 288 - moments[0][c] * moments[0][c];
        }
        float[] var = ai.onnxhap.graph.Graph.of(r.model()).initializer("var").floats();
        for (int c = 0; c < 5; c++) {
            assertEquals(beta[c], moments[0][c], 1e-4, "mean of channel " + c);
            double expected = scale[c] * scale[c] * var[c] / (var[c] + EPS);
            assertEquals(expected, moments[1][c], 1e-4 * expected, "variance of channel " + c);
        }
    }
}
