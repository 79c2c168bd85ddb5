package ai.onnxhap.validate;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.TensorRows;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Values inside a model, as ONNX Runtime computes them on data: what implant fitting regresses on and what
 * BatchNorm statistics are re-estimated from.
 */
public final class IntermediateValues {
    private IntermediateValues() {
    }

    /** Runs the model and returns the named intermediate values (added as graph outputs for the run). */
    public static Map<String, Tensor> of(OnnxModel model, OrtModel.Options ort, DataSet data, List<String> values) {
        GraphProto.Builder g = model.proto().getGraph().toBuilder();
        Set<String> outputs = new HashSet<>();
        g.getOutputList().forEach(o -> outputs.add(o.getName()));
        for (String v : values) {
            if (outputs.add(v)) {
                g.addOutput(ValueInfoProto.newBuilder().setName(v));
            }
        }
        OnnxModel probe = model.withProto(model.proto().toBuilder().setGraph(g).build());
        Map<String, List<Tensor>> parts = new LinkedHashMap<>();
        try (OrtModel session = OrtModel.open(probe, ort)) {
            for (DataSet batch : data.batches(64)) {
                Map<String, Tensor> all = session.run(batch, batch.size());
                values.forEach(v -> parts.computeIfAbsent(v, k -> new ArrayList<>()).add(all.get(v)));
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        parts.forEach((v, p) -> out.put(v, rows(p)));
        return out;
    }

    /**
     * One value's batches as one tensor. Sample-first values (a Conv's NCHW) stack along axis 0; values whose
     * rows mix samples and positions (GPT-2's Gemm on [B·S, F], a sequence-first [S, B, F]) become their
     * positions as rows, [positions, features], which is all the least-squares fit of a linear layer reads.
     */
    private static Tensor rows(List<Tensor> parts) {
        Tensor first = parts.get(0);
        boolean sameTail = parts.stream().allMatch(t -> t.rank() == first.rank() && java.util.Arrays.equals(
                java.util.Arrays.copyOfRange(t.shape(), 1, t.rank()), java.util.Arrays.copyOfRange(first.shape(), 1, first.rank())));
        if (sameTail) {
            return parts.size() == 1 ? first : TensorRows.concat(parts);
        }
        long width = first.dim(first.rank() - 1);
        return TensorRows.concat(parts.stream().map(t -> t.reshape(new long[] {t.size() / width, width})).toList());
    }
}
