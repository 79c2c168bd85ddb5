package ai.onnxhap.tf.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** logits = x·W + b built by hand: small enough that every update has a closed form. */
final class LinearModel implements TrainableGraph, AutoCloseable {
    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    final Placeholder<TFloat32> x;
    final Variable<TFloat32> w;
    final Variable<TFloat32> b;
    final Operand<TFloat32> logits;
    final Session session;

    LinearModel(float[] w0, int in, int out) {
        x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, in)));
        w = tf.withName("W").variable(Shape.of(in, out), TFloat32.class);
        b = tf.withName("b").variable(Shape.of(out), TFloat32.class);
        logits = tf.math.add(tf.linalg.matMul(x, w), b);
        session = new Session(graph);
        session.runner()
                .addTarget(tf.assign(w, tf.constant(Shape.of(in, out), DataBuffers.of(w0, true, false))))
                .addTarget(tf.assign(b, tf.zeros(tf.constant(new long[] {out}), TFloat32.class)))
                .run();
    }

    float[] values(Variable<TFloat32> v) {
        try (var r = session.runner().fetch(v).run()) {
            return ai.onnxhap.tf.TfTensors.fromTf("v", (TFloat32) r.get(0), ai.onnxhap.model.DataType.FLOAT).floats();
        }
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public Ops tf() {
        return tf;
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public Map<String, Placeholder<?>> inputs() {
        return Map.of("x", x);
    }

    @Override
    public Operand<TFloat32> output(String onnxOutput) {
        return logits;
    }

    @Override
    public Map<String, Variable<TFloat32>> parameters() {
        Map<String, Variable<TFloat32>> p = new LinkedHashMap<>();
        p.put("W", w);
        p.put("b", b);
        return p;
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
