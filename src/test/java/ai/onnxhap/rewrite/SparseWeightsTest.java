package ai.onnxhap.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.SparseTensorCodec;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.SparseTensorProto;
import ai.onnxhap.plan.sparse.DarbPlan;
import ai.onnxhap.plan.sparse.DarbPlanner;
import ai.onnxhap.plan.sparse.SparsityPattern;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseWeightsTest {
    @TempDir
    Path dir;

    @Test
    void sparseInitializersRoundTripAndRunInOrtLikeTheDenseMaskedModel() throws Exception {
        for (String fixture : new String[] {"mlp_fmnist", "lstm_fmnist"}) {
            OnnxModel model = ModelIO.load(TestModels.testdata().resolve(fixture + ".onnx"));
            DarbPlan plan = DarbPlanner.plan(Graph.of(model), 16, SparsityPattern.DARB, Map.of(), 4096, Set.of());
            Map<String, Tensor> masks = SparseWeights.masks(plan);
            OnnxModel dense = SparseWeights.applyMasks(model, masks);
            SparseWeights.Result sparse = SparseWeights.storeSparse(dense, masks);
            assertEquals(masks.size(), sparse.model().proto().getGraph().getSparseInitializerCount(), fixture);
            assertTrue(sparse.tensors().stream().allMatch(SparseWeights.Stored::sparse), fixture);

            Path densePath = dir.resolve(fixture + "_dense.onnx");
            Path sparsePath = dir.resolve(fixture + "_sparse.onnx");
            ModelIO.save(dense, densePath);
            ModelIO.save(sparse.model(), sparsePath);
            assertTrue(Files.size(sparsePath) < Files.size(densePath) / 2, fixture + ": "
                    + Files.size(sparsePath) + " vs " + Files.size(densePath));

            OnnxModel loaded = ModelIO.load(sparsePath);
            Graph g = Graph.of(loaded);
            Graph expected = Graph.of(dense);
            for (String name : masks.keySet()) {
                assertTrue(g.sparseInitializers().containsKey(name));
                assertArrayEquals(expected.initializer(name).floats(), g.initializer(name).floats(), 0f, name);
                assertArrayEquals(expected.initializer(name).shape(), g.initializer(name).shape(), name);
            }

            OnnxModel densified = SparseTensorCodec.densified(loaded);
            assertEquals(0, densified.proto().getGraph().getSparseInitializerCount());
            for (String name : masks.keySet()) {
                assertArrayEquals(expected.initializer(name).floats(), Graph.of(densified).initializer(name).floats(), 0f);
            }

            DataSet data = ModelInputs.bind(DataLoader.load(TestModels.testdata().resolve(fixture + ".npz")), model);
            try (OrtModel a = OrtModel.open(dense); OrtModel b = OrtModel.open(loaded)) {
                Tensor ya = a.run(data, 64).get("logits");
                Tensor yb = b.run(data, 64).get("logits");
                assertArrayEquals(ya.floats(), yb.floats(), 0f, fixture + ": ORT on sparse vs dense masked weights");
            }
            try (OrtModel original = OrtModel.open(model); OrtModel pruned = OrtModel.open(loaded)) {
                float[] y0 = original.run(data, 64).get("logits").floats();
                float[] y1 = pruned.run(data, 64).get("logits").floats();
                assertTrue(!java.util.Arrays.equals(y0, y1), "pruning changed the outputs: the sparse weights are used");
            }
        }
    }

    @Test
    void denseStorageStaysWhenSparseWouldBeLarger() {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        // At 2x, values plus int64 indices (12 bytes per kept weight) exceed 4 bytes per dense element.
        DarbPlan plan = DarbPlanner.plan(Graph.of(model), 2, SparsityPattern.DARB, Map.of(), 4096, Set.of());
        Map<String, Tensor> masks = SparseWeights.masks(plan);
        SparseWeights.Result r = SparseWeights.storeSparse(SparseWeights.applyMasks(model, masks), masks);
        assertEquals(0, r.model().proto().getGraph().getSparseInitializerCount());
        assertTrue(r.tensors().stream().noneMatch(SparseWeights.Stored::sparse));
    }

    @Test
    void aPrunedWeightThatIsNotZeroIsRefused() {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve("mlp_fmnist.onnx"));
        DarbPlan plan = DarbPlanner.plan(Graph.of(model), 16, SparsityPattern.DARB, Map.of(), 4096, Set.of());
        Map<String, Tensor> masks = SparseWeights.masks(plan);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SparseWeights.storeSparse(model, masks));
        assertTrue(e.getMessage().contains("not zero"), e.getMessage());
    }

    @Test
    void coordinateIndicesDecodeAndBadIndicesAreInvalidModels() {
        Tensor values = Tensor.ofFloats("W", new long[] {2}, new float[] {5, 7});
        // [NNZ, rank] coordinates (1, 0) and (2, 3) of a 3x4 tensor.
        Tensor coords = Tensor.ofLongs("W_indices", new long[] {2, 2}, new long[] {1, 0, 2, 3});
        SparseTensorProto s = SparseTensorProto.newBuilder().setValues(TensorCodec.encode(values))
                .setIndices(TensorCodec.encode(coords)).addDims(3).addDims(4).build();
        OnnxModel any = TestModels.gemm(1, 1, new float[] {1}, new float[] {0});
        float[] dense = SparseTensorCodec.decode(s, any).floats();
        float[] expected = new float[12];
        expected[4] = 5;
        expected[11] = 7;
        assertArrayEquals(expected, dense, 0f);

        SparseTensorProto bad = s.toBuilder().setIndices(TensorCodec.encode(Tensor.ofLongs("i", new long[] {2},
                new long[] {3, 12}))).build();
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> SparseTensorCodec.decode(bad, any));
        assertEquals(ErrorCode.MODEL_NOT_SUPPORTED, e.code());
        assertTrue(e.getMessage().contains("index 12 outside its shape [3, 4]"), e.getMessage());
    }
}
