package ai.onnxhap.score;

import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.Tensor;
import java.util.Map;
import java.util.function.Function;

/**
 * HAP's second-order sensitivity: for each weight slice c a unit owns, S_c = Tr(H_c) · ‖w_c‖² / n_c, with
 * Tr(H_c) the sum of the Hessian diagonal over the slice; a unit's score is the sum over the weights that
 * compute and read it (biases and normalisation parameters follow their structure unscored). Summing over a
 * group means a residual channel goes only when every branch can afford it.
 */
public final class HessianImportance implements Importance {
    private final Map<String, double[]> diagonal;
    private final HutchinsonTrace.Route route;
    private final int probes;

    /** @param diagonal Hessian diagonal estimate per weight, flat in the weight's layout */
    public HessianImportance(Map<String, double[]> diagonal) {
        this(diagonal, null, 0);
    }

    /** Scores from a Hutchinson estimate, remembering how it was made (for the report and provenance). */
    public HessianImportance(HutchinsonTrace.Diagonal estimate) {
        this(estimate.values(), estimate.route(), estimate.probes());
    }

    private HessianImportance(Map<String, double[]> diagonal, HutchinsonTrace.Route route, int probes) {
        this.diagonal = Map.copyOf(diagonal);
        this.route = route;
        this.probes = probes;
    }

    /** How the Hessian-vector products behind the diagonal were computed; empty when the diagonal was given. */
    public java.util.Optional<HutchinsonTrace.Route> route() {
        return java.util.Optional.ofNullable(route);
    }

    /** The number of Hutchinson probes drawn (0 when the diagonal was given). */
    public int probes() {
        return probes;
    }

    @Override
    public String name() {
        return "hessian";
    }

    /** S approximates the loss increase of removing the unit, so it compares across layers as it is. */
    @Override
    public boolean comparableAcrossGroups() {
        return true;
    }

    @Override
    public double[] scores(PruningGroup group, Function<String, Tensor> weights) {
        double[] out = new double[group.units()];
        for (Member m : group.parameters()) {
            double[] d = diagonal.get(m.tensor());
            if (d == null || m.role() == Member.Role.THROUGH) {
                continue;
            }
            Tensor w = weights.apply(m.tensor());
            double[] values = w.toDoubles();
            long[] shape = w.shape();
            long inner = 1;
            for (int a = m.axis() + 1; a < shape.length; a++) {
                inner *= shape[a];
            }
            long dim = shape[m.axis()];
            long outer = values.length / (dim * inner);
            for (int u = 0; u < out.length; u++) {
                double trace = 0;
                double norm = 0;
                long n = 0;
                for (int idx : m.map().of(u)) {
                    for (long o = 0; o < outer; o++) {
                        long base = (o * dim + idx) * inner;
                        for (long k = 0; k < inner; k++) {
                            int i = (int) (base + k);
                            trace += d[i];
                            norm += values[i] * values[i];
                        }
                    }
                    n += outer * inner;
                }
                out[u] += n == 0 ? 0 : trace * norm / n;
            }
        }
        return out;
    }
}
