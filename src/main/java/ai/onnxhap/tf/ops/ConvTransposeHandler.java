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
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TInt32;

/**
 * ConvTranspose (1-D to 3-D, groups, pads, auto_pad, output_padding, output_shape, dilations). TF's
 * input-gradient convolution makes the full, unpadded output; the ONNX output is the window [pad_begin,
 * pad_begin + out) of it (zero-extended where output_padding reaches past it). Dilated kernels are spread
 * out with zeros in the graph first, so TF only ever sees dilation 1.
 */
public final class ConvTransposeHandler implements OpHandler {
    @Override
    public InputRole inputRole(int input) {
        return input >= 1 ? InputRole.WEIGHT : InputRole.DATA;
    }

    @Override
    public List<Operand<?>> translate(NodeContext ctx) {
        Ops tf = ctx.tf();
        Operand<?> x = ctx.input(0);
        Operand<?> w = ctx.input(1);
        long[] xs = ctx.shape(0);
        long[] ws = ctx.shape(1);
        int n = xs.length - 2;
        if (n < 1 || n > 3) {
            throw ctx.unsupported("only 1-D, 2-D and 3-D transposed convolutions are supported");
        }
        long[] in = Arrays.copyOfRange(xs, 2, xs.length);
        if (!TfOps.isStatic(in)) {
            throw ctx.unsupported("needs static spatial input sizes");
        }
        long[] kernel = ctx.node().attrInts("kernel_shape", Arrays.copyOfRange(ws, 2, ws.length));
        long[] strides = ctx.node().attrInts("strides", Spatial.filled(n, 1));
        long[] dilations = ctx.node().attrInts("dilations", Spatial.filled(n, 1));
        long[] outPad = ctx.node().attrInts("output_padding", new long[n]);
        long group = ctx.node().attrInt("group", 1);
        long[] begin = new long[n];
        long[] out = new long[n];
        long[] full = new long[n];
        String autoPad = ctx.node().attrString("auto_pad", "NOTSET");
        long[] outputShape = ctx.node().attrInts("output_shape", null);
        long[] pads = ctx.node().attrInts("pads", new long[2 * n]);
        for (int i = 0; i < n; i++) {
            long span = (kernel[i] - 1) * dilations[i] + 1;
            full[i] = strides[i] * (in[i] - 1) + span;
            long natural = full[i] + outPad[i];
            if (outputShape != null || autoPad.startsWith("SAME")) {
                out[i] = outputShape != null ? outputShape[outputShape.length - n + i] : in[i] * strides[i];
                long total = natural - out[i];
                // Floor division, as ONNX's reference: a negative total pads at the end.
                begin[i] = autoPad.equals("SAME_UPPER") ? Math.floorDiv(total, 2) : total - Math.floorDiv(total, 2);
            } else {
                begin[i] = pads[i];
                out[i] = natural - pads[i] - pads[n + i];
            }
        }
        if (n == 1) {
            x = tf.expandDims(any(x), tf.constant(2));
            w = tf.expandDims(any(w), tf.constant(2));
            kernel = Spatial.prepend(kernel, 1);
            strides = Spatial.prepend(strides, 1);
            dilations = Spatial.prepend(dilations, 1);
            begin = Spatial.prepend(begin, 0);
            out = Spatial.prepend(out, 1);
            full = Spatial.prepend(full, 1);
        }
        int m = full.length;
        w = dilate(tf, w, kernel, dilations);
        long outPerGroup = ws[1];
        Operand<?> xl = Spatial.channelsLast(tf, x);
        List<Operand<?>> xg = group == 1 ? List.of(xl) : ConvHandler.split(tf, xl, m + 1, group);
        List<Operand<?>> wg = group == 1 ? List.of(w) : ConvHandler.split(tf, w, 0, group);
        Operand<TInt32> sizes = tf.concat(List.of(
                tf.dtypes.cast(tf.slice(tf.shape(any(xl)), tf.constant(new int[] {0}), tf.constant(new int[] {1})),
                        TInt32.class),
                TfOps.ints(tf, full), TfOps.ints(tf, outPerGroup)), tf.constant(0));
        int[] toTf = new int[m + 2]; // [C, M/g, k...] → [k..., M/g, C]
        for (int i = 0; i < m; i++) {
            toTf[i] = i + 2;
        }
        toTf[m] = 1;
        toTf[m + 1] = 0;
        List<Operand<?>> ys = new ArrayList<>();
        for (int g = 0; g < group; g++) {
            Operand<?> k = TfOps.transpose(tf, wg.get(g), toTf);
            ys.add(m == 2
                    ? tf.nn.conv2dBackpropInput(sizes, num(k), num(xg.get(g)), Spatial.tfList(strides), "VALID")
                    : tf.nn.conv3dBackpropInput(sizes, num(k), num(xg.get(g)), Spatial.tfList(strides), "VALID"));
        }
        Operand<?> y = ys.size() == 1 ? ys.get(0) : tf.concat(ys.stream().map(TfOps::any).toList(), tf.constant(m + 1));
        y = window(tf, y, begin, out, full);
        if (ctx.hasInput(2)) {
            y = tf.nn.biasAdd(any(y), any(ctx.input(2)));
        }
        y = Spatial.channelsFirst(tf, y);
        if (n == 1) {
            y = tf.squeeze(any(y), Squeeze.axis(List.of(2L)));
        }
        return List.of(y);
    }

    /** Positions [begin, begin + out) of each spatial axis of a channels-last tensor, zeros outside it. */
    private static Operand<?> window(Ops tf, Operand<?> y, long[] begin, long[] out, long[] full) {
        int m = begin.length;
        long[] before = new long[m];
        long[] after = new long[m];
        boolean pad = false;
        for (int i = 0; i < m; i++) {
            before[i] = Math.max(0, -begin[i]);
            after[i] = Math.max(0, begin[i] + out[i] - full[i]);
            pad |= before[i] > 0 || after[i] > 0;
        }
        if (pad) {
            y = Spatial.pad(tf, y, before, after, 0);
        }
        long[] start = new long[m + 2];
        long[] size = new long[m + 2];
        size[0] = -1;
        size[m + 1] = -1;
        boolean crop = false;
        for (int i = 0; i < m; i++) {
            start[i + 1] = begin[i] + before[i];
            size[i + 1] = out[i];
            crop |= start[i + 1] != 0 || out[i] != full[i] + before[i] + after[i];
        }
        return crop ? tf.slice(any(y), TfOps.ints(tf, start), TfOps.ints(tf, size)) : y;
    }

    /** An ONNX-layout kernel [C, M, k...] with (d - 1) zeros between taps along each dilated axis. */
    static Operand<?> dilate(Ops tf, Operand<?> w, long[] kernel, long[] dilations) {
        for (int i = 0; i < kernel.length; i++) {
            long d = dilations[i];
            if (d == 1) {
                continue;
            }
            int axis = i + 2;
            long[] s = TfOps.shape(w);
            Operand<?> taps = tf.expandDims(any(w), tf.constant(axis + 1)); // [.., k, 1, ..]
            long[] zeroShape = s.clone();
            zeroShape = Arrays.copyOf(zeroShape, s.length + 1);
            System.arraycopy(s, axis + 1, zeroShape, axis + 2, s.length - axis - 1);
            zeroShape[axis + 1] = d - 1;
            Operand<?> zeros = TfOps.zeros(tf, tf.constant(zeroShape), w.type());
            Operand<?> spread = tf.concat(List.of(any(taps), any(zeros)), tf.constant(axis + 1)); // [.., k, d, ..]
            long[] merged = s.clone();
            merged[axis] = s[axis] * d;
            spread = TfOps.reshape(tf, spread, merged);
            long[] start = new long[s.length];
            long[] size = s.clone();
            size[axis] = (s[axis] - 1) * d + 1;
            w = tf.slice(any(spread), TfOps.ints(tf, start), TfOps.ints(tf, size));
        }
        return w;
    }
}
