package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;

/**
 * LSTM, GRU and RNN, forward, reverse and bidirectional, unrolled over the (static) sequence length. The input
 * projection of all steps is one matrix product; each step adds the recurrent product. sequence_lens masks
 * finished sequences (their state is kept, their outputs are zero) and reverses each sequence within its
 * length. Gate orders are ONNX's: LSTM i, o, f, c; GRU z, r, h. layout=1 (opset 14) is batch-major.
 */
public final class RecurrentHandler implements OpHandler {
    /** The cell. */
    public enum Kind { LSTM, GRU, RNN }

    private final Kind kind;

    private RecurrentHandler(Kind kind) {
        this.kind = kind;
    }

    public static RecurrentHandler of(Kind kind) {
        return new RecurrentHandler(kind);
    }

    @Override
    public InputRole inputRole(int input) {
        return switch (input) {
            case 1, 2, 3, 7 -> InputRole.WEIGHT;
            case 5, 6 -> InputRole.FROZEN;
            default -> InputRole.DATA;
        };
    }

    private int gates() {
        return switch (kind) {
            case LSTM -> 4;
            case GRU -> 3;
            case RNN -> 1;
        };
    }

    private List<String> defaultActivations() {
        return switch (kind) {
            case LSTM -> List.of("Sigmoid", "Tanh", "Tanh");
            case GRU -> List.of("Sigmoid", "Tanh");
            case RNN -> List.of("Tanh");
        };
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        var node = ctx.node();
        boolean batchMajor = node.attrInt("layout", 0) != 0;
        Operand<?> x = ctx.input(0);
        if (batchMajor) {
            x = TfOps.transpose(tf, x, 1, 0, 2);
        }
        long seq = TfOps.shape(x)[0];
        long features = TfOps.shape(x)[2];
        if (seq < 0 || features < 0) {
            // TF lost the sizes behind a run-time reshape (x.view(x.size(0), 28, 28)); inference still knows them.
            long[] inferred = ctx.inferredShape(0);
            seq = inferred == null ? -1 : inferred[batchMajor ? 1 : 0];
            features = inferred == null ? -1 : inferred[2];
            if (seq < 0 || features < 0) {
                throw ctx.unsupported("the sequence length must be static (it is unrolled)");
            }
            x = TfOps.reshape(tf, x, seq, -1, features);
        }
        String direction = node.attrString("direction", "forward");
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        long hidden = node.attrInt("hidden_size", ctx.shape(2)[2]);
        List<Activation> acts = activations(ctx, dirs);
        int perDir = defaultActivations().size();
        Operand<TInt64> lens = ctx.hasInput(4) ? tf.dtypes.cast(ctx.input(4), TInt64.class) : null;

        List<Operand<?>> ys = new ArrayList<>();
        List<Operand<?>> hs = new ArrayList<>();
        List<Operand<?>> cs = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            boolean reverse = direction.equals("reverse") || d == 1;
            Cell cell = new Cell(ctx, d, hidden, acts.subList(d * perDir, (d + 1) * perDir));
            Operand<?> xs = reverse ? reverse(tf, x, lens) : x;
            List<Operand<?>> steps = cell.inputProjection(xs, seq);
            Operand<?> h = cell.initial(5, x);
            Operand<?> c = kind == Kind.LSTM ? cell.initial(6, x) : null;
            List<Operand<org.tensorflow.types.family.TType>> outs = new ArrayList<>();
            for (int t = 0; t < seq; t++) {
                Operand<?>[] next = cell.step(steps.get(t), h, c);
                if (lens != null) {
                    Operand<TBool> live = tf.expandDims(tf.math.less(tf.constant((long) t), lens), tf.constant(1));
                    Operand<?> zero = tf.zerosLike(any(next[0]));
                    outs.add(any(tf.select(live, any(next[0]), any(zero))));
                    h = tf.select(live, any(next[0]), any(h));
                    c = c == null ? null : tf.select(live, any(next[1]), any(c));
                } else {
                    outs.add(any(next[0]));
                    h = next[0];
                    c = next[1];
                }
            }
            Operand<?> y = tf.stack(outs, Stack.axis(0L));
            ys.add(reverse ? reverse(tf, y, lens) : y);
            hs.add(h);
            cs.add(c);
        }
        Operand<?> y = tf.stack(ys.stream().map(TfOps::any).toList(), Stack.axis(1L)); // [seq, dirs, batch, H]
        Operand<?> yh = tf.stack(hs.stream().map(TfOps::any).toList(), Stack.axis(0L)); // [dirs, batch, H]
        Operand<?> yc = kind == Kind.LSTM ? tf.stack(cs.stream().map(TfOps::any).toList(), Stack.axis(0L)) : null;
        if (batchMajor) {
            y = TfOps.transpose(tf, y, 2, 0, 1, 3);
            yh = TfOps.transpose(tf, yh, 1, 0, 2);
            yc = yc == null ? null : TfOps.transpose(tf, yc, 1, 0, 2);
        }
        List<Operand<?>> result = new ArrayList<>(Arrays.asList(y, yh));
        if (yc != null) {
            result.add(yc);
        }
        return result;
    }

    /** Time-reversed [seq, batch, ...], each sequence within its own length when lengths are given. */
    private static Operand<?> reverse(Ops tf, Operand<?> x, Operand<TInt64> lens) {
        if (lens == null) {
            return tf.reverse(any(x), tf.constant(new int[] {0}));
        }
        return tf.reverseSequence(any(x), lens, 0L, org.tensorflow.op.core.ReverseSequence.batchDim(1L));
    }

    /** One direction's weights and step function. */
    private final class Cell {
        private final Ops tf;
        private final NodeContext ctx;
        private final int dir;
        private final long hidden;
        private final List<Activation> acts;
        private final Operand<?> w;
        private final Operand<?> r;
        private final Operand<?> wb;
        private final Operand<?> rb;
        private final Operand<?>[] peep;
        private final double clip;

        Cell(NodeContext ctx, int dir, long hidden, List<Activation> acts) {
            this.ctx = ctx;
            this.tf = ctx.tf();
            this.dir = dir;
            this.hidden = hidden;
            this.acts = acts;
            this.w = slice(ctx.input(1));
            this.r = slice(ctx.input(2));
            long g = gates() * hidden;
            if (ctx.hasInput(3)) {
                Operand<?> b = slice(ctx.input(3));
                List<Operand<?>> halves = ConvHandler.split(tf, b, 0, 2);
                wb = halves.get(0);
                rb = halves.get(1);
            } else {
                wb = null;
                rb = null;
            }
            if (kind == Kind.LSTM && ctx.inputCount() > 7 && ctx.hasInput(7)) {
                peep = ConvHandler.split(tf, slice(ctx.input(7)), 0, 3).toArray(new Operand<?>[0]);
            } else {
                peep = null;
            }
            clip = ctx.node().hasAttribute("clip") ? ctx.node().attrFloat("clip", 0) : -1;
            if (TfOps.shape(w)[0] >= 0 && TfOps.shape(w)[0] != g) {
                throw ctx.unsupported("W has " + TfOps.shape(w)[0] + " rows, expected " + g);
            }
        }

        private Operand<?> slice(Operand<?> v) {
            return tf.gather(any(v), tf.constant(dir), tf.constant(0));
        }

        /** x·Wᵀ + Wb for every step at once, then one [batch, G·H] operand per step. */
        List<Operand<?>> inputProjection(Operand<?> x, long seq) {
            long in = TfOps.shape(x)[2];
            Operand<?> flat = TfOps.reshape(tf, x, -1, in);
            Operand<?> p = tf.linalg.matMul(num(flat), num(w), MatMul.transposeB(true));
            if (wb != null) {
                p = tf.math.add(num(p), num(wb));
            }
            if (kind != Kind.GRU && rb != null) {
                p = tf.math.add(num(p), num(rb)); // GRU keeps Rb inside the reset gate's product
            }
            p = TfOps.reshape(tf, p, seq, -1, gates() * hidden);
            return new ArrayList<>(tf.unstack(any(p), seq).output());
        }

        /** initial_h / initial_c of this direction, or zeros [batch, H]. */
        Operand<?> initial(int input, Operand<?> x) {
            if (ctx.inputCount() > input && ctx.hasInput(input)) {
                return slice(ctx.input(input));
            }
            Operand<TInt64> shape = tf.stack(List.of(TfOps.dim(tf, x, 1), tf.constant(hidden)));
            return tf.fill(shape, any(TfOps.scalarLike(tf, 0, x)));
        }

        private Operand<?> recurrent(Operand<?> h, Operand<?> weights) {
            return tf.linalg.matMul(num(h), num(weights), MatMul.transposeB(true));
        }

        private Operand<?> act(int i, Operand<?> v) {
            if (clip >= 0) {
                v = tf.clipByValue(any(v), any(TfOps.scalarLike(tf, -clip, v)), any(TfOps.scalarLike(tf, clip, v)));
            }
            return acts.get(i).apply(tf, v);
        }

        /** {new h, new c (LSTM) or null}. */
        Operand<?>[] step(Operand<?> xw, Operand<?> h, Operand<?> c) {
            return switch (kind) {
                case RNN -> new Operand<?>[] {act(0, tf.math.add(num(xw), num(recurrent(h, r)))), null};
                case GRU -> gru(xw, h);
                case LSTM -> lstm(xw, h, c);
            };
        }

        private Operand<?>[] lstm(Operand<?> xw, Operand<?> h, Operand<?> c) {
            Operand<?> pre = tf.math.add(num(xw), num(recurrent(h, r)));
            List<Operand<?>> g = ConvHandler.split(tf, pre, 1, 4); // i, o, f, c
            Operand<?> iPre = g.get(0);
            Operand<?> fPre = g.get(2);
            if (peep != null) {
                iPre = tf.math.add(num(iPre), num(tf.math.mul(num(peep[0]), num(c))));
                fPre = tf.math.add(num(fPre), num(tf.math.mul(num(peep[2]), num(c))));
            }
            Operand<?> i = act(0, iPre);
            Operand<?> f = ctx.node().attrInt("input_forget", 0) != 0
                    ? tf.math.sub(num(TfOps.scalarLike(tf, 1, i)), num(i)) : act(0, fPre);
            Operand<?> candidate = act(1, g.get(3));
            Operand<?> cNew = tf.math.add(num(tf.math.mul(num(f), num(c))), num(tf.math.mul(num(i), num(candidate))));
            Operand<?> oPre = g.get(1);
            if (peep != null) {
                oPre = tf.math.add(num(oPre), num(tf.math.mul(num(peep[1]), num(cNew))));
            }
            Operand<?> hNew = tf.math.mul(num(act(0, oPre)), num(act(2, cNew)));
            return new Operand<?>[] {hNew, cNew};
        }

        private Operand<?>[] gru(Operand<?> xw, Operand<?> h) {
            List<Operand<?>> xg = ConvHandler.split(tf, xw, 1, 3); // z, r, h
            List<Operand<?>> rg = ConvHandler.split(tf, r, 0, 3);
            List<Operand<?>> bg = rb == null ? null : ConvHandler.split(tf, rb, 0, 3);
            Operand<?> z = act(0, tf.math.add(num(xg.get(0)), num(withBias(recurrent(h, rg.get(0)), bg, 0))));
            Operand<?> rr = act(0, tf.math.add(num(xg.get(1)), num(withBias(recurrent(h, rg.get(1)), bg, 1))));
            Operand<?> hh;
            if (ctx.node().attrInt("linear_before_reset", 0) != 0) {
                hh = tf.math.mul(num(rr), num(withBias(recurrent(h, rg.get(2)), bg, 2)));
            } else {
                hh = withBias(recurrent(tf.math.mul(num(rr), num(h)), rg.get(2)), bg, 2);
            }
            Operand<?> candidate = act(1, tf.math.add(num(xg.get(2)), num(hh)));
            Operand<?> one = TfOps.scalarLike(tf, 1, z);
            Operand<?> hNew = tf.math.add(num(tf.math.mul(num(tf.math.sub(num(one), num(z))), num(candidate))),
                    num(tf.math.mul(num(z), num(h))));
            return new Operand<?>[] {hNew, null};
        }

        private Operand<?> withBias(Operand<?> v, List<Operand<?>> biases, int i) {
            return biases == null ? v : tf.math.add(num(v), num(biases.get(i)));
        }
    }

    private List<Activation> activations(NodeContext ctx, int dirs) {
        List<String> names = new ArrayList<>();
        ctx.node().attribute("activations").ifPresent(a -> a.getStringsList()
                .forEach(s -> names.add(s.toStringUtf8())));
        int perDir = defaultActivations().size();
        if (names.isEmpty()) {
            for (int d = 0; d < dirs; d++) {
                names.addAll(defaultActivations());
            }
        } else if (names.size() == perDir && dirs == 2) {
            names.addAll(List.copyOf(names));
        }
        if (names.size() != perDir * dirs) {
            throw ctx.unsupported(names.size() + " activations given, expected " + perDir * dirs);
        }
        float[] alphas = ctx.node().attrFloats("activation_alpha", new float[0]);
        float[] betas = ctx.node().attrFloats("activation_beta", new float[0]);
        int ai = 0;
        int bi = 0;
        List<Activation> out = new ArrayList<>();
        for (String name : names) {
            String f = name.toLowerCase(Locale.ROOT);
            double[] defaults = Activation.defaults(f);
            if (defaults == null) {
                throw ctx.unsupported("unknown activation '" + name + "'");
            }
            double alpha = !Double.isNaN(defaults[0]) && ai < alphas.length ? alphas[ai++] : defaults[0];
            double beta = !Double.isNaN(defaults[1]) && bi < betas.length ? betas[bi++] : defaults[1];
            out.add(new Activation(f, alpha, beta));
        }
        return out;
    }

    /** An RNN activation function with its alpha and beta (NaN where it takes none). */
    private record Activation(String name, double alpha, double beta) {
        static double[] defaults(String f) {
            double none = Double.NaN;
            return switch (f) {
                case "sigmoid", "tanh", "relu", "softsign", "softplus" -> new double[] {none, none};
                case "affine" -> new double[] {1, 0};
                case "leakyrelu" -> new double[] {0.01, none};
                case "thresholdedrelu", "elu" -> new double[] {1, none};
                case "scaledtanh" -> new double[] {1, 1};
                case "hardsigmoid" -> new double[] {0.2, 0.5};
                default -> null;
            };
        }

        Operand<?> apply(Ops tf, Operand<?> x) {
            return switch (name) {
                case "sigmoid" -> tf.math.sigmoid(any(x));
                case "tanh" -> tf.math.tanh(any(x));
                case "relu" -> tf.nn.relu(num(x));
                case "softsign" -> tf.nn.softsign(num(x));
                case "softplus" -> tf.math.softplus(num(x));
                case "affine" -> tf.math.add(num(ActivationHandler.mul(tf, x, alpha)),
                        num(TfOps.scalarLike(tf, beta, x)));
                case "leakyrelu" -> tf.nn.leakyRelu(num(x), org.tensorflow.op.nn.LeakyRelu.alpha((float) alpha));
                case "thresholdedrelu" -> tf.select(tf.math.greater(num(x), num(TfOps.scalarLike(tf, alpha, x))),
                        any(x), any(ActivationHandler.zero(tf, x)));
                case "elu" -> tf.select(tf.math.greater(num(x), num(ActivationHandler.zero(tf, x))), any(x),
                        any(ActivationHandler.mul(tf, tf.math.expm1(any(x)), alpha)));
                case "scaledtanh" -> ActivationHandler.mul(tf,
                        tf.math.tanh(any(ActivationHandler.mul(tf, x, beta))), alpha);
                case "hardsigmoid" -> tf.math.minimum(num(tf.math.maximum(num(tf.math.add(
                        num(ActivationHandler.mul(tf, x, alpha)), num(TfOps.scalarLike(tf, beta, x)))),
                        num(ActivationHandler.zero(tf, x)))), num(TfOps.scalarLike(tf, 1, x)));
                default -> throw new IllegalStateException(name);
            };
        }
    }
}
