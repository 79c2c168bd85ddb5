package ai.onnxhap.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.testing.TestModels;
import ai.onnxhap.model.ErrorCode;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.ModelProto;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidatorTest {
    private static final int N = 10;
    /** W = [[1, 2], [3, 4], [5, 6]] row-major [3, 2]; b keeps outputs well away from zero. */
    private static final float[] W = {1, 2, 3, 4, 5, 6};
    private static final float[] B = {10, -20};

    /** With x[i] = [i, 1 - i, 0.5 i]: y[i] = [0.5 i + 13, i - 16], so class 0 always wins. */
    private static OnnxModel reference() {
        return TestModels.gemm(3, 2, W, B);
    }

    /** W[0][1] += 3: y[i][1] grows by 3 i, so only sample 9 flips to class 1 (4*9 - 16 = 20 > 17.5). */
    private static OnnxModel perturbed() {
        float[] w = W.clone();
        w[1] += 3;
        return TestModels.gemm(3, 2, w, B);
    }

    private static DataSet data() {
        return DataSet.of(Map.of("x", OrtModelTest.x(N)))
                .withLabels(Tensor.ofLongs("labels", new long[] {N}, new long[N]));
    }

    @Test
    void modelAgainstItselfIsIdentical() {
        ModelComparison c = Validator.compare(reference(), reference(), data(), 4);
        assertEquals(N, c.samples());
        OutputComparison y = c.outputs().get(0);
        assertEquals("y", y.name());
        assertEquals(List.of((long) N, 2L), y.shape());
        assertEquals(0, y.maxAbsError());
        assertEquals(0, y.maxRelError());
        assertEquals(0, y.meanAbsError());
        assertTrue(y.bitwiseIdentical());
        assertEquals(1.0, y.top1Agreement());
        assertEquals("y", c.accuracyOutput());
        assertEquals(1.0, c.referenceAccuracy());
        assertEquals(1.0, c.candidateAccuracy());
        assertEquals(0.0, c.accuracyDropPoints());
        assertTrue(c.bitwiseIdentical());
    }

    @Test
    void perturbedWeightGivesTheHandComputedDifference() {
        ModelComparison c = Validator.compare(reference(), perturbed(), data(), 3);
        OutputComparison y = c.outputs().get(0);
        // |a - b| = 3 i in column 1 and 0 in column 0; every value here is exact in float32.
        double maxAbs = 0;
        double maxRel = 0;
        double sum = 0;
        for (int i = 0; i < N; i++) {
            double d = 3.0 * i;
            maxAbs = Math.max(maxAbs, d);
            maxRel = Math.max(maxRel, d / Math.abs(i - 16.0));
            sum += d;
        }
        assertEquals(27.0, maxAbs);
        assertEquals(maxAbs, y.maxAbsError());
        assertEquals(maxRel, y.maxRelError(), 1e-12);
        assertEquals(27.0 / 7, y.maxRelError(), 1e-12);
        assertEquals(sum / (2 * N), y.meanAbsError(), 1e-12);
        assertFalse(y.bitwiseIdentical());
        assertEquals(0, y.nonFiniteMismatches());
        assertEquals(0.9, y.top1Agreement(), 1e-12);
        assertEquals(1.0, c.referenceAccuracy());
        assertEquals(0.9, c.candidateAccuracy(), 1e-12);
        assertEquals(10.0, c.accuracyDropPoints(), 1e-9);
        assertEquals(27.0, c.maxAbsError());
    }

    @Test
    void withoutLabelsThereIsNoAccuracy() {
        ModelComparison c = Validator.compare(reference(), perturbed(), data().withoutLabels(), 5);
        assertNull(c.accuracyOutput());
        assertNull(c.referenceAccuracy());
        assertNull(c.accuracyDropPoints());
    }

    @Test
    void outputsAreMatchedByPositionWhenRenamed() {
        ModelProto.Builder p = perturbed().proto().toBuilder();
        p.getGraphBuilder().getOutputBuilder(0).setName("logits");
        p.getGraphBuilder().getNodeBuilder(0).setOutput(0, "logits");
        ModelComparison c = Validator.compare(reference(), OnnxModel.of(p.build()), data(), 10);
        assertEquals("y", c.outputs().get(0).name());
        assertEquals("logits", c.outputs().get(0).candidateName());
        assertEquals(27.0, c.outputs().get(0).maxAbsError());
    }

    @Test
    void labelOutOfRangeIsUsage() {
        long[] labels = new long[N];
        labels[4] = 2;
        DataSet d = data().withLabels(Tensor.ofLongs("l", new long[] {N}, labels));
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> Validator.compare(reference(), reference(),
                d, 10));
        assertEquals(ErrorCode.USAGE, e.code());
        assertEquals("label 2 of sample 4 is out of range for output 'y' with 2 classes", e.getMessage());
    }

    @Test
    void nonFiniteValuesAreCountedNotMeasured() {
        Tensor a = Tensor.ofFloats("a", new long[] {4}, new float[] {1, Float.NaN, 3, Float.POSITIVE_INFINITY});
        Tensor b = Tensor.ofFloats("b", new long[] {4}, new float[] {1.5f, Float.NaN, 2, 7});
        OutputComparison c = Validator.compareOutput("a", a, "b", b);
        assertEquals(1.0, c.maxAbsError());
        assertEquals(0.5, c.maxRelError());
        assertEquals(1, c.nonFiniteMismatches(), "NaN against NaN agrees; Inf against 7 does not");
        assertNull(c.top1Agreement());
        OnnxHapException e = assertThrows(OnnxHapException.class, () -> Validator.compareOutput("a", a, "b",
                Tensor.ofFloats("b", new long[] {2, 2}, new float[4])));
        assertEquals("output 'a' has shape [4] in the reference but [2,2] in the candidate", e.getMessage());
    }

    @Test
    void relativeErrorFloorsTheReferenceAtOneMillionth() {
        Tensor a = Tensor.ofFloats("a", new long[] {2}, new float[] {0, -4});
        Tensor b = Tensor.ofFloats("b", new long[] {2}, new float[] {1e-7f, -4.2f});
        OutputComparison c = Validator.compareOutput("a", a, "b", b);
        assertEquals((double) 1e-7f / 1e-6, c.maxRelError(), 1e-12, "0.1 at the zero beats 0.05 at -4");
        assertEquals(4.2f - 4.0, c.maxAbsError(), 1e-12);
    }
}
