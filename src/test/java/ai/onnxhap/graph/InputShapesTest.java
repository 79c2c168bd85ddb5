package ai.onnxhap.graph;

import static ai.onnxhap.testing.TestModels.node;
import static ai.onnxhap.testing.TestModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ValueInfoProto;
import ai.onnxhap.testing.TestModels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputShapesTest {
    /** Each input goes through Identity to an output of its own, so the model is valid ONNX. */
    private static OnnxModel model(ValueInfoProto... inputs) {
        GraphProto.Builder g = GraphProto.newBuilder();
        for (ValueInfoProto in : inputs) {
            g.addInput(in).addOutput(ValueInfoProto.newBuilder().setName(in.getName() + "_out"))
                    .addNode(node("Identity", new String[] {in.getName()}, new String[] {in.getName() + "_out"}));
        }
        return TestModels.model(g);
    }

    private static InputShapes.Resolution resolve(OnnxModel m, Map<String, long[]> overrides, long batch,
                                                  Map<String, long[]> data) {
        return InputShapes.resolve(Graph.of(m), overrides, batch, data);
    }

    private static OnnxModel bert() {
        return model(value("input_ids", DataType.INT64, "batch", "sequence"),
                value("attention_mask", DataType.INT64, "batch", "sequence"));
    }

    @Test
    void aSharedDimNameGetsOneDefaultAndOneAssumption() {
        InputShapes.Resolution r = resolve(bert(), Map.of(), 3, Map.of());
        assertArrayEquals(new long[] {3, 16}, r.shapes().get("input_ids"));
        assertArrayEquals(new long[] {3, 16}, r.shapes().get("attention_mask"));
        assertEquals(List.of("assuming input_ids, attention_mask: sequence=16 (give --shape input_ids=... to change)"),
                r.assumptions());
    }

    @Test
    void aGivenShapeSetsTheSharedDimForTheOtherInputsWithoutAssumption() {
        InputShapes.Resolution r = resolve(bert(), Map.of("input_ids", new long[] {2, 40}), 1, Map.of());
        assertArrayEquals(new long[] {2, 40}, r.shapes().get("input_ids"));
        // the batch name is shared too: the given 2 beats --batch 1
        assertArrayEquals(new long[] {2, 40}, r.shapes().get("attention_mask"));
        assertEquals(List.of(), r.assumptions());
    }

    @Test
    void givenShapesThatDisagreeOnASharedDimAreRefused() {
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> resolve(bert(),
                Map.of("input_ids", new long[] {1, 40}, "attention_mask", new long[] {1, 41}), 1, Map.of()));
        assertEquals(ErrorCode.USAGE, e.code());
        assertTrue(e.getMessage().contains("sequence=40") && e.getMessage().contains("41"), e.getMessage());
    }

    @Test
    void theDataSizeComesBeforeMetadataAndDefault() {
        OnnxModel m = bert().withMetadata("sequence", "128");
        InputShapes.Resolution fromData = resolve(m, Map.of(), 1,
                Map.of("input_ids", new long[] {500, 64}, "attention_mask", new long[] {500, 64}));
        // axis 0 of the data is its sample count, not the batch
        assertArrayEquals(new long[] {1, 64}, fromData.shapes().get("attention_mask"));
        assertEquals(List.of(), fromData.assumptions());

        InputShapes.Resolution fromMetadata = resolve(m, Map.of(), 1, Map.of());
        assertArrayEquals(new long[] {1, 128}, fromMetadata.shapes().get("input_ids"));
        assertEquals(List.of("assuming input_ids, attention_mask: sequence=128 from the model's metadata_props "
                + "(give --shape input_ids=... to change)"), fromMetadata.assumptions());
    }

    @Test
    void metadataThatIsNotAPositiveNumberIsIgnored() {
        InputShapes.Resolution r = resolve(bert().withMetadata("sequence", "long"), Map.of(), 1, Map.of());
        assertArrayEquals(new long[] {1, 16}, r.shapes().get("input_ids"));
    }

    @Test
    void spatialAxesOfFloatImagesAndVolumesDefaultTo224() {
        OnnxModel m = model(value("nchw", DataType.FLOAT, "n", 3, "h", "w"),
                value("nhwc", DataType.FLOAT, "n", "h2", "w2", 3),
                value("volume", DataType.FLOAT, "n", 1, "d", "h3", "w3"),
                value("channels_open", DataType.FLOAT, "n", "c", "h4", "w4"),
                value("ints", DataType.INT64, "n", 3, "h5", "w5"),
                value("seq", DataType.FLOAT, "n", "t", 80));
        InputShapes.Resolution r = resolve(m, Map.of(), 1, Map.of());
        assertArrayEquals(new long[] {1, 3, 224, 224}, r.shapes().get("nchw"));
        assertArrayEquals(new long[] {1, 224, 224, 3}, r.shapes().get("nhwc"));
        assertArrayEquals(new long[] {1, 1, 224, 224, 224}, r.shapes().get("volume"));
        assertArrayEquals(new long[] {1, 16, 16, 16}, r.shapes().get("channels_open"));
        assertArrayEquals(new long[] {1, 3, 16, 16}, r.shapes().get("ints"));
        assertArrayEquals(new long[] {1, 16, 80}, r.shapes().get("seq"));
        assertTrue(r.assumptions().contains("assuming nchw: h=224, w=224 (give --shape nchw=... to change)"),
                r.assumptions().toString());
    }

    @Test
    void unnamedDimsAreNotSharedAndAreNamedByAxis() {
        OnnxModel m = model(value("a", DataType.FLOAT, "", ""), value("b", DataType.FLOAT, 2, ""));
        InputShapes.Resolution r = resolve(m, Map.of(), 5, Map.of());
        assertArrayEquals(new long[] {5, 16}, r.shapes().get("a"));
        assertArrayEquals(new long[] {2, 16}, r.shapes().get("b"));
        assertEquals(List.of("assuming a: axis 1=16 (give --shape a=... to change)",
                "assuming b: axis 1=16 (give --shape b=... to change)"), r.assumptions());
    }

    @Test
    void anInputWithoutAnyShapeStillNeedsShape() {
        OnnxModel m = model(ValueInfoProto.newBuilder().setName("x").setType(ai.onnxhap.onnx.TypeProto.newBuilder()
                .setTensorType(ai.onnxhap.onnx.TypeProto.Tensor.newBuilder().setElemType(1))).build());
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> resolve(m, Map.of(), 1, Map.of()));
        assertEquals("input 'x' declares no shape; give it with --shape x=d0,d1,...", e.getMessage());
        assertArrayEquals(new long[] {4}, resolve(m, Map.of("x", new long[] {4}), 1, Map.of()).shapes().get("x"));
    }
}
