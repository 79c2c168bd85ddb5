package ai.onnxhap.compress;

/**
 * A node replaced by a low-rank pair.
 *
 * @param relativeError ‖W − W_r‖ / ‖W‖ of the weight approximation
 */
public record ImplantChange(String node, int rank, int maxRank, long paramsBefore, long paramsAfter,
                            double relativeError) {
}
