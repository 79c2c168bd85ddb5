package ai.onnxhap.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ONNX's own backend conformance cases run through {@link OrtModel}: the expected outputs are ONNX's. */
class OrtModelBackendTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {
        "node/test_conv_with_strides_padding", "node/test_conv_with_strides_no_padding",
        "node/test_conv_with_strides_and_asymmetric_padding", "node/test_conv_with_autopad_same",
        "node/test_basic_conv_with_padding", "node/test_convtranspose", "node/test_convtranspose_pads",
        "node/test_matmul_2d", "node/test_matmul_3d", "node/test_matmul_4d",
        "node/test_gemm_default_matrix_bias", "node/test_gemm_default_no_bias", "node/test_gemm_default_scalar_bias",
        "node/test_gemm_default_vector_bias", "node/test_gemm_all_attributes", "node/test_gemm_transposeA",
        "node/test_gemm_transposeB", "node/test_relu", "node/test_leakyrelu", "node/test_sigmoid", "node/test_tanh",
        "node/test_prelu_broadcast", "node/test_softmax_axis_0", "node/test_softmax_axis_1",
        "node/test_softmax_large_number", "node/test_logsoftmax_axis_1", "node/test_maxpool_2d_pads",
        "node/test_maxpool_2d_strides", "node/test_maxpool_2d_ceil", "node/test_averagepool_2d_pads",
        "node/test_globalaveragepool", "node/test_batchnorm_example", "node/test_batchnorm_epsilon",
        "node/test_instancenorm_example", "node/test_layer_normalization_4d_axis1", "node/test_lrn",
        "node/test_flatten_axis1", "node/test_reshape_negative_dim", "node/test_transpose_all_permutations_3",
        "node/test_concat_3d_axis_1", "node/test_add_bcast", "node/test_mul_bcast", "node/test_sub_bcast",
        "node/test_reduce_sum_keepdims_random", "node/test_clip_splitbounds",
        "pytorch-converted/test_Conv2d_depthwise_padded", "pytorch-converted/test_Conv2d_groups",
        "pytorch-converted/test_PixelShuffle", "pytorch-operator/test_operator_permute2",
        // Non-float element types through the Tensor <-> OnnxTensor conversion.
        "node/test_argmax_keepdims_random", "node/test_equal", "node/test_and2d", "node/test_where_example",
        "node/test_add_uint8", "node/test_maxpool_2d_uint8", "node/test_clip_default_int8_min",
        "node/test_cast_FLOAT_to_DOUBLE", "node/test_cast_DOUBLE_to_FLOAT", "node/test_cast_FLOAT_to_FLOAT16",
        "node/test_cast_FLOAT16_to_FLOAT", "node/test_shape_clip_end",
    })
    void matchesOnnxReferenceOutputs(String test) {
        Path dir = TestModels.onnxTestData().resolve(test);
        OnnxModel model = ModelIO.load(dir.resolve("model.onnx"));
        List<DataLoader.TestCase> cases = DataLoader.loadTestCases(dir);
        assertTrue(!cases.isEmpty());
        try (OrtModel ort = OrtModel.open(model, OrtModel.Options.defaults().withThreads(1))) {
            for (DataLoader.TestCase c : cases) {
                Map<String, Tensor> feed = new LinkedHashMap<>();
                List<Tensor> inputs = List.copyOf(c.inputs().values());
                for (int i = 0; i < inputs.size(); i++) {
                    feed.put(ort.inputNames().get(i), inputs.get(i));
                }
                List<Tensor> got = List.copyOf(ort.run(feed).values());
                List<Tensor> want = List.copyOf(c.outputs().values());
                assertEquals(want.size(), got.size(), test + " output count");
                for (int i = 0; i < want.size(); i++) {
                    assertClose(test + " " + c.name() + " output " + i, want.get(i), got.get(i));
                }
            }
        }
    }

    static void assertClose(String what, Tensor want, Tensor got) {
        assertEquals(want.type(), got.type(), what + " type");
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        if (want.type().storage() == DataType.Storage.LONG) {
            assertArrayEquals(want.longs(), got.longs(), what);
            return;
        }
        double tol = want.type() == DataType.FLOAT16 ? 1e-3 : TOLERANCE;
        double[] a = want.toDoubles();
        double[] b = got.toDoubles();
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= tol + tol * Math.abs(a[i]),
                    what + " at " + i + ": expected " + a[i] + ", got " + b[i]);
        }
    }
}
