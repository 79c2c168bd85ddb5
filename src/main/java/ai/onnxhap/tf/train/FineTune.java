package ai.onnxhap.tf.train;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.OnnxModel;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.TfModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Fine-tunes an ONNX model's weights on TensorFlow and writes them back into the ONNX initializers: the
 * graph stays as ONNX wrote it, only parameter values change.
 */
public final class FineTune {
    private FineTune() {
    }

    public record Result(OnnxModel model, List<ProgressListener.EpochStats> history, List<String> trained) {
    }

    /**
     * @param inputShapes the shapes to build the TF graph for (batch axis as the TF model allows)
     * @param targets     labels, teacher logits or regression targets, one row per sample
     */
    public static Result run(OnnxModel model, Map<String, long[]> inputShapes, DataSet train, Tensor targets, Loss loss,
                             String output, TrainConfig config, Map<String, Tensor> masks, Set<String> frozen,
                             ProgressListener progress) {
        return run(model, inputShapes, train, targets, loss, output, config, masks, frozen, progress, TfModel.Device.AUTO);
    }

    public static Result run(OnnxModel model, Map<String, long[]> inputShapes, DataSet train, Tensor targets, Loss loss,
                             String output, TrainConfig config, Map<String, Tensor> masks, Set<String> frozen,
                             ProgressListener progress, TfModel.Device device) {
        // Half-precision weights train on their float32 twin, fixed-batch models on a batch-free one;
        // withInitializerValues below writes the values back into the model as it is (fp16, fixed batch).
        try (TfModel tf = TfModel.build(ai.onnxhap.tf.Float32Twin.of(ai.onnxhap.tf.BatchFree.of(model)), inputShapes, device)) {
            Trainer trainer = new Trainer(new Adapter(tf), output, loss, config, masks, frozen);
            var history = trainer.fit(train, targets, progress);
            Map<String, Tensor> values = new LinkedHashMap<>();
            tf.parameterValues().forEach((name, v) -> {
                if (trainer.trainedParameters().contains(name)) {
                    values.put(name, v);
                }
            });
            for (Tensor v : values.values()) {
                for (float f : v.type().storage() == ai.onnxhap.model.DataType.Storage.FLOAT ? v.floats() : new float[0]) {
                    if (!Float.isFinite(f)) {
                        throw OnnxHapException.usage("training produced non-finite weights in '" + v.name()
                                + "'; nothing written; try a lower --lr");
                    }
                }
            }
            return new Result(model.withInitializerValues(values), history, trainer.trainedParameters());
        }
    }

    /** A TF model built from ONNX, seen as something to train or differentiate. */
    public static TrainableGraph trainable(TfModel model) {
        return new Adapter(model);
    }

    private record Adapter(TfModel model) implements TrainableGraph {
        @Override
        public Graph graph() {
            return model.graph();
        }

        @Override
        public Ops tf() {
            return model.ops();
        }

        @Override
        public Session session() {
            return model.session();
        }

        @Override
        public Map<String, Placeholder<?>> inputs() {
            Map<String, Placeholder<?>> in = new LinkedHashMap<>();
            model.inputNames().forEach(n -> in.put(n, model.input(n)));
            return in;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Operand<TFloat32> output(String onnxOutput) {
            Operand<?> out = model.output(onnxOutput);
            if (out.type() != TFloat32.class) {
                throw OnnxHapException.usage("output '" + onnxOutput + "' is not float32 and cannot be trained on");
            }
            // [N, C, 1, 1] class scores (a 1×1 conv and a global pool, as SqueezeNet ends) are the [N, C] logits.
            org.tensorflow.ndarray.Shape s = out.shape();
            if (s.numDimensions() > 2 && s.size(1) > 0) {
                boolean trailingOnes = true;
                for (int i = 2; i < s.numDimensions(); i++) {
                    trailingOnes &= s.size(i) == 1;
                }
                if (trailingOnes) {
                    return model.ops().reshape((Operand<TFloat32>) out,
                            model.ops().constant(new long[] {-1, s.size(1)}));
                }
            }
            return (Operand<TFloat32>) out;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map<String, Variable<TFloat32>> parameters() {
            Map<String, Variable<TFloat32>> out = new LinkedHashMap<>();
            model.trainableVariables().forEach((name, v) -> {
                if (v instanceof Variable<?> var && var.type() == TFloat32.class) {
                    out.put(name, (Variable<TFloat32>) var);
                }
            });
            return out;
        }
    }
}
