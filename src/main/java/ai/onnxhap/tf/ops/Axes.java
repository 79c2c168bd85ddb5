package ai.onnxhap.tf.ops;

import ai.onnxhap.tf.NodeContext;

/** Axis attributes and inputs: negative values count from the end (allowed from the opsets that say so). */
final class Axes {
    private Axes() {
    }

    static int normalize(NodeContext ctx, long axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw ctx.unsupported("axis " + axis + " is outside a tensor of rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static int[] normalize(NodeContext ctx, long[] axes, int rank) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = normalize(ctx, axes[i], rank);
        }
        return out;
    }

    static int[] range(int from, int to) {
        int[] out = new int[Math.max(0, to - from)];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }
}
