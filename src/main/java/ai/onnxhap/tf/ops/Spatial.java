package ai.onnxhap.tf.ops;

import static ai.onnxhap.tf.ops.TfOps.any;

import ai.onnxhap.tf.NodeContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * What Conv, ConvTranspose and the pools share: kernel/stride/dilation attributes with their defaults,
 * explicit padding from {@code pads} or {@code auto_pad}, and the NCHW ↔ NHWC moves around TF's kernels
 * (TF's CPU convolutions and pools only take channels last).
 */
final class Spatial {
    final int n;
    final long[] kernel;
    final long[] strides;
    final long[] dilations;
    /** Begin and end padding per spatial axis. */
    final long[] padBegin;
    final long[] padEnd;

    private Spatial(int n, long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd) {
        this.n = n;
        this.kernel = kernel;
        this.strides = strides;
        this.dilations = dilations;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
    }

    /**
     * Reads the attributes of a Conv/pool node on an input whose spatial dims are {@code in} (-1: unknown).
     * {@code kernel} is the kernel_shape attribute's default (the weight's spatial dims for Conv).
     */
    static Spatial of(NodeContext ctx, long[] in, long[] kernelDefault) {
        int n = in.length;
        long[] kernel = ctx.node().attrInts("kernel_shape", kernelDefault);
        if (kernel == null || kernel.length != n) {
            throw ctx.unsupported("kernel_shape must give " + n + " spatial sizes");
        }
        long[] strides = ctx.node().attrInts("strides", filled(n, 1));
        long[] dilations = ctx.node().attrInts("dilations", filled(n, 1));
        long[] begin = new long[n];
        long[] end = new long[n];
        String autoPad = ctx.node().attrString("auto_pad", "NOTSET");
        switch (autoPad) {
            case "NOTSET" -> {
                long[] pads = ctx.node().attrInts("pads", new long[2 * n]);
                if (pads.length != 2 * n) {
                    throw ctx.unsupported("pads must give " + 2 * n + " values");
                }
                begin = Arrays.copyOfRange(pads, 0, n);
                end = Arrays.copyOfRange(pads, n, 2 * n);
            }
            case "VALID" -> {
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < n; i++) {
                    long total = samePadding(ctx, in[i], kernel[i], strides[i], dilations[i]);
                    long small = total / 2;
                    begin[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    end[i] = total - begin[i];
                }
            }
            default -> throw ctx.unsupported("unknown auto_pad '" + autoPad + "'");
        }
        return new Spatial(n, kernel, strides, dilations, begin, end);
    }

    /** Total padding that keeps ceil(in / stride) outputs; needs the input size unless the stride is 1. */
    static long samePadding(NodeContext ctx, long in, long k, long stride, long dilation) {
        long span = (k - 1) * dilation + 1;
        if (in < 0) {
            if (stride != 1) {
                throw ctx.unsupported("SAME padding with stride " + stride + " needs static spatial input sizes");
            }
            return span - 1;
        }
        long out = (in + stride - 1) / stride;
        return Math.max(0, (out - 1) * stride + span - in);
    }

    long span(int i) {
        return (kernel[i] - 1) * dilations[i] + 1;
    }

    boolean hasPadding() {
        return Arrays.stream(padBegin).anyMatch(p -> p != 0) || Arrays.stream(padEnd).anyMatch(p -> p != 0);
    }

    boolean unitDilations() {
        return Arrays.stream(dilations).allMatch(d -> d == 1);
    }

    /** True when TF's "SAME" would pad exactly like {@code begin}/{@code end} on input sizes {@code in}. */
    boolean isTfSame(long[] in, long[] end) {
        for (int i = 0; i < n; i++) {
            if (in[i] < 0) {
                return false;
            }
            long out = (in[i] + strides[i] - 1) / strides[i];
            long total = Math.max(0, (out - 1) * strides[i] + span(i) - in[i]);
            if (padBegin[i] != total / 2 || end[i] != total - total / 2) {
                return false;
            }
        }
        return true;
    }

    /** Strides or dilations as TF wants them for channels-last tensors: 1 for batch and channels. */
    static List<Long> tfList(long[] spatial) {
        List<Long> out = new ArrayList<>();
        out.add(1L);
        Arrays.stream(spatial).forEach(out::add);
        out.add(1L);
        return out;
    }

    /** Paddings [[0,0], [b,e]..., [0,0]] of a channels-last tensor, padded with {@code value}. */
    static Operand<?> pad(Ops tf, Operand<?> x, long[] begin, long[] end, double value) {
        int n = begin.length;
        int[][] p = new int[n + 2][2]; // int32: TF's C++ gradient of Pad slices with an int32 shape
        for (int i = 0; i < n; i++) {
            p[i + 1][0] = Math.toIntExact(begin[i]);
            p[i + 1][1] = Math.toIntExact(end[i]);
        }
        return tf.pad(any(x), tf.constant(p), any(TfOps.scalarLike(tf, value, x)));
    }

    /** [N, C, D1..Dn] → [N, D1..Dn, C]. */
    static Operand<?> channelsLast(Ops tf, Operand<?> x) {
        int r = TfOps.rank(x);
        int[] perm = new int[r];
        perm[r - 1] = 1;
        for (int i = 1; i < r - 1; i++) {
            perm[i] = i + 1;
        }
        return TfOps.transpose(tf, x, perm);
    }

    /** [N, D1..Dn, C] → [N, C, D1..Dn]. */
    static Operand<?> channelsFirst(Ops tf, Operand<?> x) {
        int r = TfOps.rank(x);
        int[] perm = new int[r];
        perm[1] = r - 1;
        for (int i = 2; i < r; i++) {
            perm[i] = i - 1;
        }
        return TfOps.transpose(tf, x, perm);
    }

    /** The same attributes with a leading spatial axis of size 1 (1-D ops run as 2-D in TF). */
    Spatial as2d() {
        return new Spatial(2, prepend(kernel, 1), prepend(strides, 1), prepend(dilations, 1),
                prepend(padBegin, 0), prepend(padEnd, 0));
    }

    static long[] prepend(long[] a, long v) {
        long[] out = new long[a.length + 1];
        out[0] = v;
        System.arraycopy(a, 0, out, 1, a.length);
        return out;
    }

    static long[] filled(int n, long v) {
        long[] out = new long[n];
        Arrays.fill(out, v);
        return out;
    }
}
