package ai.onnxhap.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.tf.ops.TfOps;
import ai.onnxhap.validate.OrtModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TF translation of every bundled model computes what ONNX Runtime computes: the fixtures on their
 * Fashion-MNIST samples, the exporter corpus (and the external-data MLP) on random inputs; max |TF − ORT| ≤ 1e-4 × the output's scale.
 * The graphs are built with a dynamic batch axis, as training uses them, and their gradients must exist.
 */
class TfForwardTest {
    static Stream<Path> models() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path dir : List.of(TestModels.testdata(), TestModels.testdata().resolve("corpus"))) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(out::add);
            }
        }
        out.add(TestModels.testdata().resolve("mlp_external/model.onnx")); // weights in an external data file
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void matchesOnnxRuntime(Path path) {
        OnnxModel model = ModelIO.load(path);
        Map<String, Tensor> inputs = inputs(path, model);
        try (TfModel tf = TfModel.build(model)) {
            assertFalse(tf.trainableParameters().isEmpty(), "weights become trainable variables");
            compare(path, "dynamic", model, tf, inputs);
            gradientsAreFinite(tf, inputs);
        }
    }

    /** Static shapes take the other path through shape arithmetic: Shape nodes become constants. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"transformer_fmnist.onnx", "gru_fmnist.onnx", "corpus/shufflenet_v2_op13.onnx",
        "corpus/vit_op17.onnx", "corpus/transformer_encoder_op13.onnx"})
    void matchesOnnxRuntimeWithStaticShapes(String file) {
        Path path = TestModels.testdata().resolve(file);
        OnnxModel model = ModelIO.load(path);
        Map<String, Tensor> inputs = inputs(path, model);
        Map<String, long[]> shapes = new java.util.HashMap<>();
        inputs.forEach((k, v) -> shapes.put(k, v.shape()));
        try (TfModel tf = TfModel.build(model, shapes)) {
            compare(path, "static", model, tf, inputs);
        }
    }

    private static void compare(Path path, String kind, OnnxModel model, TfModel tf, Map<String, Tensor> inputs) {
        Map<String, Tensor> want;
        try (OrtModel ort = OrtModel.open(model)) {
            want = ort.run(inputs);
        }
        Map<String, Tensor> got = tf.run(inputs);
        for (String name : tf.outputNames()) {
            Tensor w = want.get(name);
            Tensor g = got.get(name);
            assertArrayEquals(w.shape(), g.shape(), name + " shape");
            double scale = Math.max(TfTesting.maxAbs(w), 1e-3);
            double diff = TfTesting.maxAbsDiff(w, g);
            System.out.printf("TF vs ORT %-32s %-7s %-8s max|diff| %.2e  scale %.2e  (%.1e relative)%n",
                    path.getFileName(), kind, name, diff, scale, diff / scale);
            assertTrue(diff <= 1e-4 * scale, name + ": max |TF - ORT| = " + diff + " at scale " + scale);
        }
    }

    /** TF's gradients (the C++ ones Java uses) exist for every translated op and are finite. */
    private static void gradientsAreFinite(TfModel tf, Map<String, Tensor> inputs) {
        Ops ops = tf.ops();
        Operand<TFloat32> out = TfOps.any(tf.output(tf.outputNames().get(0)));
        Operand<TFloat32> loss = ops.reduceSum(ops.math.square(out), ops.range(ops.constant(0), ops.rank(out),
                ops.constant(1)));
        Output<?>[] vars = tf.trainableVariables().values().stream().map(Operand::asOutput).toArray(Output<?>[]::new);
        List<Tensor> grads = tf.fetch(inputs, List.of(tf.graph().addGradients(loss.asOutput(), vars)));
        int nonZero = 0;
        for (Tensor g : grads) {
            double[] v = g.toDoubles();
            assertTrue(Arrays.stream(v).allMatch(Double::isFinite), "finite gradients");
            nonZero += Arrays.stream(v).anyMatch(x -> x != 0) ? 1 : 0;
        }
        assertTrue(nonZero >= grads.size() / 2, nonZero + " of " + grads.size() + " parameters have a gradient");
    }

    /** The fixture's own samples (first 16) when it has an .npz, else 3 random samples. */
    static Map<String, Tensor> inputs(Path path, OnnxModel model) {
        Path npz = Path.of(path.toString().replaceFirst("\\.onnx$", ".npz"));
        DataSet data = Files.exists(npz) ? ModelInputs.bind(DataLoader.load(npz), model).slice(0, 16)
                : DataSet.random(model, 3, 11, Map.of());
        return data.inputs();
    }
}
