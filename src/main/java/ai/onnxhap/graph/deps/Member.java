package ai.onnxhap.graph.deps;

/**
 * One tensor dimension a group cuts: a value (activation) or an initializer, an axis, and which indices
 * belong to each unit.
 *
 * @param role how the slice relates to the computation; consumer slices are where a removed unit stops
 *             mattering, so zeroing them reproduces the pruned model exactly (the equivalence tests use this)
 */
public record Member(String tensor, int axis, Role role, IndexMap map) {

    public enum Role {
        /** An activation; it shrinks with its producer. */
        VALUE,
        /** A weight slice that computes the unit (Conv/Gemm output rows, biases, BatchNorm statistics). */
        PRODUCER,
        /** A weight slice that reads the unit (next layer's input columns, output-projection rows). */
        CONSUMER,
        /** A weight slice applied to the unit in place (depthwise kernels, per-channel scales, LayerNorm). */
        THROUGH
    }

    public boolean isParameter() {
        return role != Role.VALUE;
    }
}
