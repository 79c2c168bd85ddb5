package ai.onnxhap.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.ModelIO;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The canonical form computes exactly what the file computes (ONNX Runtime outputs bitwise equal) and restore puts
 * back what the file's IR needs. Fixtures from tools/make_foreign_styles.py, one exporter habit each.
 */
class CanonicalFormTest {
    private static OnnxModel fixture(String name) {
        return ModelIO.load(TestModels.testdata().resolve("foreign_styles").resolve(name + ".onnx"));
    }

    private static Map<String, Tensor> run(OnnxModel m, Map<String, Tensor> inputs) {
        try (OrtModel ort = OrtModel.open(m)) {
            return ort.run(inputs);
        }
    }

    private static void sameOutputs(OnnxModel a, OnnxModel b) {
        Graph g = Graph.of(a);
        var inputs = OrtShapeOracle.syntheticInputs(g, InputShapes.resolve(g, Map.of(), 2), 3);
        Map<String, Tensor> x = run(a, inputs);
        Map<String, Tensor> y = run(b, inputs);
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k).toDoubles(), y.get(k).toDoubles(), 0.0, k);
        }
    }

    @Test
    void constantWeightsBecomeInitializersAndShapesStayConstants() {
        OnnxModel paddle = fixture("paddle_constant_weights");
        assertEquals(0, paddle.proto().getGraph().getInitializerCount());
        OnnxModel c = CanonicalForm.of(paddle).model();
        var g = c.proto().getGraph();
        assertTrue(g.getInitializerCount() > 10, "weights lifted: " + g.getInitializerCount());
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant")) {
                TensorProto t = n.getAttribute(0).getT();
                assertFalse(t.getDataType() == TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() > 0
                        && t.getDims(0) > 1, "a float weight stayed a Constant: " + n.getOutput(0));
            }
        }
        sameOutputs(paddle, c);
    }

    @Test
    void initializersListedAsInputsLeaveAndComeBackWithTheirNewShapes() {
        OnnxModel cntk = fixture("cntk_inits_as_inputs");
        CanonicalForm.Result r = CanonicalForm.of(cntk);
        assertEquals(1, r.model().proto().getGraph().getInputCount(), "only the data input stays");
        assertEquals(cntk.proto().getGraph().getInitializerCount(), r.conventions().initializersAsInputs().size());
        // shrink one initializer as a rewrite would, then restore
        var b = r.model().proto().getGraph().toBuilder();
        TensorProto first = b.getInitializer(0);
        b.setInitializer(0, first.toBuilder().setDims(0, first.getDims(0) - 1).clearRawData().clearFloatData()
                .addAllFloatData(java.util.Collections.nCopies((int) (numel(first) / first.getDims(0)
                        * (first.getDims(0) - 1)), 0f)));
        OnnxModel restored = CanonicalForm.restore(r.model().withProto(r.model().proto().toBuilder().setGraph(b)
                .build()), r.conventions());
        var inputs = restored.proto().getGraph().getInputList();
        assertEquals(cntk.proto().getGraph().getInputCount(), inputs.size());
        var declared = inputs.stream().filter(v -> v.getName().equals(first.getName())).findFirst().orElseThrow();
        assertEquals(first.getDims(0) - 1, declared.getType().getTensorType().getShape().getDim(0).getDimValue());
    }

    @Test
    void imageScalerBecomesMulAndAddWithTheSameOutputs() {
        OnnxModel coreml = fixture("coreml_zipmap");
        OnnxModel c = CanonicalForm.of(coreml).model();
        assertTrue(c.proto().getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("ImageScaler")));
        sameOutputs(coreml, c);
    }

    @Test
    void cropBecomesASliceThatTensorFlowImports() {
        OnnxModel coreml = fixture("coreml_crop_opset7");
        OnnxModel c = CanonicalForm.of(coreml).model();
        var ops = c.proto().getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertFalse(ops.contains("Crop") || ops.contains("ImageScaler"), ops.toString());
        assertTrue(ops.contains("Slice"), ops.toString());
        sameOutputs(coreml, c);
        var check = ai.onnxhap.compress.CompatibilityCheck.run(coreml, Map.of("inputImage", new long[] {1, 3, 16, 16}));
        assertTrue(check.ok(), "TF import after the rewrite: " + check);
    }

    @Test
    void unnamedNodesGetUniqueNamesAndUnsortedNodesAreSorted() {
        OnnxModel caffe2 = fixture("caffe2_fp16");
        assertTrue(caffe2.proto().getGraph().getNodeList().stream().anyMatch(n -> n.getName().isEmpty()));
        OnnxModel named = CanonicalForm.of(caffe2).model();
        Set<String> names = new HashSet<>();
        named.proto().getGraph().getNodeList().forEach(n -> assertTrue(!n.getName().isEmpty() && names.add(n.getName()),
                "empty or repeated name '" + n.getName() + "'"));

        OnnxModel unsorted = fixture("unsorted_nodes");
        OnnxModel sorted = CanonicalForm.of(unsorted).model();
        Set<String> produced = new HashSet<>();
        sorted.proto().getGraph().getInputList().forEach(v -> produced.add(v.getName()));
        sorted.proto().getGraph().getInitializerList().forEach(t -> produced.add(t.getName()));
        for (NodeProto n : sorted.proto().getGraph().getNodeList()) {
            for (String in : n.getInputList()) {
                assertTrue(in.isEmpty() || produced.contains(in), in + " read before it is produced");
            }
            produced.addAll(n.getOutputList());
        }
        sameOutputs(unsorted, sorted);
    }

    @Test
    void aModelInCanonicalFormIsLeftAlone() {
        OnnxModel mlp = OnnxModel.of(TestModels.mlp(-1, 16, 8, 4, 2).proto());
        OnnxModel once = CanonicalForm.of(mlp).model();
        assertSame(once, CanonicalForm.of(once).model());
        assertSame(once, CanonicalForm.restore(once, CanonicalForm.of(once).conventions()));
    }

    private static long numel(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
    }

    @SuppressWarnings("unused")
    private static List<String> names(OnnxModel m) {
        return m.proto().getGraph().getNodeList().stream().map(NodeProto::getName).toList();
    }
}
