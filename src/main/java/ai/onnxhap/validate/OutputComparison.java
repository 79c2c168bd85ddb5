package ai.onnxhap.validate;

import ai.onnxhap.model.DataType;
import java.util.List;

/**
 * How one output of a candidate model differs from the reference's, over all samples. Errors are taken
 * over positions where both values are finite; positions where only one is NaN or the infinities differ
 * are counted in {@code nonFiniteMismatches}.
 *
 * @param name                the reference output's name
 * @param candidateName       the candidate output it was matched with (by name, else by position)
 * @param maxAbsError         max |a - b|, a the reference value and b the candidate's
 * @param meanAbsError        mean |a - b|
 * @param maxRelError         max |a - b| / max(|a|, 1e-6); large where the reference is near zero
 * @param bitwiseIdentical    same element type and the same bits everywhere
 * @param top1Agreement       for [N, C] float outputs (C at least 2): the fraction of samples whose arg-max
 *                            class is the same in both models; null for other outputs
 */
public record OutputComparison(String name, String candidateName, DataType type, List<Long> shape,
                               double maxAbsError, double meanAbsError, double maxRelError,
                               long nonFiniteMismatches, boolean bitwiseIdentical, Double top1Agreement) {
    /** Denominator floor of the relative error. */
    public static final double REL_EPSILON = 1e-6;

    public OutputComparison {
        shape = List.copyOf(shape);
    }
}
