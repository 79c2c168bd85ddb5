package ai.onnxhap.compress;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.ModelInputs;
import ai.onnxhap.graph.Graph;
import ai.onnxhap.graph.InputShapes;
import ai.onnxhap.graph.deps.Member;
import ai.onnxhap.graph.deps.PruningGroup;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.score.HessianImportance;
import ai.onnxhap.score.HutchinsonTrace;
import ai.onnxhap.tf.TfModel;
import ai.onnxhap.tf.train.FineTune;
import ai.onnxhap.tf.train.Loss;
import ai.onnxhap.validate.OrtModel;
import ai.onnxhap.validate.OrtShapeOracle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Second-order scores for compress: the Hessian diagonal of the loss on calibration data, over every weight a
 * prunable group computes or reads. With labels the loss is cross-entropy; without, the model is its own
 * teacher (distillation at T = 1), whose Hessian at the current weights measures how far outputs move.
 */
final class HessianScoring {
    /** The most probes an adaptive run draws. */
    static final int ADAPTIVE_MAX_PROBES = 128;

    private HessianScoring() {
    }

    /** The probe count of the options: 0 means adaptive (until the least sensitive structures settle). */
    static HutchinsonTrace.Probes probes(int probes) {
        return probes == 0 ? HutchinsonTrace.Probes.adaptive(ADAPTIVE_MAX_PROBES) : HutchinsonTrace.Probes.fixed(probes);
    }

    static HessianImportance importance(OnnxModel model, List<PruningGroup> groups, CompressOptions options,
                                        HutchinsonTrace.ProbeListener progress) {
        CompressOptions.Calibration c = options.calibration();
        DataSet data;
        if (c.data() != null) {
            data = ModelInputs.bind(c.data(), model);
            data = data.slice(0, Math.min(c.samples(), data.size()));
        } else if (c.synthetic()) {
            Graph graph = Graph.of(model);
            data = DataSet.of(OrtShapeOracle.syntheticInputs(graph, InputShapes.resolve(graph, Map.of(), c.samples()),
                    options.seed()));
        } else {
            throw OnnxHapException.usage("the hessian criterion needs calibration data (--data), or --synthetic for "
                    + "random inputs; --criterion l1 works without data");
        }
        if (data.size() == 0) {
            throw OnnxHapException.usage("the calibration data set is empty");
        }
        String output = Graph.of(model).outputs().get(0).name();
        Tensor targets;
        Loss loss;
        if (data.labels().isPresent()) {
            targets = data.labels().get();
            loss = Loss.CROSS_ENTROPY;
        } else {
            try (OrtModel ort = OrtModel.open(model)) {
                targets = ort.run(data, c.batchSize()).get(output);
            }
            loss = Loss.DISTILLATION;
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (PruningGroup g : groups) {
            if (g.prunable()) {
                for (Member m : g.parameters()) {
                    if (m.role() != Member.Role.THROUGH) {
                        weights.put(m.tensor(), 0);
                    }
                }
            }
        }
        try (TfModel tf = TfModel.build(model)) {
            HutchinsonTrace trace = new HutchinsonTrace(FineTune.trainable(tf), output, loss, 1.0, weights);
            return new HessianImportance(trace.diagonal(data, targets, probes(c.probes()), c.batchSize(), 1e-2,
                    options.seed(), progress));
        }
    }
}
