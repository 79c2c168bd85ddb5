package ai.onnxhap.score;

import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.Tensor;
import java.util.SplittableRandom;
import java.util.function.Function;

/** Uniform random scores, seeded per group so results repeat: the baseline every criterion must beat. */
public final class RandomImportance implements Importance {
    private final long seed;

    public RandomImportance(long seed) {
        this.seed = seed;
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public double[] scores(PruningGroup group, Function<String, Tensor> weights) {
        SplittableRandom rnd = new SplittableRandom(seed ^ group.id().hashCode());
        double[] out = new double[group.units()];
        for (int u = 0; u < out.length; u++) {
            out[u] = rnd.nextDouble();
        }
        return out;
    }
}
