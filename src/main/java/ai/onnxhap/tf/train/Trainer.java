package ai.onnxhap.tf.train;

import ai.onnxhap.data.DataSet;
import ai.onnxhap.data.TensorRows;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.tf.TfTensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Fine-tunes the trainable parameters of a {@link TrainableGraph}: gradients from {@code Graph.addGradients}
 * over an explicit variable list (so frozen parameters are simply left out), SGD with momentum or Adam, a
 * learning rate fed per step (schedules), and masks that keep chosen weights at exactly zero: masked entries
 * get zero gradient and start at zero, so neither momentum nor Adam nor weight decay can move them.
 */
public final class Trainer {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final TrainableGraph model;
    private final TrainConfig config;
    private final Loss loss;
    private final Placeholder<?> targetInput;
    private final Placeholder<TFloat32> rate;
    private final Placeholder<TFloat32> beta1Power;
    private final Placeholder<TFloat32> beta2Power;
    private final Operand<TFloat32> lossValue;
    private final Op trainStep;
    private final List<String> trained = new ArrayList<>();
    private long adamSteps;

    /**
     * @param masks  per parameter, 1 where the weight may change and 0 where it must stay zero (same shape)
     * @param frozen parameters that keep their values
     */
    public Trainer(TrainableGraph model, String output, Loss loss, TrainConfig config, Map<String, Tensor> masks,
                   Set<String> frozen) {
        this.model = model;
        this.config = config;
        this.loss = loss;
        Ops tf = model.tf().withSubScope("onnx_hap_train");
        Operand<TFloat32> out = model.output(output);
        rate = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        beta1Power = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        beta2Power = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        Losses.Built built = Losses.build(tf, out, loss, config.temperature());
        targetInput = built.target();
        lossValue = built.value();

        Map<String, Variable<TFloat32>> params = new LinkedHashMap<>();
        model.parameters().forEach((name, v) -> {
            if (!frozen.contains(name)) {
                params.put(name, v);
            }
        });
        for (String name : masks.keySet()) {
            if (!model.parameters().containsKey(name)) {
                throw OnnxHapException.usage("mask for unknown parameter '" + name + "'");
            }
        }
        Output<?>[] xs = params.values().stream().map(Variable::asOutput).toArray(Output[]::new);
        Output<?>[] grads = model.graph().addGradients(lossValue.asOutput(), xs);

        List<Op> updates = new ArrayList<>();
        List<Op> slotInits = new ArrayList<>();
        // Every update waits for every gradient: the backward pass reads the weights (dX = dY·Wᵀ), and an update
        // that ran before such a read would change what it reads, differently from run to run.
        List<Op> gradientOps = new ArrayList<>();
        for (Output<?> g : grads) {
            if (g != null) {
                gradientOps.add(g);
            }
        }
        int i = 0;
        for (Map.Entry<String, Variable<TFloat32>> e : params.entrySet()) {
            @SuppressWarnings("unchecked")
            Operand<TFloat32> g = grads[i++] == null ? null : (Output<TFloat32>) grads[i - 1];
            if (g == null) {
                continue; // the parameter does not reach this output
            }
            Variable<TFloat32> v = e.getValue();
            Ops scope = tf.withSubScope(sanitize(e.getKey()));
            if (config.optimizer() == TrainConfig.Optimizer.SGD && config.weightDecay() > 0) {
                g = scope.math.add(g, scope.math.mul(v, scope.constant((float) config.weightDecay())));
            }
            Tensor mask = masks.get(e.getKey());
            if (mask != null) {
                Operand<TFloat32> m = scope.constant(Shape.of(mask.shape()),
                        org.tensorflow.ndarray.buffer.DataBuffers.of(mask.floats(), true, false));
                g = scope.math.mul(g, m);
                slotInits.add(scope.assign(v, scope.math.mul(v, m)));
            }
            Shape shape = v.shape();
            Ops gated = scope.withControlDependencies(gradientOps);
            if (config.optimizer() == TrainConfig.Optimizer.SGD) {
                Variable<TFloat32> accum = slot(scope, shape, slotInits);
                updates.add(gated.train.applyMomentum(v, accum, rate, g, gated.constant((float) config.momentum())));
            } else {
                Variable<TFloat32> m1 = slot(scope, shape, slotInits);
                Variable<TFloat32> m2 = slot(scope, shape, slotInits);
                Op apply = gated.train.applyAdam(v, m1, m2, beta1Power, beta2Power, rate,
                        gated.constant((float) BETA1), gated.constant((float) BETA2), gated.constant((float) EPSILON), g);
                if (config.weightDecay() > 0) {
                    // Decoupled decay (AdamW), after the Adam step so the two never race on the variable.
                    Ops after = scope.withControlDependencies(List.of(apply));
                    apply = after.assignSub(v, after.math.mul(v, after.math.mul(rate,
                            after.constant((float) config.weightDecay()))));
                }
                updates.add(apply);
            }
            trained.add(e.getKey());
        }
        trainStep = tf.withControlDependencies(updates).noOp();
        Session s = model.session();
        if (!slotInits.isEmpty()) {
            Session.Runner r = s.runner();
            slotInits.forEach(r::addTarget);
            r.run();
        }
    }

    private static Variable<TFloat32> slot(Ops scope, Shape shape, List<Op> inits) {
        Variable<TFloat32> slot = scope.variable(shape, TFloat32.class);
        inits.add(scope.assign(slot, scope.zeros(scope.constant(shape.asArray()), TFloat32.class)));
        return slot;
    }

    private static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.\\-]", "_").replaceAll("^[^A-Za-z0-9.]+", "");
        return s.isEmpty() ? "p" : s;
    }

    /** Parameters that receive updates (trainable, not frozen, and reached by the loss). */
    public List<String> trainedParameters() {
        return List.copyOf(trained);
    }

    /**
     * Runs the epochs over the data set, shuffled with the seed (a new order each epoch).
     *
     * @param targets labels [N] for cross-entropy, teacher logits [N, C] for distillation, outputs for MSE
     */
    public List<ProgressListener.EpochStats> fit(DataSet data, Tensor targets, ProgressListener progress) {
        if (data.size() == 0) {
            throw OnnxHapException.usage("the training set is empty");
        }
        if (targets.dim(0) != data.size()) {
            throw OnnxHapException.usage("training targets hold " + targets.dim(0) + " rows for " + data.size()
                    + " samples");
        }
        int n = data.size();
        int b = Math.min(config.batchSize(), n);
        long stepsPerEpoch = (n + b - 1) / b;
        long total = stepsPerEpoch * config.epochs();
        long step = 0;
        List<ProgressListener.EpochStats> history = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(config.seed());
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            int[] order = permutation(n, rnd);
            progress.epochStarted(epoch + 1, config.epochs(), stepsPerEpoch);
            double lossSum = 0;
            long t0 = System.nanoTime();
            double lr = 0;
            for (int from = 0; from < n; from += b) {
                int[] rows = java.util.Arrays.copyOfRange(order, from, Math.min(n, from + b));
                lr = config.rateAt(epoch, step, total);
                double l = step(data.select(rows), TensorRows.gather(targets, rows), lr);
                if (!Double.isFinite(l)) {
                    throw OnnxHapException.usage("training diverged at epoch " + (epoch + 1) + ", step " + (step + 1)
                            + " (loss " + l + "); try a lower --lr");
                }
                lossSum += l * rows.length;
                step++;
                progress.step(l, rows.length);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            var stats = new ProgressListener.EpochStats(epoch + 1, lossSum / n, n / seconds, lr);
            history.add(stats);
            progress.epochFinished(stats);
        }
        return history;
    }

    /** One update on one batch; returns the batch's loss before the update. */
    public double step(DataSet batch, Tensor target, double learningRate) {
        adamSteps++;
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner r = feed(batch, target, fed);
            org.tensorflow.Tensor lr = TFloat32.scalarOf((float) learningRate);
            org.tensorflow.Tensor p1 = TFloat32.scalarOf((float) Math.pow(BETA1, adamSteps));
            org.tensorflow.Tensor p2 = TFloat32.scalarOf((float) Math.pow(BETA2, adamSteps));
            fed.addAll(List.of(lr, p1, p2));
            r.feed(rate, lr).feed(beta1Power, p1).feed(beta2Power, p2);
            try (Result res = r.fetch(lossValue).addTarget(trainStep).run()) {
                return ((TFloat32) res.get(0)).getFloat();
            }
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
    }

    /** The loss on a batch without updating anything. */
    public double evaluate(DataSet batch, Tensor target) {
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try (Result res = feed(batch, target, fed).fetch(lossValue).run()) {
            return ((TFloat32) res.get(0)).getFloat();
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
    }

    /** A runner fed with the batch's inputs and targets; the tensors it holds are added to {@code fed} for closing. */
    private Session.Runner feed(DataSet batch, Tensor target, List<org.tensorflow.Tensor> fed) {
        Session.Runner r = model.session().runner();
        for (Map.Entry<String, Placeholder<?>> in : model.inputs().entrySet()) {
            org.tensorflow.Tensor t = TfTensors.toTf(batch.input(in.getKey()), in.getValue().type());
            fed.add(t);
            r.feed(in.getValue(), t);
        }
        org.tensorflow.Tensor y = TfTensors.toTf(loss == Loss.CROSS_ENTROPY ? asLong(target) : target,
                targetInput.type());
        fed.add(y);
        return r.feed(targetInput, y);
    }

    private static Tensor asLong(Tensor labels) {
        return labels.type() == ai.onnxhap.model.DataType.INT64 ? labels
                : Tensor.ofLongs(labels.name(), labels.shape(), labels.toLongs());
    }

    private static int[] permutation(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
