package ai.onnxhap.compress;

/**
 * One implant: a whole node replaced by a low-rank pair ({@code --implant NODE}), or the implanted units of a
 * pruned layer computed by a pointwise or low-rank component.
 *
 * @param units             implanted output units (0: the whole node)
 * @param rank              the implant's inner width (a pointwise implant's: the inputs it reads)
 * @param weightError       ‖W − W_r‖ / ‖W‖ of a whole-node low-rank implant (null otherwise)
 * @param outputErrorBefore relative error of the implanted units' outputs on the calibration data, as started
 *                          (SVD or centre taps); null without calibration data
 * @param outputErrorAfter  the same after the least-squares fit
 */
public record ImplantChange(String node, String style, int units, int rank, long paramsBefore, long paramsAfter,
                            Double weightError, Double outputErrorBefore, Double outputErrorAfter) {
}
