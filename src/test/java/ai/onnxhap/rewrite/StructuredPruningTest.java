package ai.onnxhap.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataLoader;
import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.graph.deps.GroupFinder;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.testing.Masking;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Physically pruned models compute exactly what the original computes with the same units masked:
 * checked per group and for all groups at once, in ONNX Runtime, on the fixtures' real inputs.
 */
class StructuredPruningTest {

    static Map<String, Tensor> run(OnnxModel m, Map<String, Tensor> inputs) {
        try (OrtModel ort = OrtModel.open(m)) {
            return ort.run(inputs);
        }
    }

    /** max |a - b| ≤ 1e-5 · max |a| (+ a float epsilon floor). */
    static void assertClose(Map<String, Tensor> expected, Map<String, Tensor> actual, String what) {
        for (String out : expected.keySet()) {
            float[] a = expected.get(out).floats();
            float[] b = actual.get(out).floats();
            assertEquals(a.length, b.length, what);
            double scale = 0;
            double err = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(a[i]));
                err = Math.max(err, Math.abs(a[i] - b[i]));
            }
            assertTrue(err <= 1e-5 * scale + 1e-6, what + ": max error " + err + " at output scale " + scale);
        }
    }

    static int[] randomUnits(PruningGroup g, Random rnd, double fraction) {
        int k = Math.max(1, Math.min(g.units() - 1, (int) Math.round(fraction * g.units())));
        List<Integer> all = new ArrayList<>();
        for (int u = 0; u < g.units(); u++) {
            all.add(u);
        }
        java.util.Collections.shuffle(all, rnd);
        return all.subList(0, k).stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet_fmnist", "transformer_fmnist", "mlp_fmnist"})
    void prunedEqualsMaskedForEveryGroupAndAllTogether(String fixture) {
        Path dir = TestModels.testdata();
        OnnxModel model = ModelIO.load(dir.resolve(fixture + ".onnx"));
        DataSet data = ModelInputs.bind(DataLoader.load(dir.resolve(fixture + ".npz")), model).slice(0, 8);
        Graph graph = Graph.of(model);
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(model, InputShapes.resolve(graph, Map.of(), 1));
        List<PruningGroup> all0 = new GroupFinder(graph, shapes).findAll();
        // The residual width is inexact by design (the norms' statistics change); every other group is exact.
        all0.stream().filter(g -> g.kind() == PruningGroup.Kind.HIDDEN)
                .forEach(g -> assertFalse(g.exact(), g.id() + " is marked inexact"));
        List<PruningGroup> groups = all0.stream()
                .filter(g -> g.prunable() && g.kind() != PruningGroup.Kind.HIDDEN).toList();
        assertFalse(groups.isEmpty(), fixture + " has prunable groups");
        Random rnd = new Random(42);
        List<Surgeon.Cut> all = new ArrayList<>();
        for (PruningGroup g : groups) {
            assertTrue(g.exact(), g.id() + " is exact");
            Surgeon.Cut cut = new Surgeon.Cut(g, randomUnits(g, rnd, 0.4));
            all.add(cut);
            OnnxModel pruned = Surgeon.apply(model, List.of(cut), shapes);
            assertClose(run(Masking.masked(model, List.of(cut)), data.inputs()), run(pruned, data.inputs()),
                    fixture + " group " + g.id());
        }
        OnnxModel pruned = Surgeon.apply(model, all, shapes);
        assertClose(run(Masking.masked(model, all), data.inputs()), run(pruned, data.inputs()), fixture + " all groups");
        assertTrue(pruned.proto().getSerializedSize() < model.proto().getSerializedSize());
        assertEquals(model.proto().getOpsetImportList(), pruned.proto().getOpsetImportList());
        assertEquals(model.proto().getIrVersion(), pruned.proto().getIrVersion());
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet_fmnist", "transformer_fmnist"})
    void cuttingNothingChangesNothing(String fixture) {
        Path dir = TestModels.testdata();
        OnnxModel model = ModelIO.load(dir.resolve(fixture + ".onnx"));
        DataSet data = ModelInputs.bind(DataLoader.load(dir.resolve(fixture + ".npz")), model).slice(0, 8);
        Graph graph = Graph.of(model);
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(model, InputShapes.resolve(graph, Map.of(), 1));
        List<Surgeon.Cut> none = new GroupFinder(graph, shapes).findAll().stream().filter(PruningGroup::prunable)
                .map(g -> new Surgeon.Cut(g, new int[0])).toList();
        OnnxModel same = Surgeon.apply(model, none, shapes);
        Map<String, Tensor> a = run(model, data.inputs());
        Map<String, Tensor> b = run(same, data.inputs());
        for (String out : a.keySet()) {
            assertArrayEquals(a.get(out).floats(), b.get(out).floats(), out);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_fmnist"})
    void removingEveryUnitIsRefused(String fixture) {
        OnnxModel model = ModelIO.load(TestModels.testdata().resolve(fixture + ".onnx"));
        Graph graph = Graph.of(model);
        Map<String, long[]> shapes = OrtShapeOracle.INSTANCE.shapes(model, InputShapes.resolve(graph, Map.of(), 1));
        PruningGroup g = new GroupFinder(graph, shapes).findAll().get(0);
        int[] all = java.util.stream.IntStream.range(0, g.units()).toArray();
        OnnxHapException e = assertThrows(OnnxHapException.class,
                () -> Surgeon.apply(model, List.of(new Surgeon.Cut(g, all)), shapes));
        assertTrue(e.getMessage().contains("keep at least one"), e.getMessage());
    }
}
