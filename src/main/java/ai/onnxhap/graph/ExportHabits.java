package ai.onnxhap.graph;

import ai.onnxhap.model.OnnxModel;
import java.util.Map;
import java.util.function.Function;

/**
 * Rewrites that undo exporters' habits before analysis, each computing the same function: storage conventions
 * brought to one form ({@link CanonicalForm}: Constant-node weights, initializers listed as inputs, node names and
 * order, deprecated ops), shape-decided Ifs become their branch ({@link ConstantBranches}) and shared constant
 * fills get one copy per reader ({@link UniformConstants}). compress and check both work on the result.
 */
public final class ExportHabits {
    private ExportHabits() {
    }

    /**
     * @param shapesOf static shapes of a model's values (shape inference); called again when a rewrite changed it
     * @return the rewritten model, or the same instance when nothing applied
     */
    public static OnnxModel normalize(OnnxModel model, Function<OnnxModel, Map<String, long[]>> shapesOf) {
        OnnxModel canonical = CanonicalForm.of(model).model();
        OnnxModel inlined = ConstantBranches.inline(canonical, shapesOf.apply(canonical));
        return UniformConstants.untie(inlined);
    }
}
