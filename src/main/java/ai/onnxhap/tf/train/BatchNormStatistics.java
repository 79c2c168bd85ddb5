package ai.onnxhap.tf.train;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.Node;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.validate.OrtModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BatchNorm re-estimation after pruning and retraining: the running mean and variance each BatchNormalization
 * node was exported with describe the original network's activations, not the compressed one's. They are
 * recomputed as the per-channel mean and (biased) variance of the node's input over the given data, in ONNX
 * Runtime. Models exported with BatchNorm folded into the convolutions have nothing to re-estimate.
 */
public final class BatchNormStatistics {
    private BatchNormStatistics() {
    }

    /** @param nodes the BatchNormalization nodes whose statistics were replaced */
    public record Result(OnnxModel model, List<String> nodes) {
    }

    public static Result reestimate(OnnxModel model, DataSet data, OrtModel.Options ort) {
        Graph g = Graph.of(model);
        List<Node> bns = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("BatchNormalization") && n.domain().isEmpty() && n.inputs().size() >= 5
                    && g.isInitializer(n.input(3)) && g.isInitializer(n.input(4))
                    && g.consumers(n.input(3)).size() == 1 && g.consumers(n.input(4)).size() == 1) {
                bns.add(n);
            }
        }
        if (bns.isEmpty() || data == null || data.size() == 0) {
            return new Result(model, List.of());
        }
        Map<String, Tensor> inputs = ai.onnxhap.validate.IntermediateValues.of(model, ort, data, bns.stream().map(n -> n.input(0)).distinct()
                .toList());
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (Node n : bns) {
            Tensor x = inputs.get(n.input(0));
            double[][] stats = channelMoments(x);
            Tensor mean = g.initializer(n.input(3));
            Tensor var = g.initializer(n.input(4));
            values.put(mean.name(), Tensor.ofReals(mean.name(), mean.type(), mean.shape(), stats[0]));
            values.put(var.name(), Tensor.ofReals(var.name(), var.type(), var.shape(), stats[1]));
        }
        return new Result(model.withInitializerValues(values), bns.stream().map(Node::name).toList());
    }

    /** Per channel (axis 1), the mean and biased variance over every other axis, in double. */
    static double[][] channelMoments(Tensor x) {
        long[] s = x.shape();
        int channels = (int) s[1];
        long inner = 1;
        for (int a = 2; a < s.length; a++) {
            inner *= s[a];
        }
        float[] v = x.floats();
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        for (int i = 0; i < v.length; i++) {
            int c = (int) ((i / inner) % channels);
            sum[c] += v[i];
            sumSq[c] += (double) v[i] * v[i];
        }
        double count = (double) v.length / channels;
        double[] mean = new double[channels];
        double[] var = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = sum[c] / count;
            var[c] = Math.max(0, sumSq[c] / count - mean[c] * mean[c]);
        }
        return new double[][] {mean, var};
    }
}
