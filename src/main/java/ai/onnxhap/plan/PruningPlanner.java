package ai.onnxhap.plan;

import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Global ranking: the units of every prunable group compete on their score (normalised by the group's mean
 * when the criterion's scale differs between layers) and the lowest go until the parameter target is met. Units leave in
 * chunks that keep each layer's width a multiple of {@code roundTo}, never past the per-layer cap. Removed
 * parameters are counted exactly as the cut proceeds: a weight cut on two axes (rows by one group, columns by
 * another) loses rows × current columns, then columns × current rows.
 */
public final class PruningPlanner {
    private PruningPlanner() {
    }

    /**
     * @param scores      per group id, one score per unit (higher = keep)
     * @param weightShape shape of each initializer
     * @param consumers   the nodes reading each initializer (for --exclude)
     */
    public static PruningPlan plan(List<PruningGroup> groups, Map<String, double[]> scores, PlanOptions options,
                                   String criterion, Function<String, long[]> weightShape,
                                   Function<String, List<String>> consumers) {
        return plan(groups, scores, options, criterion, weightShape, consumers, false);
    }

    /** @param comparable scores already share one scale across groups: rank them as they are */
    public static PruningPlan plan(List<PruningGroup> groups, Map<String, double[]> scores, PlanOptions options,
                                   String criterion, Function<String, long[]> weightShape,
                                   Function<String, List<String>> consumers, boolean comparable) {
        return plan(groups, scores, options, criterion, weightShape, consumers, comparable, tensor -> 1.0);
    }

    /**
     * @param costPerElement what removing one element of a weight saves in the budget's unit: 1 for parameters,
     *                       the consuming node's MACs per weight element for MACs
     */
    public static PruningPlan plan(List<PruningGroup> groups, Map<String, double[]> scores, PlanOptions options,
                                   String criterion, Function<String, long[]> weightShape,
                                   Function<String, List<String>> consumers, boolean comparable,
                                   Function<String, Double> costPerElement) {
        Map<String, long[]> dims = new HashMap<>();
        Set<String> prunableTensors = new LinkedHashSet<>();
        for (PruningGroup g : groups) {
            for (Member m : g.parameters()) {
                dims.computeIfAbsent(m.tensor(), t -> weightShape.apply(t).clone());
                if (g.prunable() && allowed(g, options)) {
                    prunableTensors.add(m.tensor());
                }
            }
        }
        long prunableParams = Math.round(prunableTensors.stream()
                .mapToDouble(t -> elements(dims.get(t)) * costPerElement.apply(t)).sum());
        long target = Math.round(options.ratio() * prunableParams);

        Map<String, String> excludedBy = new LinkedHashMap<>();
        List<Chunk> chunks = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            PruningGroup g = groups.get(gi);
            String hit = excludedNode(g, options.exclude(), consumers);
            if (hit != null) {
                excludedBy.put(g.id(), hit);
            }
            if (g.prunable() && hit == null && allowed(g, options) && options.ratio() > 0) {
                double perUnit = comparable && options.ranking() == PlanOptions.Ranking.PER_COST
                        ? costPerUnit(g, dims, costPerElement) : 1;
                chunks.addAll(chunks(g, gi, scores.get(g.id()), options, comparable, perUnit));
            }
        }
        chunks.sort(Comparator.comparingDouble(Chunk::score).thenComparingInt(Chunk::groupIndex)
                .thenComparingInt(Chunk::order));

        Map<String, List<Integer>> removed = new LinkedHashMap<>();
        Map<String, Integer> nextChunk = new HashMap<>();
        long planned = 0;
        boolean progress = true;
        // Chunks of one group must go in order (cheapest first); a later chunk may sort before an earlier
        // one's turn, so sweep until nothing more can be taken.
        while (planned < target && progress) {
            progress = false;
            for (Chunk c : chunks) {
                if (planned >= target) {
                    break;
                }
                if (nextChunk.getOrDefault(c.group().id(), 0) != c.order()) {
                    continue;
                }
                planned += cut(c, dims, costPerElement);
                removed.computeIfAbsent(c.group().id(), k -> new ArrayList<>()).addAll(c.units());
                nextChunk.put(c.group().id(), c.order() + 1);
                progress = true;
            }
        }

        List<GroupDecision> decisions = new ArrayList<>();
        for (PruningGroup g : groups) {
            int[] cut = removed.getOrDefault(g.id(), List.of()).stream().mapToInt(Integer::intValue).sorted().toArray();
            GroupDecision.Status status;
            String reason = null;
            if (!g.prunable()) {
                status = GroupDecision.Status.NOT_PRUNABLE;
                reason = g.reason();
            } else if (excludedBy.containsKey(g.id())) {
                status = GroupDecision.Status.EXCLUDED;
                reason = "excluded (" + excludedBy.get(g.id()) + ")";
            } else if (!allowed(g, options)) {
                status = GroupDecision.Status.EXCLUDED;
                reason = "hidden width: its removal changes LayerNorm statistics (--prune-hidden cuts it)";
            } else {
                status = cut.length > 0 ? GroupDecision.Status.PRUNED : GroupDecision.Status.KEPT;
            }
            decisions.add(new GroupDecision(g.id(), g.kind(), g.rootNode(), g.units(), cut, status, reason));
        }
        return new PruningPlan(criterion, options.ratio(), decisions, prunableParams, target, planned, options.budget());
    }

    private static boolean allowed(PruningGroup g, PlanOptions options) {
        return g.kind() != PruningGroup.Kind.HIDDEN || options.pruneHidden();
    }

    /** A run of a group's lowest-scoring units that can leave together. */
    private record Chunk(PruningGroup group, int groupIndex, int order, List<Integer> units, double score) {
    }

    /**
     * The group's units, lowest score first, cut into chunks: the first makes the width a multiple of the
     * rounding step, the rest are one step each; the cap (maxLayerRatio, at least one step kept) bounds them.
     */
    private static List<Chunk> chunks(PruningGroup g, int groupIndex, double[] scores, PlanOptions o,
                                      boolean comparable, double costPerUnit) {
        int n = g.units();
        int step = g.kind() == PruningGroup.Kind.HEAD || g.kind() == PruningGroup.Kind.KV_GROUP || n <= o.roundTo() ? 1 : o.roundTo();
        double mean = comparable ? 1 : Arrays.stream(scores).average().orElse(1);
        Integer[] order = new Integer[n];
        for (int u = 0; u < n; u++) {
            order[u] = u;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer u) -> scores[u]).thenComparingInt(u -> u));
        int minKept = Math.max(step, (int) Math.ceil((1 - o.maxLayerRatio()) * n));
        int maxRemoved = n - roundUp(minKept, step);
        List<Chunk> out = new ArrayList<>();
        int pos = 0;
        int size = n % step == 0 ? step : n % step;
        while (pos + size <= maxRemoved) {
            List<Integer> units = new ArrayList<>();
            double sum = 0;
            for (int k = pos; k < pos + size; k++) {
                units.add(order[k]);
                sum += scores[order[k]];
            }
            double s = sum / size / costPerUnit;
            out.add(new Chunk(g, groupIndex, out.size(), units, mean > 0 ? s / mean : s));
            pos += size;
            size = step;
        }
        return out;
    }

    /** What removing one of the group's units frees, in the budget's unit, at the model's original shapes. */
    private static double costPerUnit(PruningGroup g, Map<String, long[]> dims, Function<String, Double> costPerElement) {
        int[] all = new int[g.units()];
        for (int u = 0; u < all.length; u++) {
            all[u] = u;
        }
        double cost = 0;
        for (Member m : g.parameters()) {
            long[] d = dims.get(m.tensor());
            cost += (double) m.map().removed(all).length * (elements(d) / Math.max(1, d[m.axis()]))
                    * costPerElement.apply(m.tensor());
        }
        return Math.max(1e-12, cost / Math.max(1, g.units()));
    }

    private static int roundUp(int x, int step) {
        return (x + step - 1) / step * step;
    }

    /** Applies a chunk to the running weight shapes and returns what it removes, in the budget's unit. */
    private static long cut(Chunk c, Map<String, long[]> dims, Function<String, Double> costPerElement) {
        double removed = 0;
        int[] units = c.units().stream().mapToInt(Integer::intValue).toArray();
        for (Member m : c.group().parameters()) {
            long[] d = dims.get(m.tensor());
            long indices = m.map().removed(units).length;
            removed += indices * (elements(d) / Math.max(1, d[m.axis()])) * costPerElement.apply(m.tensor());
            d[m.axis()] -= indices;
        }
        return Math.round(removed);
    }

    private static String excludedNode(PruningGroup g, Set<String> exclude, Function<String, List<String>> consumers) {
        if (exclude.contains(g.rootNode())) {
            return g.rootNode();
        }
        for (Member m : g.parameters()) {
            for (String node : consumers.apply(m.tensor())) {
                if (exclude.contains(node)) {
                    return node;
                }
            }
        }
        return null;
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
