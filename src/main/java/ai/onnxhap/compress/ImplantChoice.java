package ai.onnxhap.compress;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.plan.GroupDecision;
import ai.onnxhap.plan.PruningPlan;
import ai.onnxhap.rewrite.ChannelImplant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which units get a neural implant instead of removal: of the units the global ranking removes, the most
 * sensitive share (in groups that can take implants). An implanted unit still costs its consumers' weights and
 * its implant, so the plan is redone at a higher ratio (bisection) until what it removes, net of the implants,
 * meets the original budget.
 *
 * @param plan      decisions whose removed units exclude the implanted ones
 * @param implanted per group id, the implanted units (ascending)
 */
record ImplantChoice(PruningPlan plan, Map<String, int[]> implanted) {

    static ImplantChoice of(Graph graph, List<PruningGroup> groups, Map<String, double[]> scores, PruningPlan plan,
                            Function<Double, PruningPlan> planAt, CompressOptions options, Function<String, Double> cost,
                            boolean comparable) {
        CompressOptions.Implanting im = options.implanting();
        if (im.ratio() <= 0 || plan.targetParams() <= 0) {
            return new ImplantChoice(plan, Map.of());
        }
        Map<String, Double> retained = new LinkedHashMap<>();
        for (PruningGroup g : groups) {
            if (ChannelImplant.refusal(graph, g) == null) {
                double kept = ChannelImplant.keptFraction(graph, g, im.style(), options.implantBudget());
                retained.put(g.id(), unitCost(graph, g, cost, false) - unitCost(graph, g, cost, true) * (1 - kept));
            }
        }
        if (retained.isEmpty()) {
            return new ImplantChoice(plan, Map.of());
        }
        ImplantChoice best = select(plan, scores, retained, im.ratio(), comparable);
        if (best.net(retained) >= plan.targetParams()) {
            return best.withNet(retained);
        }
        double lo = plan.ratio();
        double hi = 0.99;
        ImplantChoice atHi = select(planAt.apply(hi), scores, retained, im.ratio(), comparable);
        if (atHi.net(retained) < plan.targetParams()) {
            return atHi.withNet(retained); // the caps bind before the budget: the closest we can get
        }
        best = atHi;
        for (int i = 0; i < 14; i++) {
            double mid = (lo + hi) / 2;
            ImplantChoice c = select(planAt.apply(mid), scores, retained, im.ratio(), comparable);
            if (c.net(retained) >= plan.targetParams()) {
                hi = mid;
                best = c;
            } else {
                lo = mid;
            }
        }
        return best.withNet(retained);
    }

    /** The plan with what it removes counted net of the implants, at the ratio asked for. */
    private ImplantChoice withNet(Map<String, Double> retained) {
        return new ImplantChoice(new PruningPlan(plan.criterion(), plan.ratio(), plan.decisions(), plan.prunableParams(),
                plan.targetParams(), net(retained), plan.budget()), implanted);
    }

    /** What the plan removes, in the budget's unit, less what implanted units still cost. */
    private long net(Map<String, Double> retained) {
        double back = 0;
        for (Map.Entry<String, int[]> e : implanted.entrySet()) {
            back += e.getValue().length * retained.get(e.getKey());
        }
        return Math.round(plan.plannedParams() - back);
    }

    private static ImplantChoice select(PruningPlan plan, Map<String, double[]> scores, Map<String, Double> retained,
                                        double ratio, boolean comparable) {
        record Candidate(String group, int unit, double score) {
        }
        List<Candidate> candidates = new ArrayList<>();
        int removed = 0;
        for (GroupDecision d : plan.decisions()) {
            removed += d.removedUnits().length;
            double[] s = scores.get(d.group());
            if (!retained.containsKey(d.group()) || s == null) {
                continue;
            }
            // Without a shared scale, a unit's score relative to its own layer's mean ranks it.
            double mean = comparable ? 1 : Math.max(1e-30, Arrays.stream(s).map(Math::abs).average().orElse(1));
            for (int u : d.removedUnits()) {
                candidates.add(new Candidate(d.group(), u, s[u] / mean));
            }
        }
        candidates.sort(Comparator.comparingDouble(Candidate::score).reversed()
                .thenComparing(Candidate::group).thenComparingInt(Candidate::unit));
        int count = (int) Math.min(candidates.size(), Math.round(ratio * removed));
        Map<String, List<Integer>> chosen = new LinkedHashMap<>();
        candidates.subList(0, count).forEach(c -> chosen.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(c.unit()));
        Map<String, int[]> implanted = new LinkedHashMap<>();
        chosen.forEach((g, units) -> implanted.put(g, units.stream().mapToInt(Integer::intValue).sorted().toArray()));
        List<GroupDecision> decisions = plan.decisions().stream().map(d -> {
            int[] im = implanted.get(d.group());
            if (im == null) {
                return d;
            }
            int[] left = Arrays.stream(d.removedUnits()).filter(u -> Arrays.binarySearch(im, u) < 0).toArray();
            return new GroupDecision(d.group(), d.kind(), d.rootNode(), d.units(), left,
                    left.length > 0 ? GroupDecision.Status.PRUNED : d.status(), d.reason());
        }).toList();
        return new ImplantChoice(new PruningPlan(plan.criterion(), plan.ratio(), decisions, plan.prunableParams(),
                plan.targetParams(), plan.plannedParams(), plan.budget()), implanted);
    }

    /** One unit's elements across the group's weights, or only across its producers' weights, in budget units. */
    private static double unitCost(Graph graph, PruningGroup g, Function<String, Double> cost, boolean producersOnly) {
        double total = 0;
        for (Member m : g.parameters()) {
            if (!graph.isInitializer(m.tensor())) {
                continue;
            }
            boolean producerWeight = m.role() == Member.Role.PRODUCER && graph.consumers(m.tensor()).stream()
                    .anyMatch(n -> ChannelImplant.isWeight(n, m.tensor()));
            if (producersOnly && !producerWeight) {
                continue;
            }
            long[] d = graph.initializerProtos().get(m.tensor()).getDimsList().stream().mapToLong(Long::longValue)
                    .toArray();
            long elements = Arrays.stream(d).reduce(1, (a, b) -> a * b);
            total += (double) elements / d[m.axis()] * m.map().of(0).length * cost.apply(m.tensor());
        }
        return total;
    }
}
