package ai.onnxhap.tf.train;

import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** Our decoded tensors as TF tensors for feeding (the caller closes them) and back. */
final class TfTensors {
    private TfTensors() {
    }

    static org.tensorflow.Tensor toTf(Tensor t) {
        Shape shape = Shape.of(t.shape());
        return switch (t.type()) {
            case FLOAT -> TFloat32.tensorOf(shape, DataBuffers.of(t.floats(), true, false));
            case INT64 -> TInt64.tensorOf(shape, DataBuffers.of(t.longs(), true, false));
            case INT32 -> {
                long[] l = t.longs();
                int[] v = new int[l.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (int) l[i];
                }
                yield TInt32.tensorOf(shape, DataBuffers.of(v, true, false));
            }
            default -> throw OnnxHapException.usage("training cannot feed " + t.type() + " input '" + t.name() + "'");
        };
    }

    static float[] floats(TFloat32 t) {
        float[] out = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
    }
}
