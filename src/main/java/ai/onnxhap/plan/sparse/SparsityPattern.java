package ai.onnxhap.plan.sparse;

/** How the kept weights of a matrix are laid out; DARB is the product, the others are its baselines. */
public enum SparsityPattern {
    /** Density-adaptive power-of-two block sizes per row, the block maximum kept. */
    DARB,
    /** One block size for every row (the smallest meeting the ratio), the block maximum kept. */
    FIXED_BLOCK,
    /** The same number of largest weights in every row. */
    ROW_BALANCED,
    /** The largest weights of the matrix wherever they are. */
    IRREGULAR;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
