package ai.onnxhap.score;

import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * Weight magnitude of a unit over the weights that compute it and the weights that read it (the group's
 * producer and consumer slices): mean |w| for L1, root mean square for L2. Means rather than sums, so units
 * of wide and narrow layers compare.
 */
public final class MagnitudeImportance implements Importance {
    private final boolean squared;

    private MagnitudeImportance(boolean squared) {
        this.squared = squared;
    }

    public static MagnitudeImportance l1() {
        return new MagnitudeImportance(false);
    }

    public static MagnitudeImportance l2() {
        return new MagnitudeImportance(true);
    }

    @Override
    public String name() {
        return squared ? "l2" : "l1";
    }

    @Override
    public double[] scores(PruningGroup group, Function<String, Tensor> weights) {
        List<Member> scored = group.parameters().stream()
                .filter(m -> m.role() == Member.Role.PRODUCER || m.role() == Member.Role.CONSUMER).toList();
        if (scored.isEmpty()) {
            scored = group.parameters();
        }
        double[] sum = new double[group.units()];
        long[] count = new long[group.units()];
        for (Member m : scored) {
            Tensor t = weights.apply(m.tensor());
            double[] v = t.toDoubles();
            long[] shape = t.shape();
            long inner = 1;
            for (int i = m.axis() + 1; i < shape.length; i++) {
                inner *= shape[i];
            }
            long dim = shape[m.axis()];
            long outer = v.length / (dim * inner);
            for (int u = 0; u < group.units(); u++) {
                for (int idx : m.map().of(u)) {
                    for (long o = 0; o < outer; o++) {
                        long base = (o * dim + idx) * inner;
                        for (long k = 0; k < inner; k++) {
                            double w = v[(int) (base + k)];
                            sum[u] += squared ? w * w : Math.abs(w);
                        }
                    }
                    count[u] += outer * inner;
                }
            }
        }
        double[] out = new double[group.units()];
        for (int u = 0; u < out.length; u++) {
            double mean = count[u] == 0 ? 0 : sum[u] / count[u];
            out[u] = squared ? Math.sqrt(mean) : mean;
        }
        return out;
    }
}
