package ai.onnxhap.graph;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.SparseTensorProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.TensorShapeProto;
import ai.onnxhap.onnx.TypeProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A read-only view of a model's main graph for analysis: nodes in topological order, who produces and
 * who consumes each value, initializers decoded on demand, declared value types and shapes.
 */
public final class Graph {
    private final OnnxModel model;
    private final List<Node> nodes;
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Map<String, List<Node>> subgraphReaders = new HashMap<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, SparseTensorProto> sparseInitializers = new LinkedHashMap<>();
    private final Map<String, ValueInfo> declared = new LinkedHashMap<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    /** Soft: a view lives as long as its model (see {@link #of}), its decoded weights only while memory allows. */
    private final Map<String, java.lang.ref.SoftReference<Tensor>> decoded = new ConcurrentHashMap<>();

    private Graph(OnnxModel model) {
        this.model = model;
        GraphProto g = model.proto().getGraph();
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            sparseInitializers.put(s.getValues().getName(), s);
        }
        for (ValueInfoProto v : g.getValueInfoList()) {
            declared.put(v.getName(), ValueInfo.of(v));
        }
        for (ValueInfoProto v : g.getInputList()) {
            ValueInfo info = ValueInfo.of(v);
            declared.put(v.getName(), info);
            if (!initializers.containsKey(v.getName()) && !sparseInitializers.containsKey(v.getName())) {
                inputs.add(info);
            }
        }
        for (ValueInfoProto v : g.getOutputList()) {
            ValueInfo info = ValueInfo.of(v);
            declared.put(v.getName(), info);
            outputs.add(info);
        }
        for (TensorProto t : g.getInitializerList()) {
            declared.putIfAbsent(t.getName(), new ValueInfo(t.getName(), DataType.fromCode(t.getDataType()),
                    t.getDimsList().stream().mapToLong(Long::longValue).toArray(), null));
        }
        List<Node> all = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            all.add(new Node(g.getNode(i), i));
        }
        this.nodes = Collections.unmodifiableList(topologicalOrder(all));
        for (Node n : nodes) {
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producers.put(out, n);
                }
            }
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
            List<String> outer = new ArrayList<>(requiredValues(n));
            outer.removeAll(n.inputs());
            for (String in : new java.util.LinkedHashSet<>(outer)) {
                if (!in.isEmpty()) {
                    subgraphReaders.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
    }

    /** The model's graph view, built once per model (models are immutable). */
    public static Graph of(OnnxModel model) {
        return model.memo(Graph.class, Graph::new);
    }

    public OnnxModel model() {
        return model;
    }

    /** Nodes in topological order (Kahn's algorithm, stable with respect to the file's order). */
    public List<Node> nodes() {
        return nodes;
    }

    /** Graph inputs that are fed at run time (initializers listed as inputs are excluded). */
    public List<ValueInfo> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<ValueInfo> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public boolean isOutput(String value) {
        return outputs.stream().anyMatch(o -> o.name().equals(value));
    }

    public Optional<Node> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    public List<Node> consumers(String value) {
        return Collections.unmodifiableList(consumers.getOrDefault(value, List.of()));
    }

    /**
     * Nodes (If, Loop, Scan) whose subgraphs read this value of the main graph by name, without taking it as
     * an input: ONNX lets a subgraph see every value of its enclosing scopes.
     */
    public List<Node> subgraphReaders(String value) {
        return Collections.unmodifiableList(subgraphReaders.getOrDefault(value, List.of()));
    }

    /** Whether any node of the main graph carries a subgraph (If, Loop, Scan). */
    public boolean hasSubgraphs() {
        return nodes.stream().anyMatch(n -> n.proto().getAttributeList().stream()
                .anyMatch(a -> a.hasG() || a.getGraphsCount() > 0));
    }

    public Optional<Node> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public boolean isInitializer(String value) {
        return initializers.containsKey(value);
    }

    public Map<String, TensorProto> initializerProtos() {
        return Collections.unmodifiableMap(initializers);
    }

    public Map<String, SparseTensorProto> sparseInitializers() {
        return Collections.unmodifiableMap(sparseInitializers);
    }

    /** An initializer's values, decoded once and cached (external data is read here; sparse ones densified). */
    public Tensor initializer(String value) {
        TensorProto proto = initializers.get(value);
        if (proto == null) {
            SparseTensorProto sparse = sparseInitializers.get(value);
            if (sparse == null) {
                throw new IllegalArgumentException("'" + value + "' is not an initializer");
            }
            return cached(value, () -> ai.onnxhap.model.SparseTensorCodec.decode(sparse, model));
        }
        return cached(value, () -> model.tensor(proto));
    }

    private Tensor cached(String value, java.util.function.Supplier<Tensor> decode) {
        java.lang.ref.SoftReference<Tensor> ref = decoded.get(value);
        Tensor t = ref == null ? null : ref.get();
        if (t == null) {
            t = decode.get();
            decoded.put(value, new java.lang.ref.SoftReference<>(t));
        }
        return t;
    }

    /** Declared type and shape (from inputs, outputs, value_info or the initializer itself). */
    public Optional<ValueInfo> declared(String value) {
        return Optional.ofNullable(declared.get(value));
    }

    /** Opset version of a domain ("" = default ONNX domain), 0 if not imported. */
    public long opset(String domain) {
        return model.opsets().getOrDefault(domain, 0L);
    }

    private static List<Node> topologicalOrder(List<Node> all) {
        Map<String, Node> producerOf = new HashMap<>();
        for (Node n : all) {
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producerOf.put(out, n);
                }
            }
        }
        Map<Node, Integer> pending = new HashMap<>();
        Map<Node, List<Node>> dependents = new HashMap<>();
        for (Node n : all) {
            int count = 0;
            for (String in : requiredValues(n)) {
                Node p = producerOf.get(in);
                if (p != null && p != n) {
                    dependents.computeIfAbsent(p, k -> new ArrayList<>()).add(n);
                    count++;
                }
            }
            pending.put(n, count);
        }
        Deque<Node> ready = new ArrayDeque<>();
        for (Node n : all) {
            if (pending.get(n) == 0) {
                ready.add(n);
            }
        }
        List<Node> order = new ArrayList<>(all.size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            order.add(n);
            for (Node d : dependents.getOrDefault(n, List.of())) {
                if (pending.merge(d, -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        if (order.size() != all.size()) {
            throw OnnxHapException.invalidModel("graph has a cycle; ONNX graphs must be acyclic");
        }
        return order;
    }

    /** Inputs of the node and, for If/Loop/Scan, outer values its subgraphs read. */
    static List<String> requiredValues(Node n) {
        List<String> vals = new ArrayList<>(n.inputs());
        n.proto().getAttributeList().forEach(a -> {
            if (a.hasG()) {
                collectOuterReads(a.getG(), vals);
            }
            a.getGraphsList().forEach(g -> collectOuterReads(g, vals));
        });
        return vals;
    }

    private static void collectOuterReads(GraphProto g, List<String> into) {
        for (NodeProto n : g.getNodeList()) {
            into.addAll(n.getInputList());
            n.getAttributeList().forEach(a -> {
                if (a.hasG()) {
                    collectOuterReads(a.getG(), into);
                }
            });
        }
    }

    /** Type and shape of a value as declared in the model; dims are -1 where symbolic or unknown. */
    public record ValueInfo(String name, DataType type, long[] dims, List<String> dimNames) {
        /** A copy: a graph view is shared by everyone who reads the model (see {@link Graph#of}). */
        @Override
        public long[] dims() {
            return dims == null ? null : dims.clone();
        }

        static ValueInfo of(ValueInfoProto v) {
            TypeProto t = v.getType();
            if (!t.hasTensorType()) {
                return new ValueInfo(v.getName(), null, null, null);
            }
            TypeProto.Tensor tt = t.getTensorType();
            DataType type = DataType.isKnownCode(tt.getElemType()) ? DataType.fromCode(tt.getElemType()) : null;
            if (!tt.hasShape()) {
                return new ValueInfo(v.getName(), type, null, null);
            }
            List<TensorShapeProto.Dimension> ds = tt.getShape().getDimList();
            long[] dims = new long[ds.size()];
            List<String> names = new ArrayList<>();
            for (int i = 0; i < dims.length; i++) {
                TensorShapeProto.Dimension d = ds.get(i);
                dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
                names.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
            }
            return new ValueInfo(v.getName(), type, dims, List.copyOf(names));
        }

        /** True when rank and every dimension are known numbers. */
        public boolean isStatic() {
            if (dims == null) {
                return false;
            }
            for (long d : dims) {
                if (d < 0) {
                    return false;
                }
            }
            return true;
        }

        /** Shape as text, symbolic dims by name: [batch,1,28,28]. */
        public String shapeText() {
            return dimNames == null ? "?" : "[" + String.join(",", dimNames) + "]";
        }
    }
}
