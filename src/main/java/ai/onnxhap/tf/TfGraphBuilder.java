package ai.onnxhap.tf;

import ai.onnxhap.graph.Graph.ValueInfo;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.tf.ops.TfOps;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/** Builds the TF graph of one ONNX model into a given Graph/Session; {@link TfModel} owns the result. */
final class TfGraphBuilder {
    /** TF ops whose value is not known while building: they read feeds or variables. */
    private static final Set<String> NOT_CONSTANT = Set.of("Placeholder", "PlaceholderWithDefault", "VariableV2",
            "VarHandleOp", "ReadVariableOp", "RandomUniform", "RandomStandardNormal", "TruncatedNormal");

    private final ai.onnxhap.graph.Graph onnx;
    private final Session session;
    private final Ops tf;
    private final OpHandlers handlers;
    private final long opset;
    /** Sizes TF cannot see statically; null when the caller bound inputs to values (synthetic runs would lie). */
    private final StaticDims staticDims;

    final Map<String, Operand<?>> values = new HashMap<>();
    final Map<String, Placeholder<?>> inputs = new LinkedHashMap<>();
    final Map<String, TfParameter> parameters = new LinkedHashMap<>();
    private final Map<String, Optional<Tensor>> constants = new HashMap<>();
    private final Map<GraphOperation, Boolean> constantOps = new HashMap<>();
    private final Set<String> scopes = new HashSet<>();

    TfGraphBuilder(ai.onnxhap.graph.Graph onnx, Graph graph, Session session, OpHandlers handlers,
                   StaticDims staticDims) {
        this.onnx = onnx;
        this.staticDims = staticDims;
        this.session = session;
        this.tf = Ops.create(graph);
        this.handlers = handlers;
        this.opset = onnx.opset("");
    }

    Ops ops() {
        return tf;
    }

    void build(Map<String, long[]> inputShapes, Map<String, Tensor> fixedInputs) {
        checkSupported();
        addInputs(inputShapes, fixedInputs);
        addInitializers();
        for (Node node : onnx.nodes()) {
            addNode(node);
        }
        for (ValueInfo out : onnx.outputs()) {
            value(out.name());
        }
    }

    /** Every op without a handler, named once, in one message. */
    private void checkSupported() {
        if (opset > OpHandlers.MAX_OPSET) {
            throw OnnxHapException.invalidModel("TensorFlow import supports ONNX opsets up to " + OpHandlers.MAX_OPSET
                    + "; the model uses opset " + opset);
        }
        Set<String> missing = new TreeSet<>();
        for (Node n : onnx.nodes()) {
            if (handler(n).isEmpty()) {
                missing.add(n.domain().isEmpty() ? n.opType() : n.domain() + "." + n.opType());
            }
        }
        if (!onnx.sparseInitializers().isEmpty()) {
            missing.add("sparse initializers");
        }
        if (!missing.isEmpty()) {
            throw OnnxHapException.invalidModel("TensorFlow import does not support " + (missing.size() == 1
                    ? "this op" : "these " + missing.size() + " ops") + " at opset " + opset + ": "
                    + String.join(", ", missing));
        }
    }

    private void addInputs(Map<String, long[]> inputShapes, Map<String, Tensor> fixedInputs) {
        Set<String> known = new HashSet<>();
        onnx.inputs().forEach(v -> known.add(v.name()));
        for (String name : inputShapes.keySet()) {
            if (!known.contains(name)) {
                throw OnnxHapException.usage("the model has no input '" + name + "'; its inputs: " + known);
            }
        }
        Ops scope = tf.withSubScope("inputs");
        for (ValueInfo in : onnx.inputs()) {
            Tensor fixed = fixedInputs.get(in.name());
            if (fixed != null) {
                values.put(in.name(), constantOperand(scope, in.name(), fixed));
                constants.put(in.name(), Optional.of(fixed));
                continue;
            }
            if (in.type() == null) {
                throw OnnxHapException.invalidModel("input '" + in.name() + "' is not a tensor of a known type");
            }
            long[] shape = inputShape(in, inputShapes.get(in.name()));
            Placeholder<?> p = scope.withName(uniqueName(in.name())).placeholder(TfTensors.carrier(in.type()),
                    Placeholder.shape(Shape.of(shape)));
            inputs.put(in.name(), p);
            values.put(in.name(), p);
        }
    }

    private static long[] inputShape(ValueInfo in, long[] given) {
        long[] declared = in.dims();
        if (given == null) {
            if (declared == null) {
                throw OnnxHapException.usage("input '" + in.name() + "' declares no shape; give its shape");
            }
            return declared;
        }
        if (declared != null && declared.length != given.length) {
            throw OnnxHapException.usage("input '" + in.name() + "' has rank " + declared.length + " ("
                    + in.shapeText() + "), the given shape " + Arrays.toString(given) + " has rank " + given.length);
        }
        for (int i = 0; i < given.length; i++) {
            if (given[i] < -1 || (declared != null && declared[i] >= 0 && given[i] >= 0 && given[i] != declared[i])) {
                throw OnnxHapException.usage("input '" + in.name() + "' is declared " + in.shapeText()
                        + ", the given shape " + Arrays.toString(given) + " does not fit");
            }
        }
        return given.clone();
    }

    /**
     * Floating initializers read as weights (or, read as plain operands, with more than one element) become
     * trainable variables, those read as running statistics or RNN state frozen variables; the rest (integers,
     * shapes, scalars, inputs a handler reads while building) are constants.
     */
    private void addInitializers() {
        Map<String, OpHandler.InputRole> roles = new HashMap<>();
        for (Node n : onnx.nodes()) {
            OpHandler h = handler(n).orElseThrow();
            for (int i = 0; i < n.inputs().size(); i++) {
                String in = n.input(i);
                if (!in.isEmpty() && onnx.isInitializer(in)) {
                    roles.merge(in, h.inputRole(i), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
        Ops constScope = tf.withSubScope("constants");
        Ops paramScope = tf.withSubScope("parameters");
        for (Map.Entry<String, TensorProto> e : onnx.initializerProtos().entrySet()) {
            String name = e.getKey();
            if (values.containsKey(name)) {
                continue; // an input of the same name was fixed by the caller
            }
            Tensor t = onnx.initializer(name);
            DataType type = t.type();
            boolean floating = type.storage() == DataType.Storage.FLOAT || type.storage() == DataType.Storage.DOUBLE;
            OpHandler.InputRole role = roles.get(name);
            boolean weight = floating && role != null && role != OpHandler.InputRole.CONSTANT
                    && (role != OpHandler.InputRole.DATA || t.size() > 1);
            if (!weight) {
                values.put(name, constantOperand(constScope, name, t));
                constants.put(name, Optional.of(t));
                continue;
            }
            Class<? extends TType> carrier = TfTensors.carrier(type);
            Ops named = paramScope.withName(uniqueName(name));
            Variable<?> v = named.variable(Shape.of(t.shape()), carrier);
            Placeholder<?> feed = paramScope.withName(uniqueName(name + "_value")).placeholder(carrier,
                    Placeholder.shape(Shape.of(t.shape())));
            Assign<?> assign = paramScope.withName(uniqueName(name + "_assign")).assign(TfOps.any(v), TfOps.any(feed));
            // Consumers read through an Identity: TF's C++ gradients cannot build nodes on reference-typed inputs.
            Operand<?> read = paramScope.withName(uniqueName(name + "_read")).identity(TfOps.any(v));
            TfParameter p = new TfParameter(name, role != OpHandler.InputRole.FROZEN, type, t.shape(), v, read, feed,
                    assign);
            parameters.put(name, p);
            values.put(name, read);
        }
        for (TfParameter p : parameters.values()) {
            assign(p, onnx.initializer(p.name()));
        }
    }

    void assign(TfParameter p, Tensor value) {
        try (TType t = TfTensors.toTf(value, p.variable().type())) {
            session.runner().feed(p.feed(), t).addTarget(p.assign()).run().close();
        }
    }

    private Operand<?> constantOperand(Ops scope, String name, Tensor t) {
        try (TType tensor = TfTensors.toTf(t)) {
            return scope.withName(uniqueName(name)).constantOf(tensor);
        }
    }

    void addNode(Node node) {
        // Top-level ops were checked up front; a node inside an If branch is checked here.
        OpHandler handler = handler(node).orElseThrow(() -> OnnxHapException.invalidModel(
                "TensorFlow import does not support op " + (node.domain().isEmpty() ? "" : node.domain() + ".")
                + node.opType() + " (node '" + node.name() + "') at opset " + onnx.opset(node.domain())));
        NodeContext ctx = new NodeContext(this, node, tf.withSubScope(uniqueName(node.name())), opset);
        List<Operand<?>> outs;
        try {
            outs = handler.translate(ctx);
        } catch (TensorFlowException | IllegalArgumentException e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw ctx.unsupported("TensorFlow refused the translation: " + msg);
        }
        for (int i = 0; i < node.outputs().size(); i++) {
            String name = node.output(i);
            if (!name.isEmpty() && i < outs.size() && outs.get(i) != null) {
                values.put(name, outs.get(i));
            }
        }
    }

    /** The node's translation, looked up in its own domain at the opset the model imports for that domain. */
    private Optional<OpHandler> handler(Node node) {
        return handlers.find(node.domain(), node.opType(), node.domain().isEmpty() ? opset : onnx.opset(node.domain()));
    }

    /** A name TF accepts (letters, digits, _ . -), unique in this graph. */
    private String uniqueName(String onnxName) {
        String s = onnxName.replaceAll("[^A-Za-z0-9_.\\-]", "_").replaceFirst("^[_\\-]+", "");
        if (s.isEmpty()) {
            s = "value";
        }
        String candidate = s;
        for (int i = 1; !scopes.add(candidate); i++) {
            candidate = s + "_" + i;
        }
        return candidate;
    }

    Operand<?> value(String name) {
        Operand<?> v = values.get(name);
        if (v == null) {
            throw OnnxHapException.invalidModel("value '" + name + "' is not produced by the TensorFlow translation"
                    + onnx.producer(name).map(n -> " of node '" + n.name() + "' (" + n.opType() + ")").orElse(""));
        }
        return v;
    }

    /** The value of an ONNX value if it does not depend on inputs or variables: evaluated once and kept. */
    Optional<Tensor> constant(String name) {
        Optional<Tensor> known = constants.get(name);
        if (known != null) {
            return known;
        }
        Operand<?> op = value(name);
        Optional<Tensor> result = Optional.empty();
        if (isConstant((GraphOperation) op.op())) {
            try (Result r = session.runner().fetch(op).run()) {
                result = Optional.of(TfTensors.fromTf(name, (TType) r.get(0), null));
            }
        }
        constants.put(name, result);
        return result;
    }

    /**
     * Integer values that static shapes decide even when TF cannot fold them (a Shape of an operand with a
     * dynamic batch axis): constants, Shape (known dims, −1 elsewhere), Gather of those along axis 0, Equal of
     * fully known operands (1 or 0). Empty when a needed value is not known.
     */
    Optional<long[]> staticInts(String name) {
        Optional<Tensor> c = constant(name);
        if (c.isPresent()) {
            return c.get().type().storage() == DataType.Storage.LONG ? Optional.of(c.get().toLongs()) : Optional.empty();
        }
        Node p = onnx.producer(name).orElse(null);
        if (p == null || !p.domain().isEmpty()) {
            return Optional.empty();
        }
        switch (p.opType()) {
            case "Shape" -> {
                long[] s = value(p.input(0)).shape().isUnknown() ? null : value(p.input(0)).shape().asArray();
                if (s == null) {
                    return Optional.empty();
                }
                int start = clampAxis(p.attrInt("start", 0), s.length);
                int end = Math.max(start, clampAxis(p.attrInt("end", s.length), s.length));
                return Optional.of(Arrays.copyOfRange(s, start, end));
            }
            case "Gather" -> {
                Optional<long[]> data = staticInts(p.input(0));
                Optional<long[]> idx = staticInts(p.input(1));
                if (data.isEmpty() || idx.isEmpty() || p.attrInt("axis", 0) != 0) {
                    return Optional.empty();
                }
                long[] out = new long[idx.get().length];
                for (int i = 0; i < out.length; i++) {
                    long k = Math.floorMod(idx.get()[i], data.get().length);
                    out[i] = data.get()[(int) k];
                    if (out[i] < 0) {
                        return Optional.empty(); // a dynamic dimension
                    }
                }
                return Optional.of(out);
            }
            case "Equal" -> {
                Optional<long[]> a = staticInts(p.input(0));
                Optional<long[]> b = staticInts(p.input(1));
                if (a.isEmpty() || b.isEmpty() || (a.get().length != 1 && b.get().length != 1
                        && a.get().length != b.get().length)) {
                    return Optional.empty();
                }
                int n = Math.max(a.get().length, b.get().length);
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = a.get()[a.get().length == 1 ? 0 : i] == b.get()[b.get().length == 1 ? 0 : i] ? 1 : 0;
                }
                return Optional.of(out);
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private static int clampAxis(long v, int rank) {
        return (int) Math.max(0, Math.min(rank, v < 0 ? v + rank : v));
    }

    private boolean isConstant(GraphOperation root) {
        Deque<GraphOperation> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            GraphOperation op = stack.peek();
            if (constantOps.containsKey(op)) {
                stack.pop();
                continue;
            }
            if (NOT_CONSTANT.contains(op.type())) {
                constantOps.put(op, false);
                stack.pop();
                continue;
            }
            boolean pending = false;
            boolean constant = true;
            for (Operand<?> in : op.inputs()) {
                GraphOperation src = (GraphOperation) in.op();
                Boolean c = constantOps.get(src);
                if (c == null) {
                    stack.push(src);
                    pending = true;
                } else {
                    constant &= c;
                }
            }
            if (!pending) {
                constantOps.put(op, constant);
                stack.pop();
            }
        }
        return constantOps.get(root);
    }

    /** An ONNX value's shape from exact inference, -1 where it follows a dynamic input dimension; null if unknown. */
    long[] inferredShape(String value) {
        return staticDims == null ? null : staticDims.of(value);
    }

    long[] staticShape(Operand<?> operand, NodeContext ctx) {
        Shape s = operand.shape();
        if (s.isUnknown()) {
            throw ctx.unsupported("the rank of an operand is unknown to TensorFlow; give static input shapes");
        }
        return s.asArray();
    }
}
