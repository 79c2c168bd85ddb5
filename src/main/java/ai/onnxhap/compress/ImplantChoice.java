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
import java.util.HashMap;
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
record ImplantChoice(PruningPlan plan, Map<String, int[]> implanted, boolean full) {

    static ImplantChoice of(Graph graph, List<PruningGroup> groups, Map<String, double[]> scores, PruningPlan plan,
                            Function<Double, PruningPlan> planAt, CompressOptions options, Function<String, Double> cost,
                            boolean comparable) {
        CompressOptions.Implanting im = options.implanting();
        if (im.ratio() <= 0 || plan.targetParams() <= 0) {
            return new ImplantChoice(plan, Map.of(), true);
        }
        Map<String, Double> implantKeeps = new LinkedHashMap<>();
        Map<String, PruningGroup> byId = new LinkedHashMap<>();
        for (PruningGroup g : groups) {
            byId.put(g.id(), g);
            if (ChannelImplant.refusal(graph, g) == null) {
                double kept = ChannelImplant.keptFraction(graph, g, im.style(), options.implantBudget());
                if (kept < 0.999) { // a 1×1 filter's pointwise implant saves nothing
                    implantKeeps.put(g.id(), kept);
                }
            }
        }
        if (implantKeeps.isEmpty()) {
            return new ImplantChoice(plan, Map.of(), true);
        }
        // Raise the plan's ratio step by step until the full share of implants fits in the budget; implants are
        // taken most sensitive first and only while the budget still holds, so what is removed never falls short.
        // When no ratio up to half again as much fits them all, the ratio asked for keeps the implants its own
        // slack pays for: the budget is never overshot to buy implants.
        // A low-rank implant needs a few units to save anything (rank 1 already costs a filter plus a column).
        int minUnits = im.style() == ChannelImplant.Style.LOWRANK ? (int) Math.ceil(2 / options.implantBudget()) : 1;
        double limit = Math.min(0.99, 1.5 * plan.ratio());
        ImplantChoice first = null;
        for (double r = plan.ratio(); r <= limit + 1e-9; r += 0.01) {
            PruningPlan candidate = r == plan.ratio() ? plan : planAt.apply(r);
            Map<String, Double> retained = retained(graph, byId, candidate, implantKeeps, cost);
            ImplantChoice c = select(candidate, scores, retained, im.ratio(), comparable, plan, minUnits);
            if (first == null) {
                first = c;
            }
            if (c.full()) {
                return c;
            }
        }
        return first;
    }

    private int count() {
        return implanted.values().stream().mapToInt(a -> a.length).sum();
    }

    /**
     * The most sensitive removed units, up to {@code ratio} of all removed, as long as what the plan removes net
     * of what implanted units still cost stays at or above the target.
     */
    private static ImplantChoice select(PruningPlan plan, Map<String, double[]> scores, Map<String, Double> retained,
                                        double ratio, boolean comparable, PruningPlan asked, int minUnits) {
        long target = asked.targetParams();
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
        long wanted = Math.round(ratio * removed);
        double net = plan.plannedParams();
        Map<String, List<Integer>> chosen = new LinkedHashMap<>();
        Map<String, List<Candidate>> byGroup = new LinkedHashMap<>();
        candidates.forEach(c -> byGroup.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(c));
        int count = 0;
        for (Candidate c : candidates) {
            if (count >= wanted) {
                break;
            }
            List<Integer> taken = chosen.get(c.group());
            if (taken != null && taken.contains(c.unit())) {
                continue;
            }
            // A group joins with its minUnits most sensitive removed units at once, then grows one by one.
            List<Candidate> bundle = taken != null ? List.of(c)
                    : byGroup.get(c.group()).subList(0, Math.min(minUnits, byGroup.get(c.group()).size()));
            double price = bundle.size() * retained.get(c.group());
            if (bundle.size() < (taken != null ? 1 : minUnits) || count + bundle.size() > wanted
                    || net - price < target) {
                continue;
            }
            net -= price;
            count += bundle.size();
            bundle.forEach(b -> chosen.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(b.unit()));
        }
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
        return new ImplantChoice(new PruningPlan(plan.criterion(), asked.ratio(), decisions, plan.prunableParams(),
                target, Math.round(net), plan.budget()), implanted, count + minUnits > wanted);
    }

    /**
     * Per implantable group, what one implanted unit still costs under this plan: its slices of every weight
     * the group touches, shrunk by what the plan cuts from those weights' other axes, less the part of its
     * producer slices that the implant saves.
     */
    private static Map<String, Double> retained(Graph graph, Map<String, PruningGroup> groups, PruningPlan plan,
                                                Map<String, Double> implantKeeps, Function<String, Double> cost) {
        Map<String, Double> removedShare = new HashMap<>();
        for (GroupDecision d : plan.decisions()) {
            PruningGroup g = groups.get(d.group());
            if (d.removedUnits().length == 0 || g == null) {
                continue;
            }
            for (Member m : g.parameters()) {
                if (graph.isInitializer(m.tensor())) {
                    long dim = dims(graph, m.tensor())[m.axis()];
                    removedShare.merge(m.tensor() + "#" + m.axis(),
                            (double) m.map().removed(d.removedUnits()).length / dim, Double::sum);
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : implantKeeps.entrySet()) {
            double total = 0;
            for (Member m : groups.get(e.getKey()).parameters()) {
                if (!graph.isInitializer(m.tensor())) {
                    continue;
                }
                long[] d = dims(graph, m.tensor());
                double slice = m.map().of(0).length * cost.apply(m.tensor());
                for (int a = 0; a < d.length; a++) {
                    if (a != m.axis()) {
                        slice *= d[a] * (1 - Math.min(1, removedShare.getOrDefault(m.tensor() + "#" + a, 0.0)));
                    }
                }
                boolean producerWeight = m.role() == Member.Role.PRODUCER && graph.consumers(m.tensor()).stream()
                        .anyMatch(n -> ChannelImplant.isWeight(n, m.tensor()));
                total += producerWeight ? slice * e.getValue() : slice;
            }
            out.put(e.getKey(), total);
        }
        return out;
    }

    private static long[] dims(Graph graph, String tensor) {
        return graph.initializerProtos().get(tensor).getDimsList().stream().mapToLong(Long::longValue).toArray();
    }
}
