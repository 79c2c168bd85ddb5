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
        DataSet data = calibrationInputs(model, options);
        if (data == null) {
            throw OnnxHapException.usage("the hessian criterion needs calibration data (--data), or --synthetic for "
                    + "random inputs; --criterion l1 works without data");
        }
        java.util.Set<String> weights = new java.util.LinkedHashSet<>();
        for (PruningGroup g : groups) {
            if (g.prunable()) {
                for (Member m : g.parameters()) {
                    if (m.role() != Member.Role.THROUGH) {
                        weights.add(m.tensor());
                    }
                }
            }
        }
        CompressOptions.Calibration c = options.calibration();
        return new HessianImportance(diagonal(model, data, weights, c.probes(), c.batchSize(), options.seed(), progress,
                options.runtime()));
    }

    /**
     * The inputs second-order scores (and implant fits) use: the calibration data bound to the model, at most
     * its sample count; else N(0,1) inputs when synthetic data is allowed; else null.
     */
    static DataSet calibrationInputs(OnnxModel model, CompressOptions options) {
        CompressOptions.Calibration c = options.calibration();
        DataSet data;
        if (c.data() != null) {
            data = ModelInputs.bind(c.data(), model);
            data = data.slice(0, Math.min(c.samples(), data.size()));
        } else if (c.synthetic()) {
            Graph graph = Graph.of(model);
            // the shapes the job runs at (given or assumed sizes), with the samples on a symbolic first axis
            Map<String, long[]> given = new java.util.LinkedHashMap<>();
            for (Graph.ValueInfo in : graph.inputs()) {
                long[] shape = options.inputShapes().get(in.name());
                if (shape != null) {
                    shape = shape.clone();
                    if (in.dims() != null && in.dims().length > 0 && in.dims()[0] < 0 && shape.length > 0) {
                        shape[0] = c.samples();
                    }
                    given.put(in.name(), shape);
                }
            }
            data = DataSet.of(OrtShapeOracle.syntheticInputs(graph, InputShapes.resolve(graph, given, c.samples()),
                    options.seed()));
        } else {
            return null;
        }
        if (data.size() == 0) {
            throw OnnxHapException.usage("the calibration data set is empty");
        }
        return data;
    }

    /**
     * The Hessian diagonal of the loss over the given weights on bound data: with labels the loss is
     * cross-entropy; without, the model is its own teacher (distillation at T = 1).
     *
     * @param probes Hutchinson probes, 0 for an adaptive count
     */
    static HutchinsonTrace.Diagonal diagonal(OnnxModel model, DataSet data, java.util.Collection<String> weights,
                                             int probes, int batchSize, long seed,
                                             HutchinsonTrace.ProbeListener progress, CompressOptions.Runtime runtime) {
        // Differentiated on the tensor part: the logits behind a final Softmax, the probabilities behind a ZipMap.
        ai.onnxhap.graph.TensorPart part = ai.onnxhap.graph.TensorPart.of(model);
        model = part.model();
        String output = part.output();
        Tensor targets;
        Loss loss;
        if (data.labels().isPresent()) {
            targets = data.labels().get();
            loss = Loss.CROSS_ENTROPY;
        } else {
            try (OrtModel ort = OrtModel.open(model, runtime.ort())) {
                targets = ort.run(data, batchSize).get(output);
            }
            loss = Loss.DISTILLATION;
        }
        Map<String, Integer> axes = new LinkedHashMap<>();
        weights.forEach(w -> axes.put(w, 0));
        // Second derivatives in half precision are noise: score the float32 twin (same weight names).
        try (TfModel tf = TfModel.build(ai.onnxhap.tf.Float32Twin.of(ai.onnxhap.tf.BatchFree.of(model)), Map.of(),
                runtime.device())) {
            HutchinsonTrace trace = new HutchinsonTrace(FineTune.trainable(tf), output, loss, 1.0, axes);
            return trace.diagonal(data, targets, probes(probes), batchSize, 1e-2, seed, progress);
        }
    }
}
