package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.CostModel;
import ai.onnxhap.graph.ExportHabits;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.LayerCost;
import ai.onnxhap.graph.ShapeOracle;
import ai.onnxhap.graph.deps.GroupFinder;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.plan.GroupDecision;
import ai.onnxhap.plan.PruningPlan;
import ai.onnxhap.plan.PruningPlanner;
import ai.onnxhap.provenance.ToolInfo;
import ai.onnxhap.rewrite.ChannelImplant;
import ai.onnxhap.rewrite.LowRankImplant;
import ai.onnxhap.rewrite.Rewrite;
import ai.onnxhap.score.Importance;
import ai.onnxhap.score.MagnitudeImportance;
import ai.onnxhap.score.RandomImportance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured pruning end to end: find groups, score units, plan globally, cut physically, and check that
 * ONNX Runtime still runs the result. The output keeps the input's opset and IR version and carries its
 * provenance in metadata_props under {@value #PROVENANCE_KEY}.
 */
public final class Compressor {
    public static final String PROVENANCE_KEY = ai.onnxhap.provenance.Provenance.KEY;

    private final ShapeOracle shapes;
    private final ai.onnxhap.score.HutchinsonTrace.ProbeListener probes;

    public Compressor(ShapeOracle shapes) {
        this(shapes, ai.onnxhap.score.HutchinsonTrace.ProbeListener.NONE);
    }

    /** @param probes told of each Hutchinson probe done (the slow part of Hessian scoring) */
    public Compressor(ShapeOracle shapes, ai.onnxhap.score.HutchinsonTrace.ProbeListener probes) {
        this.shapes = shapes;
        this.probes = probes;
    }

    public record Result(OnnxModel model, CompressionReport report, List<PruningGroup> groups) {
    }

    /** The importance the options ask for, scored on this model (Hessian scoring is the slow part). */
    public Importance score(OnnxModel model, List<PruningGroup> groups, CompressOptions options) {
        return options.criterion().equals("hessian") ? HessianScoring.importance(model, groups, options, probes)
                : importance(options.criterion(), options.seed());
    }

    /**
     * The model as compress analyses it (canonical form, exporters' habits undone), its shapes and groups; refuses,
     * with the reasons, a model in which nothing can be pruned (before shape inference when it has no weights at all).
     */
    private record Prepared(ai.onnxhap.graph.CanonicalForm.Result canonical, OnnxModel model,
                            Map<String, long[]> shapes, List<PruningGroup> groups) {
    }

    private Prepared prepare(OnnxModel input, CompressOptions options) {
        ai.onnxhap.graph.CanonicalForm.Result canonical = ai.onnxhap.graph.CanonicalForm.of(input);
        OnnxModel given = canonical.model();
        Graph stored = Graph.of(given);
        if (!ai.onnxhap.graph.deps.Unprunable.hasWeights(stored)) {
            // Said before shape inference, which may need input values the user has not given (Silero's 'sr').
            throw OnnxHapException.invalidModel("nothing in " + given.label() + " can be pruned: "
                    + ai.onnxhap.graph.deps.Unprunable.explain(stored, List.of()));
        }
        Map<String, long[]> givenShapes = shapes.shapes(given, options.inputShapes());
        OnnxModel model = ExportHabits.normalize(given,
                m -> m == given ? givenShapes : shapes.shapes(m, options.inputShapes()));
        Map<String, long[]> before = model == given ? givenShapes : shapes.shapes(model, options.inputShapes());
        Graph graph = Graph.of(model);
        List<PruningGroup> groups = new GroupFinder(graph, before).findAll();
        if (groups.stream().noneMatch(PruningGroup::prunable)) {
            throw OnnxHapException.invalidModel("nothing in " + model.label() + " can be pruned: "
                    + ai.onnxhap.graph.deps.Unprunable.explain(graph, groups));
        }
        return new Prepared(canonical, model, before, groups);
    }

    /** The importance the options ask for, scored on the model as compress analyses it (scored once, planned often). */
    public Importance score(OnnxModel model, CompressOptions options) {
        Prepared p = prepare(model, options);
        return score(p.model(), p.groups(), options);
    }

    public static Importance importance(String criterion, long seed) {
        return switch (criterion) {
            case "l1" -> MagnitudeImportance.l1();
            case "l2" -> MagnitudeImportance.l2();
            case "random" -> new RandomImportance(seed);
            default -> throw OnnxHapException.usage("unknown criterion '" + criterion + "' (hessian, l1, l2, random)");
        };
    }

    public Result compress(OnnxModel model, String inputSha256, CompressOptions options, boolean dryRun) {
        return compress(model, inputSha256, options, dryRun, null);
    }

    /**
     * @param scored an importance already computed for this model (a search over ratios scores once); null to
     *               score here
     */
    public Result compress(OnnxModel model, String inputSha256, CompressOptions options, boolean dryRun,
                           Importance scored) {
        if (options.plan().budget() == ai.onnxhap.plan.PlanOptions.Budget.LATENCY
                || options.plan().roundTo() == ai.onnxhap.plan.PlanOptions.AUTO_ROUND) {
            throw new IllegalArgumentException("a latency budget and auto rounding are measured by the job first");
        }
        Prepared prepared = prepare(model, options);
        ai.onnxhap.graph.CanonicalForm.Result canonical = prepared.canonical();
        OnnxModel given = canonical.model();
        model = prepared.model();
        Map<String, long[]> before = prepared.shapes();
        Graph graph = Graph.of(model);
        List<PruningGroup> groups = prepared.groups();
        Importance importance = scored != null ? scored : score(model, groups, options);
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (PruningGroup g : groups) {
            if (g.prunable()) {
                scores.put(g.id(), importance.scores(g, graph::initializer));
            }
        }
        java.util.function.Function<String, Double> cost = costPerElement(graph, before, options.plan().budget());
        java.util.function.Function<Double, PruningPlan> planAt = ratio -> PruningPlanner.plan(groups, scores,
                options.plan().withRatio(ratio), importance.name(),
                name -> graph.initializerProtos().get(name).getDimsList().stream().mapToLong(Long::longValue).toArray(),
                name -> graph.consumers(name).stream().map(n -> n.name()).toList(), importance.comparableAcrossGroups(),
                cost);
        PruningPlan plan = planAt.apply(options.plan().ratio());
        if (plan.decisions().stream().allMatch(d -> d.status() == GroupDecision.Status.EXCLUDED
                || d.status() == GroupDecision.Status.NOT_PRUNABLE) && options.plan().ratio() > 0) {
            throw OnnxHapException.usage("every prunable group is excluded; nothing to prune");
        }
        ImplantChoice choice = ImplantChoice.of(graph, groups, scores, plan, planAt, options, cost,
                importance.comparableAcrossGroups());
        plan = choice.plan();

        Map<String, PruningGroup> byId = new LinkedHashMap<>();
        groups.forEach(g -> byId.put(g.id(), g));
        List<ChannelImplant.Decision> decisions = plan.decisions().stream()
                .filter(d -> d.removedUnits().length > 0 || choice.implanted().containsKey(d.group()))
                .map(d -> new ChannelImplant.Decision(byId.get(d.group()), d.removedUnits(),
                        choice.implanted().getOrDefault(d.group(), new int[0]))).toList();
        // A dry run does all the work in memory (so its figures are exact); only writing is left to the caller.
        Rewrite.Result cut = Rewrite.apply(model, new Rewrite.Request(decisions, before,
                options.implanting().style(), options.implantBudget(), options.implants()));
        OnnxModel pruned = cut.model();
        List<ImplantChange> implants = new ArrayList<>();
        if (!cut.channelImplants().isEmpty()) {
            // fitted on the rewritten model as it will run, whole-node pairs included
            DataSet calibration = options.implanting().fit() ? HessianScoring.calibrationInputs(model, options) : null;
            List<double[]> errors = null;
            List<ChannelImplant.Implant> fitted = cut.channelImplants();
            if (calibration != null) {
                ImplantFitting.Fitted f = ImplantFitting.fit(model, pruned, fitted, calibration,
                        options.runtime().ort(), options.seed());
                pruned = f.model();
                errors = f.errors();
                fitted = f.implants();
            }
            for (int i = 0; i < fitted.size(); i++) {
                ChannelImplant.Implant im = fitted.get(i);
                implants.add(new ImplantChange(im.producer(), im.style().name().toLowerCase(),
                        im.originalChannels().length, im.rank(), im.paramsBefore(), im.paramsAfter(), null,
                        errors == null ? null : errors.get(i)[0], errors == null ? null : errors.get(i)[1]));
            }
        }
        for (LowRankImplant.Result r : cut.nodeImplants()) {
            implants.add(new ImplantChange(r.node(), "lowrank", 0, r.rank(), r.paramsBefore(), r.paramsAfter(),
                    r.relativeError(), null, null));
        }
        pruned = ai.onnxhap.graph.CanonicalForm.restore(pruned, canonical.conventions());
        Map<String, long[]> after = checkedShapes(pruned, options);
        String scoring = scoring(importance, options);
        pruned = withProvenance(given, pruned, inputSha256, options, plan, choice.implanted(), importance);
        CompressionReport report = report(model, graph, pruned, before, after, groups, plan, implants, scores,
                inputSha256, options, dryRun, choice.implanted(), cut.replacedBy(), scoring);
        return new Result(pruned, report, groups);
    }

    private Map<String, long[]> checkedShapes(OnnxModel pruned, CompressOptions options) {
        try {
            return shapes.shapes(pruned, options.inputShapes());
        } catch (OnnxHapException e) {
            // A rewrite that the runtime rejects is our bug, never the user's: say so and write nothing.
            throw new IllegalStateException("the pruned model does not run: " + e.getMessage(), e);
        }
    }

    /** One line on how Hessian scores were estimated; null for data-free criteria. */
    private static String scoring(Importance importance, CompressOptions o) {
        if (!(importance instanceof ai.onnxhap.score.HessianImportance h) || h.route().isEmpty()) {
            return null;
        }
        var c = o.calibration();
        int samples = c.data() == null ? c.samples() : Math.min(c.samples(), c.data().size());
        return String.format("Hessian traces by Hutchinson, %d probes%s on %d %s samples (batch %d); %s",
                h.probes(), c.probes() == 0 ? " (adaptive)" : "", samples,
                c.data() == null ? "synthetic N(0,1)" : "calibration", c.batchSize(), h.route().get().description());
    }

    /** The record of this one stage; a multi-stage job replaces it with the whole run's (CompressionJob). */
    private static OnnxModel withProvenance(OnnxModel given, OnnxModel pruned, String sha, CompressOptions o,
                                            PruningPlan plan, Map<String, int[]> implanted, Importance importance) {
        var c = o.calibration();
        return Records.start("hap", given, sha, o.inputShapes(), o.seed(), o.runtime())
                .withStage(Records.hap(o, plan, implanted, importance))
                .withTraining(null, Records.data(c.data(), null, null))
                .stamp(pruned);
    }

    private static CompressionReport report(OnnxModel original, Graph graph, OnnxModel pruned, Map<String, long[]> before,
                                            Map<String, long[]> after, List<PruningGroup> groups, PruningPlan plan,
                                            List<ImplantChange> implants, Map<String, double[]> scores,
                                            String sha, CompressOptions o, boolean dryRun,
                                            Map<String, int[]> implanted, Map<String, List<String>> replacedBy,
                                            String scoring) {
        Graph prunedGraph = Graph.of(pruned);
        Map<String, LayerCost> costBefore = byNode(CostModel.perNode(graph, before));
        Map<String, LayerCost> costAfter = byNode(CostModel.perNode(prunedGraph, after));
        List<LayerChange> layers = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            PruningGroup g = groups.get(i);
            GroupDecision d = plan.decisions().get(i);
            long paramsBefore = 0;
            long paramsAfter = 0;
            java.util.Set<String> counted = new java.util.HashSet<>();
            for (Member m : g.parameters()) {
                if (!counted.add(m.tensor())) {
                    continue; // cut on two axes (an RNN's R: rows and columns); its size counts once
                }
                long size = elements(graph, m.tensor());
                paramsBefore += size;
                paramsAfter += prunedGraph.isInitializer(m.tensor()) ? elements(prunedGraph, m.tensor())
                        : replacedBy.getOrDefault(m.tensor(), List.of()).stream()
                        .mapToLong(t -> elements(prunedGraph, t)).sum();
            }
            long macsBefore = touchedMacs(graph, g, costBefore);
            long macsAfter = touchedMacs(graph, g, costAfter);
            int implantedUnits = implanted.getOrDefault(g.id(), new int[0]).length;
            layers.add(new LayerChange(g.id(), g.kind(), g.rootNode(), g.units(), d.keptUnits(), implantedUnits,
                    paramsBefore, paramsAfter,
                    macsBefore, macsAfter, d.status(), d.reason(),
                    scores.containsKey(g.id()) ? java.util.Arrays.stream(scores.get(g.id())).average().orElse(0) : null));
        }
        long macsBefore = costBefore.values().stream().mapToLong(LayerCost::macs).sum();
        long macsAfter = costAfter.values().stream().mapToLong(LayerCost::macs).sum();
        return new CompressionReport("onnx-hap " + ToolInfo.version(), original.label(), sha, plan.criterion(),
                o.plan().ratio(), o.seed(), o.inputShapes(), plan, layers, implants, CostModel.parameterCount(graph),
                CostModel.parameterCount(prunedGraph), macsBefore, macsAfter, dryRun, scoring);
    }

    /**
     * What one weight element is worth in the budget: 1 parameter, or its node's MACs per weight element (a
     * Conv's MACs are its weight's size times the output positions, so cutting weight elements cuts MACs in
     * proportion). Biases and normalisation parameters carry no MACs.
     */
    private static java.util.function.Function<String, Double> costPerElement(Graph graph, Map<String, long[]> shapes,
                                                                             ai.onnxhap.plan.PlanOptions.Budget budget) {
        if (budget == ai.onnxhap.plan.PlanOptions.Budget.PARAMS) {
            return tensor -> 1.0;
        }
        Map<String, LayerCost> costs = byNode(CostModel.perNode(graph, shapes));
        Map<String, Double> perElement = new LinkedHashMap<>();
        for (var n : graph.nodes()) {
            LayerCost c = costs.get(n.name());
            String w = n.input(1);
            if (c != null && c.macs() > 0 && graph.isInitializer(w)) {
                perElement.merge(w, (double) c.macs() / Math.max(1, elements(graph, w)), Double::sum);
            }
        }
        return tensor -> perElement.getOrDefault(tensor, 0.0);
    }

    /** MACs of every node that reads or writes a tensor the group cuts (for heads: projections and attention). */
    private static long touchedMacs(Graph graph, PruningGroup g, Map<String, LayerCost> costs) {
        java.util.Set<String> nodes = new java.util.LinkedHashSet<>();
        for (Member m : g.members()) {
            graph.producer(m.tensor()).ifPresent(n -> nodes.add(n.name()));
            graph.consumers(m.tensor()).forEach(n -> nodes.add(n.name()));
        }
        // An implanted producer lives on as NAME/kept, NAME/implant... nodes.
        return costs.entrySet().stream().filter(e -> nodes.contains(e.getKey()) || nodes.stream()
                .anyMatch(n -> e.getKey().startsWith(n + "/"))).mapToLong(e -> e.getValue().macs()).sum();
    }

    private static Map<String, LayerCost> byNode(List<LayerCost> costs) {
        Map<String, LayerCost> out = new LinkedHashMap<>();
        costs.forEach(c -> out.put(c.node(), c));
        return out;
    }

    private static long elements(Graph g, String tensor) {
        var p = g.initializerProtos().get(tensor);
        return p == null ? 0 : p.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
    }
}
