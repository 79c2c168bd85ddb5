package ai.onnxhap.tf;

import ai.onnxhap.graph.Graph.ValueInfo;
import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.family.TType;

/**
 * An ONNX model translated into a TensorFlow graph, with the session that runs it. Owns the native
 * {@link Graph} and {@link Session}: close it (closing twice is harmless; any use after close fails).
 *
 * <p><b>Shapes.</b> The graph is built for the input shapes given; a dimension given as -1 (or left symbolic
 * in the model when no shape is given) stays dynamic in TF, so one graph serves every batch size. Ops that
 * need a static size (RNN sequence length, SAME padding with strides, ...) take it from exact shape inference
 * in ONNX Runtime when TF lost it behind a shape computed at run time, and say so when it varies.
 *
 * <p><b>Parameters.</b> Floating-point initializers that ops read as weights (Conv/Gemm/MatMul operands,
 * biases, norm scales, RNN matrices, any floating initializer with more than one element read as a plain
 * operand) become trainable TF variables; BatchNorm running statistics and RNN initial states become frozen
 * variables; integer initializers, scalars and shapes become constants. Variables keep the ONNX layout.
 *
 * <p><b>Layout.</b> Tensors are NCHW as in ONNX; convolutions and pools transpose to NHWC and back inside
 * their own name scope (TF's CPU kernels need NHWC).
 */
public final class TfModel implements AutoCloseable {
    private final String label;
    private final Graph graph;
    private final Session session;
    private final Ops tf;
    private final TfGraphBuilder built;
    private final Map<String, Placeholder<?>> inputs;
    private final List<String> outputNames;
    private final Map<String, DataType> declaredTypes = new LinkedHashMap<>();
    private final Map<String, TfParameter> parameters;
    private boolean closed;

    private TfModel(String label, Graph graph, Session session, TfGraphBuilder built, ai.onnxhap.graph.Graph onnx) {
        this.label = label;
        this.graph = graph;
        this.session = session;
        this.tf = built.ops();
        this.built = built;
        this.inputs = Collections.unmodifiableMap(built.inputs);
        this.parameters = Collections.unmodifiableMap(built.parameters);
        this.outputNames = onnx.outputs().stream().map(ValueInfo::name).toList();
        for (String v : built.values.keySet()) {
            onnx.declared(v).map(ValueInfo::type).ifPresent(t -> declaredTypes.put(v, t));
        }
    }

    /** Builds with the model's declared input shapes; symbolic dimensions stay dynamic. */
    public static TfModel build(OnnxModel model) {
        return build(model, Map.of(), Map.of());
    }

    /** Builds for the given input shapes (by input name; -1 keeps a dimension dynamic). */
    public static TfModel build(OnnxModel model, Map<String, long[]> inputShapes) {
        return build(model, inputShapes, Map.of());
    }

    /**
     * As {@link #build(OnnxModel, Map)}, with some inputs bound to fixed values while building (e.g. an axes
     * or shape tensor that a model takes as an input); those inputs are then not fed at run time.
     */
    public static TfModel build(OnnxModel model, Map<String, long[]> inputShapes, Map<String, Tensor> fixedInputs) {
        return build(model, inputShapes, fixedInputs, OpHandlers.standard());
    }

    /** Where TensorFlow runs: AUTO and GPU let TF place ops on a GPU when its CUDA natives find one (-Pgpu). */
    public enum Device { CPU, GPU, AUTO }

    /** As {@link #build(OnnxModel, Map)}, on the given device. */
    public static TfModel build(OnnxModel model, Map<String, long[]> inputShapes, Device device) {
        return build(model, inputShapes, Map.of(), OpHandlers.standard(), device);
    }

    static TfModel build(OnnxModel model, Map<String, long[]> inputShapes, Map<String, Tensor> fixedInputs,
                         OpHandlers handlers) {
        return build(model, inputShapes, fixedInputs, handlers, Device.AUTO);
    }

    static TfModel build(OnnxModel model, Map<String, long[]> inputShapes, Map<String, Tensor> fixedInputs,
                         OpHandlers handlers, Device device) {
        NativeEnvironment.warnIfUnsafe();
        ai.onnxhap.graph.Graph onnx = ai.onnxhap.graph.Graph.of(model);
        Graph graph = new Graph();
        Session session = null;
        try {
            // CPU hides every GPU from the session; otherwise TF's own placement decides.
            var config = org.tensorflow.proto.ConfigProto.newBuilder();
            if (device == Device.CPU) {
                config.putDeviceCount("GPU", 0);
            }
            session = new Session(graph, config.build());
            TfGraphBuilder builder = new TfGraphBuilder(onnx, graph, session, handlers,
                    fixedInputs.isEmpty() ? new StaticDims(model, inputShapes) : null);
            builder.build(inputShapes, fixedInputs);
            return new TfModel(model.label(), graph, session, builder, onnx);
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            throw e;
        }
    }

    /** Runs the model: every graph output by name. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return run(inputs, outputNames);
    }

    /** Runs the model and returns the named ONNX values (graph outputs or any intermediate value). */
    public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> values) {
        checkOpen();
        List<String> names = List.copyOf(values);
        List<Operand<?>> fetches = new ArrayList<>();
        names.forEach(v -> fetches.add(value(v)));
        List<Tensor> got = fetch(feeds, fetches, names.stream().map(declaredTypes::get).toList());
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), got.get(i).withName(names.get(i)));
        }
        return out;
    }

    /**
     * Feeds the model's inputs and evaluates any operands of this graph (e.g. a loss or gradients added by
     * training code), converted to onnx-hap tensors of their TF type.
     */
    public List<Tensor> fetch(Map<String, Tensor> feeds, List<? extends Operand<?>> operands) {
        return fetch(feeds, operands, java.util.Collections.nCopies(operands.size(), null));
    }

    private List<Tensor> fetch(Map<String, Tensor> feeds, List<? extends Operand<?>> operands, List<DataType> types) {
        checkOpen();
        List<TType> fed = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (Map.Entry<String, Placeholder<?>> in : inputs.entrySet()) {
                Tensor t = feeds.get(in.getKey());
                if (t == null) {
                    throw OnnxHapException.usage("input '" + in.getKey() + "' is missing; the model needs "
                            + inputs.keySet());
                }
                checkShape(in.getKey(), in.getValue(), t);
                TType tensor = TfTensors.toTf(t, in.getValue().type());
                fed.add(tensor);
                runner.feed(in.getValue(), tensor);
            }
            operands.forEach(runner::fetch);
            List<Tensor> out = new ArrayList<>();
            try (Result r = runner.run()) {
                for (int i = 0; i < operands.size(); i++) {
                    out.add(TfTensors.fromTf("", (TType) r.get(i), types.get(i)));
                }
            }
            return out;
        } catch (TensorFlowException e) {
            throw OnnxHapException.invalidModel("TensorFlow failed to run " + label + ": " + firstLine(e));
        } finally {
            fed.forEach(TType::close);
        }
    }

    private static void checkShape(String name, Placeholder<?> p, Tensor t) {
        long[] want = p.shape().asArray();
        long[] got = t.shape();
        boolean ok = want.length == got.length;
        for (int i = 0; ok && i < got.length; i++) {
            ok = want[i] < 0 || want[i] == got[i];
        }
        if (!ok) {
            throw OnnxHapException.usage("input '" + name + "' has shape " + Arrays.toString(got)
                    + "; the TensorFlow graph was built for " + Arrays.toString(want) + " (-1: any)");
        }
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }

    /** The graph's input names (those fed at run time), in model order. */
    public List<String> inputNames() {
        checkOpen();
        return List.copyOf(inputs.keySet());
    }

    public List<String> outputNames() {
        return outputNames;
    }

    /** Names of the trainable parameters (initializers), in model order. */
    public List<String> trainableParameters() {
        checkOpen();
        return parameters.values().stream().filter(TfParameter::trainable).map(TfParameter::name).toList();
    }

    /** Names of the parameters held in variables but not trained (BatchNorm statistics, RNN state). */
    public List<String> frozenParameters() {
        checkOpen();
        return parameters.values().stream().filter(p -> !p.trainable()).map(TfParameter::name).toList();
    }

    /** Every variable-held parameter, trainable and frozen, in model order. */
    public Map<String, TfParameter> parameters() {
        checkOpen();
        return parameters;
    }

    /** The trainable variables by initializer name, in model order (what to pass to gradient code). */
    public Map<String, Operand<?>> trainableVariables() {
        checkOpen();
        Map<String, Operand<?>> out = new LinkedHashMap<>();
        parameters.values().stream().filter(TfParameter::trainable).forEach(p -> out.put(p.name(), p.variable()));
        return out;
    }

    /** Current values of every variable-held parameter, in ONNX shape and type (ready to write back). */
    public Map<String, Tensor> parameterValues() {
        checkOpen();
        List<TfParameter> ps = List.copyOf(parameters.values());
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (ps.isEmpty()) {
            return out;
        }
        Session.Runner runner = session.runner();
        ps.forEach(p -> runner.fetch(p.variable()));
        try (Result r = runner.run()) {
            for (int i = 0; i < ps.size(); i++) {
                out.put(ps.get(i).name(), TfTensors.fromTf(ps.get(i).name(), (TType) r.get(i), ps.get(i).type()));
            }
        }
        return out;
    }

    /** Sets a parameter's value; the shape must be the parameter's. */
    public void assign(String name, Tensor value) {
        checkOpen();
        TfParameter p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("'" + name + "' is not a parameter of " + label);
        }
        if (!Arrays.equals(p.shape(), value.shape())) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(p.shape())
                    + ", the value " + Arrays.toString(value.shape()));
        }
        built.assign(p, value);
    }

    /** The TF value of any ONNX value (input, initializer, node output) by its ONNX name. */
    public Operand<?> value(String onnxName) {
        checkOpen();
        Operand<?> v = built.values.get(onnxName);
        if (v == null) {
            throw new IllegalArgumentException("'" + onnxName + "' is not a value of " + label);
        }
        return v;
    }

    /** The placeholder of a graph input. */
    public Placeholder<?> input(String name) {
        checkOpen();
        Placeholder<?> p = inputs.get(name);
        if (p == null) {
            throw new IllegalArgumentException("'" + name + "' is not an input of " + label + "; inputs: "
                    + inputs.keySet());
        }
        return p;
    }

    /** The TF value of a graph output. */
    public Operand<?> output(String name) {
        if (!outputNames.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is not an output of " + label + "; outputs: "
                    + outputNames);
        }
        return value(name);
    }

    /** The variable of a parameter (trainable or frozen). */
    public Operand<?> parameter(String name) {
        checkOpen();
        TfParameter p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("'" + name + "' is not a parameter of " + label);
        }
        return p.variable();
    }

    public Graph graph() {
        checkOpen();
        return graph;
    }

    public Session session() {
        checkOpen();
        return session;
    }

    /** Ops on this graph, for code that extends it (losses, gradients, optimizers). */
    public Ops ops() {
        checkOpen();
        return tf;
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the TensorFlow model of " + label + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close();
        graph.close();
    }
}
