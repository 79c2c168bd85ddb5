package ai.onnxhap.validate;

/**
 * 95% intervals of what a validation measured: each model's accuracy (Wilson score interval) and the accuracy
 * drop in points, from the paired counts (the same samples go through both models, so only the samples on which
 * they disagree move the drop: d = (b − c)/n with variance ((b + c)/n − d²)/n).
 *
 * @param referenceLow  the original's accuracy, lower bound (fraction); the others likewise
 * @param dropLow       the drop in points, lower bound
 */
public record Intervals(double referenceLow, double referenceHigh, double candidateLow, double candidateHigh,
                        double dropLow, double dropHigh) {
    private static final double Z = 1.959964;

    /**
     * @param right         samples the original got right
     * @param candidateRight samples the compressed model got right
     * @param onlyReference  samples only the original got right (b); onlyCandidate likewise (c)
     */
    static Intervals of(int n, int right, int candidateRight, int onlyReference, int onlyCandidate) {
        double[] a = wilson(right, n);
        double[] b = wilson(candidateRight, n);
        double d = (onlyReference - onlyCandidate) / (double) n;
        double variance = Math.max(0, ((onlyReference + onlyCandidate) / (double) n - d * d) / n);
        double half = Z * Math.sqrt(variance);
        return new Intervals(a[0], a[1], b[0], b[1], 100 * (d - half), 100 * (d + half));
    }

    /** Half the drop interval's width, in points. */
    public double dropHalfWidth() {
        return (dropHigh - dropLow) / 2;
    }

    private static double[] wilson(int k, int n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double p = k / (double) n;
        double z2 = Z * Z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }
}
