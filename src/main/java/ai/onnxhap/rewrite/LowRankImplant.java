package ai.onnxhap.rewrite;

import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * The low-rank "neural implant": one Conv, Gemm or MatMul becomes two plain-ONNX ops whose weights are the
 * truncated SVD of the original weight W ≈ U_r S_r V_rᵀ, split as (U_r √S_r)(√S_r V_rᵀ). Any ONNX runtime runs
 * the result; the full rank reproduces the layer, lower ranks trade accuracy for parameters and MACs.
 *
 * <p>Conv (group 1, any kernel rank) becomes Conv(k, C_in → r, original strides/pads/dilations) then
 * Conv(1×1, r → C_out, original bias). Gemm (transA 0) and MatMul with an initializer [K, N] become
 * MatMul(·, [K, r]) then MatMul(·, [r, N]) with Gemm's alpha folded in, then Add(beta·C) for a Gemm bias.
 */
public final class LowRankImplant {
    private static final Set<DataType> FLOAT_TYPES = Set.of(DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16,
            DataType.DOUBLE);

    private LowRankImplant() {
    }

    /**
     * What an implant inserted in place of the node: the two layers, the value between them, their weights and
     * the bias the second one adds (a Conv's bias input, or the initializer a Gemm's bias Add reads; null: none).
     */
    public record Pair(String first, String second, String basis, String firstWeight, String secondWeight,
                       String bias) {
    }

    /** An implanted model with its spectrum, from which the trade follows, and what was inserted. */
    public record Result(OnnxModel model, LowRankSpectrum spectrum, int rank, Pair inserted) {
        public String node() {
            return spectrum.node();
        }

        public long paramsBefore() {
            return spectrum.originalParams();
        }

        public long paramsAfter() {
            return spectrum.implantParams(rank);
        }

        public boolean savesParameters() {
            return paramsAfter() < paramsBefore();
        }

        /** ‖W − W_r‖_F / ‖W‖_F of the weight approximation. */
        public double relativeError() {
            return spectrum.relativeError(rank);
        }
    }

    /** The model with {@code nodeName} replaced by its rank-{@code rank} implant. */
    public static OnnxModel apply(OnnxModel model, String nodeName, int rank) {
        return implant(model, nodeName, rank).model();
    }

    /**
     * As {@link #apply}, with the spectrum that tells what the rank costs and saves. Ranks 1..min(m, n) are taken,
     * the full rank included (it reproduces the layer but usually holds more parameters).
     */
    public static Result implant(OnnxModel model, String nodeName, int rank) {
        Layer layer = Layer.resolve(model, nodeName);
        LowRankSpectrum.checkRank(layer.node.name(), layer.rows(), layer.cols(), rank);
        Factors f = Factors.of(layer.matrix, rank);
        Rewritten r = layer.rewrite(f);
        return new Result(r.model(), layer.spectrum(f.sigma), rank, r.pair());
    }

    /** Singular values of the node's weight, with the rank arithmetic. */
    public static LowRankSpectrum spectrum(OnnxModel model, String nodeName) {
        Layer layer = Layer.resolve(model, nodeName);
        return layer.spectrum(SingularOps_DDRM.singularValues(layer.matrix)); // descending
    }

    /** σ_1 ≥ ... ≥ σ_min(m,n) of the node's weight. */
    public static double[] singularValues(OnnxModel model, String nodeName) {
        return spectrum(model, nodeName).singularValues();
    }

    /** See {@link LowRankSpectrum#rankForBudget}. */
    public static int rankForBudget(OnnxModel model, String nodeName, double paramFraction) {
        return spectrum(model, nodeName).rankForBudget(paramFraction);
    }

    /** See {@link LowRankSpectrum#rankForEnergy}. */
    public static int rankForEnergy(OnnxModel model, String nodeName, double energy) {
        return spectrum(model, nodeName).rankForEnergy(energy);
    }

    /** Parameters of the implant at this rank, factors plus kept bias (no SVD needed). */
    public static long implantParams(OnnxModel model, String nodeName, int rank) {
        Layer l = Layer.resolve(model, nodeName);
        return LowRankSpectrum.implantParams(l.node.name(), l.rows(), l.cols(), l.biasParams, rank);
    }

    private record Rewritten(OnnxModel model, Pair pair) {
    }

    /** The SVD split in two: left = U_r √S_r [rows, r], right = √S_r V_rᵀ [r, cols], so left·right = W_r. */
    private record Factors(double[] sigma, DMatrixRMaj left, DMatrixRMaj right) {
        static Factors of(DMatrixRMaj m, int rank) {
            SingularValueDecomposition_F64<DMatrixRMaj> svd =
                    DecompositionFactory_DDRM.svd(m.numRows, m.numCols, true, true, true);
            if (!svd.decompose(m.copy())) {
                throw new IllegalStateException("SVD of a " + m.numRows + "x" + m.numCols + " matrix did not converge");
            }
            DMatrixRMaj u = svd.getU(null, false);
            DMatrixRMaj w = svd.getW(null);
            DMatrixRMaj vt = svd.getV(null, true);
            SingularOps_DDRM.descendingOrder(u, false, w, vt, true);
            double[] sigma = new double[Math.min(m.numRows, m.numCols)];
            DMatrixRMaj left = new DMatrixRMaj(m.numRows, rank);
            DMatrixRMaj right = new DMatrixRMaj(rank, m.numCols);
            for (int j = 0; j < sigma.length; j++) {
                sigma[j] = w.get(j, j);
                if (j < rank) {
                    double s = Math.sqrt(sigma[j]);
                    for (int i = 0; i < m.numRows; i++) {
                        left.set(i, j, u.get(i, j) * s);
                    }
                    for (int c = 0; c < m.numCols; c++) {
                        right.set(j, c, s * vt.get(j, c));
                    }
                }
            }
            return new Factors(sigma, left, right);
        }
    }

    /**
     * A node that can take an implant, with its weight as the matrix to factor: [C_out, C_in·∏k] for Conv,
     * [K, N] (B transposed back when transB = 1) for Gemm and MatMul.
     */
    private record Layer(Graph graph, Node node, int index, String weight, DataType type, long[] shape,
                         DMatrixRMaj matrix, String bias, long biasParams, double alpha, double beta) {

        static Layer resolve(OnnxModel model, String nodeName) {
            Graph g = Graph.of(model);
            Node n = g.node(nodeName).orElseThrow(() -> OnnxHapException.usage("no node named '" + nodeName
                    + "' in the model"));
            String op = n.opType();
            if (!n.domain().isEmpty() || !Set.of("Conv", "Gemm", "MatMul").contains(op)) {
                throw refuse(n, "it is a " + (n.domain().isEmpty() ? "" : n.domain() + ".") + op
                        + " (only Conv, Gemm and MatMul can)");
            }
            if (op.equals("Conv") && n.attrInt("group", 1) != 1) {
                throw refuse(n, "it is a grouped Conv (group=" + n.attrInt("group", 1) + ")");
            }
            if (op.equals("Gemm") && n.attrInt("transA", 0) != 0) {
                throw refuse(n, "it is a Gemm with transA=1");
            }
            String weight = n.input(1);
            if (!g.isInitializer(weight)) {
                throw refuse(n, "its weight '" + weight + "' is not an initializer");
            }
            int index = model.proto().getGraph().getNodeList().indexOf(n.proto());
            String other = otherReader(model.proto().getGraph(), weight, n, index);
            if (other != null) {
                throw refuse(n, "its weight '" + weight + "' is shared with " + other);
            }
            Tensor w = g.initializer(weight);
            if (!FLOAT_TYPES.contains(w.type())) {
                throw refuse(n, "its weight '" + weight + "' is " + w.type()
                        + "; only FLOAT, FLOAT16, BFLOAT16 and DOUBLE weights can be factored");
            }
            long[] shape = w.shape();
            boolean conv = op.equals("Conv");
            if (conv ? shape.length < 3 : shape.length != 2) {
                throw refuse(n, "its weight '" + weight + "' has shape " + Arrays.toString(shape) + "; "
                        + (conv ? "a Conv weight [C_out, C_in, k...]" : "a 2-D [K, N] initializer") + " is needed");
            }
            double[] values = w.toDoubles();
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    throw refuse(n, "its weight '" + weight + "' holds NaN or infinite values");
                }
            }
            int rows = Math.toIntExact(shape[0]);
            DMatrixRMaj m = DMatrixRMaj.wrap(rows, values.length / rows, values);
            if (op.equals("Gemm") && n.attrInt("transB", 0) != 0) {
                m = CommonOps_DDRM.transpose(m, null);
            }
            String bias = n.input(2);
            double alpha = op.equals("Gemm") ? n.attrFloat("alpha", 1f) : 1;
            double beta = op.equals("Gemm") ? n.attrFloat("beta", 1f) : 1;
            if (beta == 0) {
                bias = "";
            }
            if (op.equals("Gemm") && !bias.isEmpty()) {
                if (beta != 1 && !g.isInitializer(bias)) {
                    throw refuse(n, "its bias '" + bias + "' is not an initializer and beta=" + beta);
                }
                if (g.opset("") < 7) {
                    throw refuse(n, "it is a Gemm with a bias in opset " + g.opset("") + ", whose Add does not broadcast");
                }
            }
            long biasParams = !bias.isEmpty() && g.isInitializer(bias) ? g.initializer(bias).size() : 0;
            return new Layer(g, n, index, weight, w.type(), shape, m, bias, biasParams, alpha, beta);
        }

        int rows() {
            return matrix.numRows;
        }

        int cols() {
            return matrix.numCols;
        }

        LowRankSpectrum spectrum(double[] sigma) {
            return new LowRankSpectrum(node.name(), rows(), cols(), biasParams, sigma);
        }

        Rewritten rewrite(Factors f) {
            GraphProto g = graph.model().proto().getGraph();
            Names names = new Names(g);
            int r = f.left.numCols;
            String base = node.name();
            String aNode = names.fresh(base + "/implant_a");
            String bNode = names.fresh(base + "/implant_b");
            String aWeight = names.fresh(aNode + ".weight");
            String bWeight = names.fresh(bNode + ".weight");
            String aOut = names.fresh(aNode + ".out");
            NodeProto orig = node.proto();
            String input = orig.getInput(0);
            String output = orig.getOutput(0);
            List<NodeProto> nodes = new ArrayList<>();
            List<TensorProto> inits = new ArrayList<>();
            String addedBias = bias.isEmpty() ? null : bias;
            if (node.opType().equals("Conv")) {
                long[] aShape = shape.clone();
                aShape[0] = r;
                long[] bShape = new long[shape.length];
                Arrays.fill(bShape, 1);
                bShape[0] = shape[0];
                bShape[1] = r;
                inits.add(encode(aWeight, aShape, f.right, 1));
                inits.add(encode(bWeight, bShape, f.left, 1));
                // The first Conv keeps every attribute: same kernel, strides, pads, dilations and auto_pad.
                nodes.add(orig.toBuilder().setName(aNode).clearInput().addInput(input).addInput(aWeight)
                        .clearOutput().addOutput(aOut).build());
                NodeProto.Builder b = NodeProto.newBuilder().setName(bNode).setOpType("Conv").addInput(aOut)
                        .addInput(bWeight).addOutput(output)
                        .addAttribute(Node.ints("kernel_shape", Arrays.copyOfRange(bShape, 2, bShape.length)));
                if (!bias.isEmpty()) {
                    b.addInput(bias);
                }
                nodes.add(b.build());
            } else {
                inits.add(encode(aWeight, new long[] {rows(), r}, f.left, 1));
                inits.add(encode(bWeight, new long[] {r, cols()}, f.right, alpha));
                nodes.add(matMul(aNode, input, aWeight, aOut));
                if (bias.isEmpty()) {
                    nodes.add(matMul(bNode, aOut, bWeight, output));
                } else {
                    String bOut = names.fresh(bNode + ".out");
                    nodes.add(matMul(bNode, aOut, bWeight, bOut));
                    String biasValue = bias;
                    if (beta != 1) {
                        biasValue = names.fresh(base + "/implant_bias");
                        addedBias = biasValue;
                        Tensor c = graph.initializer(bias);
                        inits.add(encode(biasValue, c.shape(), DMatrixRMaj.wrap(1, (int) c.size(), c.toDoubles()), beta));
                    }
                    nodes.add(NodeProto.newBuilder().setName(names.fresh(base + "/implant_add")).setOpType("Add")
                            .addInput(bOut).addInput(biasValue).addOutput(output).build());
                }
            }
            GraphProto.Builder out = g.toBuilder().clearNode();
            for (int i = 0; i < g.getNodeCount(); i++) {
                if (i == index) {
                    out.addAllNode(nodes);
                } else {
                    out.addNode(g.getNode(i));
                }
            }
            out.addAllInitializer(inits);
            removeUnread(out, List.of(weight, node.input(2)));
            return new Rewritten(graph.model().withProto(graph.model().proto().toBuilder().setGraph(out).build()),
                    new Pair(aNode, bNode, aOut, aWeight, bWeight, addedBias));
        }

        private TensorProto encode(String name, long[] dims, DMatrixRMaj m, double scale) {
            int n = m.getNumElements();
            if (type == DataType.DOUBLE) {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = m.data[i] * scale;
                }
                return TensorCodec.encode(Tensor.ofDoubles(name, type, dims, v));
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (m.data[i] * scale);
            }
            return TensorCodec.encode(Tensor.ofFloats(name, type, dims, v));
        }
    }

    private static OnnxHapException refuse(Node n, String why) {
        return OnnxHapException.invalidModel("node '" + n.name() + "' cannot take a low-rank implant: " + why);
    }

    private static NodeProto matMul(String name, String a, String b, String out) {
        return NodeProto.newBuilder().setName(name).setOpType("MatMul").addInput(a).addInput(b).addOutput(out).build();
    }

    /** Who else reads the value: another node (directly or inside its subgraphs), or the graph's outputs. */
    private static String otherReader(GraphProto g, String value, Node target, int targetIndex) {
        List<String> ownOther = new ArrayList<>(target.inputs());
        ownOther.remove(1);
        if (ownOther.contains(value)) {
            throw refuse(target, "its weight '" + value + "' is also one of its other inputs");
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (i != targetIndex && reads(n, value)) {
                return "node '" + (n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName()) + "'";
            }
        }
        return g.getOutputList().stream().anyMatch(o -> o.getName().equals(value)) ? "the graph outputs" : null;
    }

    private static boolean reads(NodeProto n, String value) {
        boolean[] found = {n.getInputList().contains(value)};
        forEachSubgraph(n, sub -> {
            found[0] |= sub.getOutputList().stream().anyMatch(o -> o.getName().equals(value));
            sub.getNodeList().forEach(inner -> found[0] |= reads(inner, value));
        });
        return found[0];
    }

    private static void forEachSubgraph(NodeProto n, Consumer<GraphProto> action) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG()) {
                action.accept(a.getG());
            }
            a.getGraphsList().forEach(action);
        }
    }

    /** Drops the initializers that the rewrite left without readers, with their graph-input and value_info entries. */
    private static void removeUnread(GraphProto.Builder g, List<String> candidates) {
        Set<String> unread = new HashSet<>();
        for (String c : candidates) {
            if (!c.isEmpty() && g.getNodeList().stream().noneMatch(n -> reads(n, c))
                    && g.getOutputList().stream().noneMatch(o -> o.getName().equals(c))) {
                unread.add(c);
            }
        }
        List<TensorProto> inits = g.getInitializerList().stream().filter(t -> !unread.contains(t.getName())).toList();
        List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !unread.contains(v.getName())).toList();
        List<ValueInfoProto> infos = g.getValueInfoList().stream().filter(v -> !unread.contains(v.getName())).toList();
        g.clearInitializer().addAllInitializer(inits).clearInput().addAllInput(inputs)
                .clearValueInfo().addAllValueInfo(infos);
    }

    /** Every node and value name in the graph and its subgraphs, to make new names unique. */
    static final class Names {
        private final Set<String> used = new HashSet<>();

        Names(GraphProto g) {
            collect(g);
        }

        private void collect(GraphProto g) {
            g.getInputList().forEach(v -> used.add(v.getName()));
            g.getOutputList().forEach(v -> used.add(v.getName()));
            g.getValueInfoList().forEach(v -> used.add(v.getName()));
            g.getInitializerList().forEach(t -> used.add(t.getName()));
            g.getSparseInitializerList().forEach(s -> used.add(s.getValues().getName()));
            for (NodeProto n : g.getNodeList()) {
                used.add(n.getName());
                used.addAll(n.getInputList());
                used.addAll(n.getOutputList());
                forEachSubgraph(n, this::collect);
            }
        }

        String fresh(String base) {
            String name = base;
            for (int i = 1; !used.add(name); i++) {
                name = base + "_" + i;
            }
            return name;
        }
    }
}
