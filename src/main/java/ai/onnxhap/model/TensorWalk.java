package ai.onnxhap.model;

import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.FunctionProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.SparseTensorProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.TrainingInfoProto;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Visits or rewrites every tensor stored in a model: initializers, sparse initializers and tensor
 * attributes, in the main graph, nested subgraphs (If/Loop/Scan bodies), functions and training info.
 */
public final class TensorWalk {
    private TensorWalk() {
    }

    public static void forEach(ModelProto model, Consumer<TensorProto> visitor) {
        map(model, t -> {
            visitor.accept(t);
            return t;
        });
    }

    public static ModelProto map(ModelProto model, UnaryOperator<TensorProto> f) {
        ModelProto.Builder b = model.toBuilder();
        if (model.hasGraph()) {
            b.setGraph(map(model.getGraph(), f));
        }
        for (int i = 0; i < model.getFunctionsCount(); i++) {
            FunctionProto fn = model.getFunctions(i);
            FunctionProto.Builder fb = fn.toBuilder();
            for (int n = 0; n < fn.getNodeCount(); n++) {
                fb.setNode(n, map(fn.getNode(n), f));
            }
            b.setFunctions(i, fb);
        }
        for (int i = 0; i < model.getTrainingInfoCount(); i++) {
            TrainingInfoProto ti = model.getTrainingInfo(i);
            TrainingInfoProto.Builder tb = ti.toBuilder();
            if (ti.hasInitialization()) {
                tb.setInitialization(map(ti.getInitialization(), f));
            }
            if (ti.hasAlgorithm()) {
                tb.setAlgorithm(map(ti.getAlgorithm(), f));
            }
            b.setTrainingInfo(i, tb);
        }
        return b.build();
    }

    public static GraphProto map(GraphProto graph, UnaryOperator<TensorProto> f) {
        GraphProto.Builder b = graph.toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            b.setInitializer(i, f.apply(graph.getInitializer(i)));
        }
        for (int i = 0; i < graph.getSparseInitializerCount(); i++) {
            b.setSparseInitializer(i, map(graph.getSparseInitializer(i), f));
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            b.setNode(i, map(graph.getNode(i), f));
        }
        return b.build();
    }

    private static SparseTensorProto map(SparseTensorProto s, UnaryOperator<TensorProto> f) {
        SparseTensorProto.Builder b = s.toBuilder();
        if (s.hasValues()) {
            b.setValues(f.apply(s.getValues()));
        }
        if (s.hasIndices()) {
            b.setIndices(f.apply(s.getIndices()));
        }
        return b.build();
    }

    private static NodeProto map(NodeProto node, UnaryOperator<TensorProto> f) {
        if (node.getAttributeCount() == 0) {
            return node;
        }
        NodeProto.Builder b = node.toBuilder();
        for (int i = 0; i < node.getAttributeCount(); i++) {
            b.setAttribute(i, map(node.getAttribute(i), f));
        }
        return b.build();
    }

    private static AttributeProto map(AttributeProto a, UnaryOperator<TensorProto> f) {
        if (!a.hasT() && !a.hasG() && !a.hasSparseTensor() && a.getTensorsCount() == 0 && a.getGraphsCount() == 0
                && a.getSparseTensorsCount() == 0) {
            return a;
        }
        AttributeProto.Builder b = a.toBuilder();
        if (a.hasT()) {
            b.setT(f.apply(a.getT()));
        }
        if (a.hasG()) {
            b.setG(map(a.getG(), f));
        }
        if (a.hasSparseTensor()) {
            b.setSparseTensor(map(a.getSparseTensor(), f));
        }
        for (int i = 0; i < a.getTensorsCount(); i++) {
            b.setTensors(i, f.apply(a.getTensors(i)));
        }
        for (int i = 0; i < a.getGraphsCount(); i++) {
            b.setGraphs(i, map(a.getGraphs(i), f));
        }
        for (int i = 0; i < a.getSparseTensorsCount(); i++) {
            b.setSparseTensors(i, map(a.getSparseTensors(i), f));
        }
        return b.build();
    }
}
