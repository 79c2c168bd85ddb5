package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;
import static ai.onnxhap.tf.ops.TfOps.num;

import ai.onnxhap.tf.NodeContext;
import ai.onnxhap.tf.OpHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * Resize (opsets 10, 11 on) and Upsample (7, 9) as ONNX's reference does it: separable, one axis at a time.
 * For each resized axis the source taps (indices and weights: 1 for nearest, 2 linear, 4 cubic) of every
 * output position are computed while building, from the coordinate transformation; the axis is then a sum
 * of gathers times weights. Taps outside the input clamp to the edge (or drop out, exclude_outside).
 * Needs static sizes on the resized axes.
 */
public final class ResizeHandler implements OpHandler {
    private enum Version { UPSAMPLE_ATTRIBUTE, UPSAMPLE_INPUT, RESIZE_10, RESIZE_11 }

    private final Version version;

    private ResizeHandler(Version version) {
        this.version = version;
    }

    /** Upsample-7: scales attribute. */
    public static ResizeHandler upsampleAttribute() {
        return new ResizeHandler(Version.UPSAMPLE_ATTRIBUTE);
    }

    /** Upsample-9: scales input. */
    public static ResizeHandler upsampleInput() {
        return new ResizeHandler(Version.UPSAMPLE_INPUT);
    }

    /** Resize-10: scales input, asymmetric coordinates. */
    public static ResizeHandler resize10() {
        return new ResizeHandler(Version.RESIZE_10);
    }

    /** Resize-11 on: roi, scales, sizes; coordinate modes, nearest modes, cubic. */
    public static ResizeHandler resize11() {
        return new ResizeHandler(Version.RESIZE_11);
    }

    @Override
    public InputRole inputRole(int input) {
        return input == 0 ? InputRole.DATA : InputRole.CONSTANT;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        var node = ctx.node();
        long[] in = ctx.shape(0);
        int r = in.length;
        boolean modern = version == Version.RESIZE_11;
        String mode = node.attrString("mode", "nearest");
        String transform = modern ? node.attrString("coordinate_transformation_mode", "half_pixel") : "asymmetric";
        String nearest = modern ? node.attrString("nearest_mode", "round_prefer_floor") : "simple";
        if (node.attrInt("antialias", 0) != 0) {
            throw ctx.unsupported("antialias is not supported");
        }
        if (!node.attrString("keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            throw ctx.unsupported("only keep_aspect_ratio_policy=stretch is supported");
        }
        int[] axes = node.hasAttribute("axes") ? Axes.normalize(ctx, node.attrInts("axes", null), r) : Axes.range(0, r);
        double[] scales = new double[r];
        long[] out = in.clone();
        Arrays.fill(scales, 1);
        double[] given = switch (version) {
            case UPSAMPLE_ATTRIBUTE -> toDoubles(node.attrFloats("scales", null));
            case UPSAMPLE_INPUT, RESIZE_10 -> ctx.constant(1).toDoubles();
            case RESIZE_11 -> ctx.hasInput(2) && ctx.constant(2).size() > 0 ? ctx.constant(2).toDoubles() : null;
        };
        long[] sizes = modern && ctx.inputCount() > 3 && ctx.hasInput(3) ? ctx.longs(3) : null;
        if (given == null && sizes == null) {
            throw ctx.unsupported("needs scales or sizes");
        }
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i];
            if (in[a] < 0) {
                throw ctx.unsupported("resized axes need static sizes");
            }
            if (sizes != null) {
                out[a] = sizes[i];
                scales[a] = (double) sizes[i] / in[a];
            } else {
                scales[a] = given[i];
                out[a] = (long) Math.floor(in[a] * given[i]);
            }
        }
        double[] roi = modern && ctx.hasInput(1) && ctx.constant(1).size() > 0 ? ctx.constant(1).toDoubles() : null;
        Operand<?> y = ctx.input(0);
        Operand<?> inside = null;
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i];
            if (out[a] == in[a] && scales[a] == 1 && !transform.equals("tf_crop_and_resize")) {
                continue;
            }
            double start = roi == null ? 0 : roi[i];
            double end = roi == null ? 1 : roi[axes.length + i];
            double[] coords = new double[(int) out[a]];
            boolean[] valid = new boolean[coords.length];
            // With scales, ONNX's reference takes the resized length as in·scale, unrounded.
            double length = sizes != null ? out[a] : in[a] * scales[a];
            for (int o = 0; o < coords.length; o++) {
                coords[o] = source(transform, o, in[a], length, scales[a], start, end);
                valid[o] = coords[o] >= 0 && coords[o] <= in[a] - 1;
            }
            Taps taps = switch (mode) {
                case "nearest" -> nearest(coords, in[a], nearest, scales[a] < 1);
                case "linear" -> linear(coords, in[a]);
                case "cubic" -> cubic(coords, in[a], node.attrFloat("cubic_coeff_a", -0.75f),
                        node.attrInt("exclude_outside", 0) != 0);
                default -> throw ctx.unsupported("unknown mode '" + mode + "'");
            };
            y = apply(tf, y, a, r, taps);
            if (transform.equals("tf_crop_and_resize")) {
                Operand<?> m = weights(tf, toWeights(valid), a, r, y);
                inside = inside == null ? m : tf.math.mul(num(inside), num(m));
            }
        }
        if (inside != null) {
            // Positions sampled outside the input take extrapolation_value.
            Operand<?> extra = TfOps.scalarLike(tf, node.attrFloat("extrapolation_value", 0f), y);
            Operand<?> outside = tf.math.sub(num(TfOps.scalarLike(tf, 1, y)), num(inside));
            y = tf.math.add(num(tf.math.mul(num(y), num(inside))), num(tf.math.mul(num(extra), num(outside))));
        }
        return List.of(y);
    }

    /** Where output position {@code o} samples the input, in input coordinates. */
    private static double source(String transform, int o, long in, double out, double scale, double start,
                                 double end) {
        return switch (transform) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "half_pixel_symmetric" -> {
                double adjustment = out / (scale * in);
                double offset = in / 2.0 * (1 - adjustment);
                yield offset + (o + 0.5) / scale - 0.5;
            }
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case "tf_half_pixel_for_nn" -> (o + 0.5) / scale;
            case "align_corners" -> out == 1 ? 0 : o * (in - 1) / (out - 1);
            case "tf_crop_and_resize" -> out > 1 ? start * (in - 1) + o * (end - start) * (in - 1) / (out - 1)
                    : 0.5 * (start + end) * (in - 1);
            default -> o / scale; // asymmetric
        };
    }

    /** Source indices and weights per output position, one array pair per tap. */
    private record Taps(List<long[]> indices, List<double[]> weights) {
    }

    private static Taps nearest(double[] x, long in, String mode, boolean down) {
        long[] idx = new long[x.length];
        for (int o = 0; o < x.length; o++) {
            double f = Math.floor(x[o]);
            long i = switch (mode) {
                case "round_prefer_ceil" -> (long) Math.floor(x[o] + 0.5);
                case "floor" -> (long) f;
                case "ceil" -> (long) Math.ceil(x[o]);
                case "simple" -> down ? (long) Math.ceil(x[o]) : (long) x[o];
                default -> x[o] - f == 0.5 ? (long) f : Math.round(x[o]); // round_prefer_floor
            };
            idx[o] = Math.max(0, Math.min(in - 1, i));
        }
        double[] one = new double[x.length];
        Arrays.fill(one, 1);
        return new Taps(List.of(idx), List.of(one));
    }

    private static Taps linear(double[] x, long in) {
        long[] i0 = new long[x.length];
        long[] i1 = new long[x.length];
        double[] w0 = new double[x.length];
        double[] w1 = new double[x.length];
        for (int o = 0; o < x.length; o++) {
            double c = Math.max(0, Math.min(in - 1, x[o]));
            long f = (long) Math.floor(c);
            double t = c - f;
            i0[o] = f;
            i1[o] = Math.min(in - 1, f + 1);
            w0[o] = 1 - t;
            w1[o] = t;
        }
        return new Taps(List.of(i0, i1), List.of(w0, w1));
    }

    private static Taps cubic(double[] x, long in, double a, boolean excludeOutside) {
        List<long[]> idx = new ArrayList<>();
        List<double[]> w = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            idx.add(new long[x.length]);
            w.add(new double[x.length]);
        }
        for (int o = 0; o < x.length; o++) {
            long f = (long) Math.floor(x[o]);
            double t = x[o] - f;
            double[] c = {
                ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
                ((a + 2) * t - (a + 3)) * t * t + 1,
                ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
                ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a};
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                long src = f - 1 + k;
                if (excludeOutside && (src < 0 || src >= in)) {
                    c[k] = 0;
                }
                sum += c[k];
                idx.get(k)[o] = Math.max(0, Math.min(in - 1, src));
            }
            for (int k = 0; k < 4; k++) {
                w.get(k)[o] = excludeOutside ? c[k] / sum : c[k];
            }
        }
        return new Taps(idx, w);
    }

    /** Σ_k gather(y, idx_k, axis) · w_k along one axis. */
    private static Operand<?> apply(Ops tf, Operand<?> y, int axis, int rank, Taps taps) {
        Operand<?> acc = null;
        for (int k = 0; k < taps.indices().size(); k++) {
            Operand<?> g = tf.gather(any(y), tf.constant(taps.indices().get(k)), tf.constant(axis));
            double[] w = taps.weights().get(k);
            if (taps.indices().size() > 1 || Arrays.stream(w).anyMatch(v -> v != 1)) {
                g = tf.math.mul(num(g), num(weights(tf, w, axis, rank, y)));
            }
            acc = acc == null ? g : tf.math.add(num(acc), num(g));
        }
        return acc;
    }

    /** Weights as a tensor of y's type, laid along {@code axis} and broadcasting over the others. */
    private static Operand<?> weights(Ops tf, double[] w, int axis, int rank, Operand<?> like) {
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[axis] = w.length;
        Operand<?> c = TfOps.cast(tf, tf.constant(w), like.type());
        return TfOps.reshape(tf, c, shape);
    }

    private static double[] toWeights(boolean[] valid) {
        double[] w = new double[valid.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = valid[i] ? 1 : 0;
        }
        return w;
    }

    private static double[] toDoubles(float[] f) {
        if (f == null) {
            return null;
        }
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
