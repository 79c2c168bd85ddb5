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
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.op.nn.DepthwiseConv2dNative;

/**
 * Conv (1-D, 2-D, 3-D; groups, depthwise, pads, strides, dilations, auto_pad). The kernel variable keeps
 * ONNX's [M, C/group, k...] layout and is transposed in the graph to TF's [k..., C/group, M]; 1-D runs as
 * 2-D with a height of one. Depthwise convs use TF's depthwise kernel (it has no dilations on CPU); other
 * groups run one conv per group, because TF's CPU kernels have no gradient for grouped Conv2D.
 */
public final class ConvHandler implements OpHandler {
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
            throw ctx.unsupported("only 1-D, 2-D and 3-D convolutions are supported");
        }
        long group = ctx.node().attrInt("group", 1);
        Spatial sp = Spatial.of(ctx, Arrays.copyOfRange(xs, 2, xs.length), Arrays.copyOfRange(ws, 2, ws.length));
        long[] in = Arrays.copyOfRange(xs, 2, xs.length);
        if (n == 1) {
            x = tf.expandDims(any(x), tf.constant(2));
            w = tf.expandDims(any(w), tf.constant(2));
            sp = sp.as2d();
            in = Spatial.prepend(in, 1);
        }
        long channels = xs[1] >= 0 ? xs[1] : ws[1] * group;
        long outChannels = ws[0];
        Operand<?> y = convolve(tf, Spatial.channelsLast(tf, x), w, sp, in, group, channels, outChannels);
        if (ctx.hasInput(2)) {
            y = tf.nn.biasAdd(any(y), any(ctx.input(2)));
        }
        y = Spatial.channelsFirst(tf, y);
        if (n == 1) {
            y = tf.squeeze(any(y), org.tensorflow.op.core.Squeeze.axis(List.of(2L)));
        }
        return List.of(y);
    }

    /** Channels-last convolution of {@code x} with the ONNX-layout kernel {@code w}. */
    static Operand<?> convolve(Ops tf, Operand<?> x, Operand<?> w, Spatial sp, long[] in, long group,
                               long channels, long outChannels) {
        String padding = "VALID";
        if (sp.hasPadding()) {
            if (sp.isTfSame(in, sp.padEnd)) {
                padding = "SAME";
            } else {
                x = Spatial.pad(tf, x, sp.padBegin, sp.padEnd, 0);
            }
        }
        int r = sp.n + 2;
        int[] toTf = new int[r]; // [M, C, k...] → [k..., C, M]
        for (int i = 0; i < sp.n; i++) {
            toTf[i] = i + 2;
        }
        toTf[sp.n] = 1;
        toTf[sp.n + 1] = 0;
        if (group == 1) {
            return conv(tf, x, TfOps.transpose(tf, w, toTf), sp, padding);
        }
        if (group == channels && sp.n == 2 && sp.unitDilations()) {
            // Depthwise: output channel c*mult + j reads input channel c, as TF's [kH, kW, C, mult] kernel.
            Operand<?> k = TfOps.transpose(tf, w, toTf); // [kH, kW, 1, M]
            k = TfOps.reshape(tf, k, sp.kernel[0], sp.kernel[1], channels, outChannels / channels);
            if (sp.strides[0] != sp.strides[1]) {
                // TF's depthwise kernel takes one stride for both axes (PP-OCR strides (2, 1)): convolve at stride 1
                // and keep every s-th row and column, which is what a strided convolution computes.
                if (padding.equals("SAME")) {
                    x = Spatial.pad(tf, x, sp.padBegin, sp.padEnd, 0);
                }
                Operand<?> full = tf.nn.depthwiseConv2dNative(num(x), num(k), List.of(1L, 1L, 1L, 1L), "VALID");
                // int32 indices, as TF's own StridedSlice gradient builds its shape operand in int32
                return tf.stridedSlice(full, TfOps.ints(tf, new long[4]), TfOps.ints(tf, new long[4]),
                        TfOps.ints(tf, new long[] {1, sp.strides[0], sp.strides[1], 1}),
                        org.tensorflow.op.core.StridedSlice.beginMask(15L), org.tensorflow.op.core.StridedSlice.endMask(15L));
            }
            return tf.nn.depthwiseConv2dNative(num(x), num(k), Spatial.tfList(sp.strides), padding,
                    DepthwiseConv2dNative.dilations(Spatial.tfList(sp.dilations)));
        }
        List<Operand<?>> xs = split(tf, x, r - 1, group);
        List<Operand<?>> ws = split(tf, w, 0, group);
        List<Operand<?>> ys = new ArrayList<>();
        for (int g = 0; g < group; g++) {
            ys.add(conv(tf, xs.get(g), TfOps.transpose(tf, ws.get(g), toTf), sp, padding));
        }
        return tf.concat(ys.stream().map(TfOps::any).toList(), tf.constant(r - 1));
    }

    private static Operand<?> conv(Ops tf, Operand<?> x, Operand<?> k, Spatial sp, String padding) {
        if (sp.n == 2) {
            return tf.nn.conv2d(num(x), num(k), Spatial.tfList(sp.strides), padding,
                    Conv2d.dilations(Spatial.tfList(sp.dilations)));
        }
        return tf.nn.conv3d(num(x), num(k), Spatial.tfList(sp.strides), padding,
                Conv3d.dilations(Spatial.tfList(sp.dilations)));
    }

    static List<Operand<?>> split(Ops tf, Operand<?> x, int axis, long parts) {
        return new ArrayList<>(tf.split(tf.constant(axis), any(x), parts).output());
    }
}
