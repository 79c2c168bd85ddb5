package ai.onnxhap.rewrite;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * HAP's neural implant for output units (channels, neurons): units too sensitive to drop keep their place in
 * the layer but are computed by a smaller component. Each producer of the group is split in two, the kept
 * units' original op and the implanted units' small one, joined by a Concat:
 * <ul>
 *   <li>{@code POINTWISE} (the reference): a k×k Conv's implanted filters become one 1×1 Conv over the kept
 *       inputs, same stride, started from the filters' centre taps;</li>
 *   <li>{@code LOWRANK}: the implanted rows become the factored pair of {@link LowRankImplant} at a rank
 *       within a parameter budget (Gemm and MatMul producers always use this).</li>
 * </ul>
 * The Concat puts implanted units after the kept ones, so before cutting every weight the group touches is
 * permuted to kept ++ implanted ++ removed; the model computes the same function after the permutation.
 */
public final class ChannelImplant {
    public enum Style { POINTWISE, LOWRANK }

    private static final java.util.Set<String> WEIGHTED_OPS = java.util.Set.of("Conv", "Gemm", "MatMul");

    private ChannelImplant() {
    }

    /**
     * What happens to one group.
     *
     * @param removed   units cut out (original indices)
     * @param implanted units given an implant (original indices, disjoint from removed)
     */
    public record Decision(PruningGroup group, int[] removed, int[] implanted) {
        public Decision {
            removed = Arrays.stream(removed).sorted().distinct().toArray();
            implanted = Arrays.stream(implanted).sorted().distinct().toArray();
        }
    }

    /**
     * One implanted component, with what a least-squares fit of its last linear map needs.
     *
     * @param producer         the original node
     * @param originalOutput   the value the original node wrote (the Concat writes it now)
     * @param originalChannels the implanted units' indices along that value's channel axis, in the original
     * @param basis            the value the implant's last linear map reads
     * @param weight           that map's weight: a 1×1 Conv's [I, r, 1...] or a MatMul's [r, I]
     * @param bias             its bias initializer (null when none)
     * @param strides          the 1×1 Conv's strides; null for a MatMul
     * @param rank             r: the basis width
     * @param paramsBefore     parameters of the implanted rows in the original weight and bias
     * @param paramsAfter      parameters of the implant
     */
    public record Implant(String producer, Style style, String originalOutput, int[] originalChannels, String basis,
                          String weight, String bias, long[] strides, int rank, long paramsBefore, long paramsAfter) {
    }

    /** @param replacedBy per original weight or bias that a split removed, the initializers that took its place */
    public record Result(OnnxModel model, List<Implant> implants, Map<String, List<String>> replacedBy) {
    }

    /**
     * Why the group's units cannot take implants, or null when they can: every weight it touches must hold
     * whole units along its axis (so the units can be reordered), and every producer must be a plain Conv,
     * Gemm or 2-D MatMul writing the units along its output axis.
     */
    public static String refusal(Graph graph, PruningGroup g) {
        if (!g.prunable() || g.kind() == PruningGroup.Kind.HEAD || g.kind() == PruningGroup.Kind.KV_GROUP) {
            return g.prunable() ? "heads take no implant" : g.reason();
        }
        boolean anyProducer = false;
        for (Member m : g.parameters()) {
            if (!graph.isInitializer(m.tensor())) {
                return "'" + m.tensor() + "' is not an initializer";
            }
            long[] dims = dims(graph, m.tensor());
            if (m.map().size() != dims[m.axis()]) {
                return "'" + m.tensor() + "' holds more than this group's units along axis " + m.axis();
            }
            if (m.role() == Member.Role.PRODUCER) {
                List<Node> readers = graph.consumers(m.tensor());
                if (readers.size() != 1) {
                    return "'" + m.tensor() + "' is read by " + readers.size() + " nodes";
                }
                Node n = readers.get(0);
                if (isWeight(n, m.tensor())) {
                    String why = producerRefusal(graph, n, m.axis());
                    if (why != null) {
                        return why;
                    }
                    anyProducer = true;
                }
            }
        }
        return anyProducer ? null : "no Conv, Gemm or MatMul computes its units";
    }

    /** Parameters an implant keeps per implanted unit, as a fraction of that unit's producer weight slice. */
    public static double keptFraction(Graph graph, PruningGroup g, Style style, double lowRankBudget) {
        double worst = 0;
        for (Member m : g.parameters()) {
            if (m.role() == Member.Role.PRODUCER && graph.consumers(m.tensor()).size() == 1) {
                Node n = graph.consumers(m.tensor()).get(0);
                if (isWeight(n, m.tensor())) {
                    long[] w = dims(graph, m.tensor());
                    double fraction = style == Style.POINTWISE && n.opType().equals("Conv") && pointwiseFits(n)
                            ? 1.0 / Tensor.elementCount(Arrays.copyOfRange(w, 2, w.length)) : lowRankBudget;
                    worst = Math.max(worst, fraction);
                }
            }
        }
        return worst;
    }

    /**
     * Cuts the removed units and implants the implanted ones.
     *
     * @param shapes        static shapes of the original model's values (those the groups were found with)
     * @param lowRankBudget a low-rank implant's parameters as a fraction of the rows it replaces
     */
    static Result apply(OnnxModel model, List<Decision> decisions, Map<String, long[]> shapes, Style style,
                        double lowRankBudget) {
        Graph graph = Graph.of(model);
        Map<String, Tensor> permuted = new LinkedHashMap<>();
        List<Surgeon.Cut> cuts = new ArrayList<>();
        for (Decision d : decisions) {
            if (d.implanted().length == 0) {
                if (d.removed().length > 0) {
                    cuts.add(new Surgeon.Cut(d.group(), d.removed()));
                }
                continue;
            }
            String why = refusal(graph, d.group());
            if (why != null) {
                throw new IllegalArgumentException("group " + d.group().id() + " cannot take implants: " + why);
            }
            int[] order = order(d);
            for (Member m : d.group().parameters()) {
                Tensor t = permuted.computeIfAbsent(m.tensor(), graph::initializer);
                int[] positions = Arrays.stream(order).flatMap(u -> Arrays.stream(m.map().of(u))).toArray();
                permuted.put(m.tensor(), t.select(m.axis(), positions));
            }
            int keep = d.group().units() - d.removed().length;
            if (d.removed().length > 0) {
                cuts.add(new Surgeon.Cut(d.group(), IntStream.range(keep, d.group().units()).toArray()));
            }
        }
        OnnxModel current = permuted.isEmpty() ? model : model.withInitializerValues(permuted);
        current = Surgeon.apply(current, cuts, shapes);
        List<Implant> implants = new ArrayList<>();
        Map<String, List<String>> replacedBy = new LinkedHashMap<>();
        for (Decision d : decisions) {
            if (d.implanted().length == 0) {
                continue;
            }
            int kept = d.group().units() - d.removed().length - d.implanted().length;
            for (Member m : d.group().parameters()) {
                Node n = graph.consumers(m.tensor()).get(0);
                if (m.role() != Member.Role.PRODUCER || !isWeight(n, m.tensor())) {
                    continue;
                }
                int[] channels = Arrays.stream(d.implanted()).flatMap(u -> Arrays.stream(m.map().of(u))).toArray();
                Split split = split(current, n.name(), kept, d.implanted().length, channels, style, lowRankBudget);
                current = split.model;
                implants.add(split.implant);
                replacedBy.putAll(split.replacedBy);
            }
        }
        return new Result(current, implants, replacedBy);
    }

    private static int[] order(Decision d) {
        boolean[] special = new boolean[d.group().units()];
        for (int u : d.removed()) {
            special[u] = true;
        }
        for (int u : d.implanted()) {
            special[u] = true;
        }
        IntStream kept = IntStream.range(0, special.length).filter(u -> !special[u]);
        return IntStream.concat(IntStream.concat(kept, Arrays.stream(d.implanted())), Arrays.stream(d.removed())).toArray();
    }

    private record Split(OnnxModel model, Implant implant, Map<String, List<String>> replacedBy) {
    }

    /** Splits the (already cut and permuted) producer into its first {@code kept} units and the rest. */
    private static Split split(OnnxModel model, String nodeName, int kept, int implanted, int[] channels, Style style,
                               double budget) {
        Graph graph = Graph.of(model);
        Node n = graph.node(nodeName).orElseThrow();
        GraphProto g = model.proto().getGraph();
        LowRankImplant.Names names = new LowRankImplant.Names(g);
        String op = n.opType();
        int axis = outputAxis(n);
        Tensor w = graph.initializer(n.input(1));
        String bias = n.inputs().size() > 2 && !n.input(2).isEmpty() && graph.isInitializer(n.input(2))
                && graph.initializer(n.input(2)).rank() == 1 && graph.initializer(n.input(2)).dim(0) == w.dim(axis)
                ? n.input(2) : null;
        String output = n.output(0);
        List<TensorProto> inits = new ArrayList<>();
        List<NodeProto> nodes = new ArrayList<>();
        List<String> concatInputs = new ArrayList<>();
        Map<String, List<String>> replacedBy = new LinkedHashMap<>();
        List<String> replacements = new ArrayList<>();
        if (kept > 0) {
            String keptNode = names.fresh(nodeName + "/kept");
            String keptOut = names.fresh(output + "/kept");
            NodeProto.Builder b = n.proto().toBuilder().setName(keptNode).clearOutput().addOutput(keptOut);
            String wk = names.fresh(n.input(1) + "/kept");
            inits.add(TensorCodec.encode(w.select(axis, range(0, kept)).withName(wk)));
            b.setInput(1, wk);
            replacements.add(wk);
            if (bias != null) {
                String bk = names.fresh(bias + "/kept");
                inits.add(TensorCodec.encode(graph.initializer(bias).select(0, range(0, kept)).withName(bk)));
                b.setInput(2, bk);
                replacements.add(bk);
            }
            nodes.add(b.build());
            concatInputs.add(keptOut);
        }
        String implantNode = names.fresh(nodeName + "/implant");
        String implantOut = names.fresh(output + "/implant");
        Tensor wi = w.select(axis, range(kept, kept + implanted));
        Tensor bi = bias == null ? null : graph.initializer(bias).select(0, range(kept, kept + implanted));
        long before = wi.size() + (bi == null ? 0 : bi.size());
        boolean pointwise = style == Style.POINTWISE && op.equals("Conv") && pointwiseFits(n);
        String wiName = names.fresh(n.input(1) + "/implant");
        String biName = bi == null ? null : names.fresh(bias + "/implant");
        NodeProto.Builder ib = n.proto().toBuilder().setName(implantNode).clearOutput().addOutput(implantOut);
        if (pointwise) {
            wi = centreTaps(wi).withName(wiName);
            ib.clearAttribute();
            for (AttributeProto a : n.proto().getAttributeList()) {
                if (a.getName().equals("strides")) {
                    ib.addAttribute(a);
                }
            }
            ib.addAttribute(Node.ints("kernel_shape", ones(wi.rank() - 2)));
        }
        inits.add(TensorCodec.encode(wi.withName(wiName)));
        ib.setInput(1, wiName);
        if (bi != null) {
            inits.add(TensorCodec.encode(bi.withName(biName)));
            ib.setInput(2, biName);
        }
        nodes.add(ib.build());
        concatInputs.add(implantOut);
        nodes.add(NodeProto.newBuilder().setName(names.fresh(nodeName + "/concat")).setOpType("Concat")
                .addAllInput(concatInputs).addOutput(output)
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                        .setI(op.equals("Conv") ? 1 : -1)).build());
        GraphProto.Builder out = g.toBuilder().clearNode();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (i == n.index()) {
                out.addAllNode(nodes);
            } else {
                out.addNode(g.getNode(i));
            }
        }
        List<TensorProto> remaining = g.getInitializerList().stream()
                .filter(t -> !t.getName().equals(n.input(1)) && !t.getName().equals(bias)).toList();
        out.clearInitializer().addAllInitializer(remaining).addAllInitializer(inits);
        OnnxModel split = model.withProto(model.proto().toBuilder().setGraph(out).build());
        long[] strides = null;
        Implant implant;
        if (pointwise) {
            strides = Graph.of(split).node(implantNode).orElseThrow().attrInts("strides", ones(wi.rank() - 2));
            implant = new Implant(nodeName, Style.POINTWISE, output, channels, n.input(0), wiName, biName, strides,
                    (int) wi.dim(1), before, wi.size() + (bi == null ? 0 : bi.size()));
            replacements.add(wiName);
        } else {
            int rank = Math.max(1, LowRankImplant.rankForBudget(split, implantNode, budget));
            LowRankImplant.Result r = LowRankImplant.implant(split, implantNode, rank);
            split = r.model();
            LowRankImplant.Pair pair = r.inserted();
            boolean conv = op.equals("Conv");
            if (conv) {
                strides = ones(wi.rank() - 2);
            }
            implant = new Implant(nodeName, Style.LOWRANK, output, channels, pair.basis(), pair.secondWeight(),
                    pair.bias(), strides, rank, before, r.paramsAfter());
            replacements.add(pair.firstWeight());
            replacements.add(pair.secondWeight());
        }
        if (biName != null) {
            replacements.add(biName);
        }
        replacedBy.put(n.input(1), replacements);
        if (bias != null) {
            replacedBy.put(bias, List.of());
        }
        return new Split(split, implant, replacedBy);
    }

    /** The centre tap of each k×k filter: the 1×1 filter that reads the same input pixel the k×k one is centred on. */
    private static Tensor centreTaps(Tensor w) {
        long[] shape = w.shape();
        long[] out = shape.clone();
        Arrays.fill(out, 2, out.length, 1);
        long window = Tensor.elementCount(Arrays.copyOfRange(shape, 2, shape.length));
        long offset = 0;
        long stride = 1;
        for (int a = shape.length - 1; a >= 2; a--) {
            offset += (shape[a] / 2) * stride;
            stride *= shape[a];
        }
        double[] v = w.toDoubles();
        double[] taps = new double[(int) (shape[0] * shape[1])];
        for (int i = 0; i < taps.length; i++) {
            taps[i] = v[(int) (i * window + offset)];
        }
        return Tensor.ofReals(w.name(), w.type(), out, taps);
    }

    /** A 1×1 Conv without padding samples the same output grid: pads total (k−1)·dilation on every axis. */
    static boolean pointwiseFits(Node conv) {
        String autoPad = conv.attrString("auto_pad", "NOTSET");
        if (autoPad.startsWith("SAME")) {
            return true;
        }
        if (!autoPad.equals("NOTSET") && !autoPad.isEmpty()) {
            return false;
        }
        long[] kernel = conv.attrInts("kernel_shape", null);
        if (kernel == null) {
            return false;
        }
        long[] pads = conv.attrInts("pads", new long[2 * kernel.length]);
        long[] dil = conv.attrInts("dilations", ones(kernel.length));
        for (int a = 0; a < kernel.length; a++) {
            if (pads[a] + pads[a + kernel.length] != (kernel[a] - 1) * dil[a]) {
                return false;
            }
        }
        return true;
    }

    private static String producerRefusal(Graph graph, Node n, int axis) {
        switch (n.opType()) {
            case "Conv" -> {
                if (n.attrInt("group", 1) != 1) {
                    return "'" + n.name() + "' is a grouped Conv";
                }
            }
            case "Gemm" -> {
                if (n.attrInt("transA", 0) != 0) {
                    return "'" + n.name() + "' is a Gemm with transA=1";
                }
            }
            case "MatMul" -> {
                if (dims(graph, n.input(1)).length != 2) {
                    return "'" + n.name() + "' has a weight of rank " + dims(graph, n.input(1)).length;
                }
            }
            default -> {
                return "'" + n.name() + "' is a " + n.opType();
            }
        }
        if (!n.domain().isEmpty()) {
            return "'" + n.name() + "' is in domain " + n.domain();
        }
        return axis == outputAxis(n) ? null : "'" + n.name() + "' is cut along its input axis";
    }

    private static int outputAxis(Node n) {
        return switch (n.opType()) {
            case "Conv" -> 0;
            case "Gemm" -> n.attrInt("transB", 0) != 0 ? 0 : 1;
            default -> 1;
        };
    }

    /** Whether the tensor is the weight (input 1) of a Conv, Gemm or MatMul node. */
    public static boolean isWeight(Node n, String tensor) {
        return WEIGHTED_OPS.contains(n.opType()) && n.inputs().size() > 1
                && n.input(1).equals(tensor);
    }

    private static long[] dims(Graph graph, String tensor) {
        return graph.initializerProtos().get(tensor).getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        Arrays.fill(a, 1);
        return a;
    }
}
