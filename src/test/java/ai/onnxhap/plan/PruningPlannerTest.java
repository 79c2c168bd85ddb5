package ai.onnxhap.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxhap.graph.deps.IndexMap;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PruningPlannerTest {
    /** A group of 8 units whose producer weight is [8, width]: one unit frees {@code width} parameters. */
    private static PruningGroup group(String id, int width) {
        return new PruningGroup(id, PruningGroup.Kind.NEURON, id, 8,
                List.of(new Member(id + ".w", 0, Member.Role.PRODUCER, IndexMap.identity(8))), List.of(), List.of(),
                true, null, true);
    }

    private static Map<String, Integer> removedPerGroup(PlanOptions.Ranking ranking, Map<String, double[]> scores) {
        List<PruningGroup> groups = List.of(group("narrow", 10), group("wide", 100));
        Map<String, long[]> shapes = Map.of("narrow.w", new long[] {8, 10}, "wide.w", new long[] {8, 100});
        // 8 narrow units (80) + 8 wide units (800) = 880 parameters; a ratio of 0.25 asks for 220 of them.
        PruningPlan plan = PruningPlanner.plan(groups, scores,
                new PlanOptions(0.25, 0.95, Set.of(), 1).withRanking(ranking), "hessian", shapes::get,
                t -> List.of(), true);
        return Map.of("narrow", plan.decisions().get(0).removedUnits().length,
                "wide", plan.decisions().get(1).removedUnits().length);
    }

    @Test
    void perCostRankingTakesTheLossPerParameterFreedScoreRankingTheLossAlone() {
        double[] narrow = new double[8];
        double[] wide = new double[8];
        Arrays.fill(narrow, 1.0);
        Arrays.fill(wide, 5.0); // a wide unit costs 5x the loss but frees 10x the parameters
        Map<String, double[]> scores = Map.of("narrow", narrow, "wide", wide);

        // By score, the narrow layer goes first: at most 7 of its units (the cap keeps one), 70 parameters,
        // then wide units until 220 are reached: 2 more (200).
        assertEquals(Map.of("narrow", 7, "wide", 2), removedPerGroup(PlanOptions.Ranking.SCORE, scores));
        // Per parameter the wide units are cheaper (0.05 vs 0.1 per parameter): three of them reach 300 >= 220.
        assertEquals(Map.of("narrow", 0, "wide", 3), removedPerGroup(PlanOptions.Ranking.PER_COST, scores));
    }

    @Test
    void withRatioKeepsEveryOtherSetting() {
        PlanOptions o = new PlanOptions(0.5, 0.8, Set.of("a"), 4, PlanOptions.Budget.MACS)
                .withRanking(PlanOptions.Ranking.PER_COST);
        assertEquals(new PlanOptions(0.3, 0.8, Set.of("a"), 4, PlanOptions.Budget.MACS,
                PlanOptions.Ranking.PER_COST), o.withRatio(0.3));
    }
}
