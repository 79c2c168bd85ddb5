package ai.onnxhap.model;

import ai.onnxhap.onnx.SparseTensorProto;
import ai.onnxhap.onnx.TensorProto;
import java.util.Arrays;

/**
 * ONNX {@code SparseTensorProto} in COO form: the stored values, their linearised (row-major) int64 indices
 * [NNZ] in ascending order, and the dense shape. Reading also accepts coordinate indices [NNZ, rank].
 */
public final class SparseTensorCodec {
    private SparseTensorCodec() {
    }

    /**
     * Keeps the elements of a floating-point tensor at the given flat positions.
     *
     * @param positions strictly ascending flat indices into {@code dense}
     */
    public static SparseTensorProto encode(Tensor dense, long[] positions) {
        float[] all = dense.floats();
        float[] values = new float[positions.length];
        for (int k = 0; k < positions.length; k++) {
            if (k > 0 && positions[k] <= positions[k - 1]) {
                throw new IllegalArgumentException("sparse positions must be strictly ascending");
            }
            values[k] = all[Math.toIntExact(positions[k])];
        }
        TensorProto valueProto = TensorCodec.encode(Tensor.ofFloats(dense.name(), dense.type(),
                new long[] {values.length}, values));
        TensorProto indexProto = TensorCodec.encode(Tensor.ofLongs(dense.name() + "_indices",
                new long[] {positions.length}, positions.clone()));
        SparseTensorProto.Builder b = SparseTensorProto.newBuilder().setValues(valueProto).setIndices(indexProto);
        for (long d : dense.shape()) {
            b.addDims(d);
        }
        return b.build();
    }

    /** The dense tensor a sparse initializer stands for (zeros where nothing is stored). */
    public static Tensor decode(SparseTensorProto s, OnnxModel model) {
        String name = s.getValues().getName();
        long[] shape = s.getDimsList().stream().mapToLong(Long::longValue).toArray();
        Tensor values = model.tensor(s.getValues());
        if (values.type().storage() != DataType.Storage.FLOAT) {
            throw OnnxHapException.invalidModel("sparse initializer '" + name + "' holds " + values.type()
                    + "; only floating-point sparse initializers are supported");
        }
        long nnz = values.size();
        long total = Tensor.elementCount(shape);
        long[] flat = flatIndices(s, model, shape, nnz, name);
        float[] dense = new float[Math.toIntExact(total)];
        float[] v = values.floats();
        for (int k = 0; k < nnz; k++) {
            if (flat[k] < 0 || flat[k] >= total) {
                throw OnnxHapException.invalidModel("sparse initializer '" + name + "' has index " + flat[k]
                        + " outside its shape " + Arrays.toString(shape));
            }
            dense[(int) flat[k]] = v[k];
        }
        return Tensor.ofFloats(name, values.type(), shape, dense);
    }

    /**
     * The same model with every sparse initializer turned back into a dense one (for consumers such as the
     * TensorFlow import that only read dense weights); the model itself when it has none.
     */
    public static OnnxModel densified(OnnxModel model) {
        var g = model.proto().getGraph();
        if (g.getSparseInitializerCount() == 0) {
            return model;
        }
        var b = g.toBuilder().clearSparseInitializer();
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            b.addInitializer(TensorCodec.encode(decode(s, model)));
        }
        return model.withProto(model.proto().toBuilder().setGraph(b).build());
    }

    private static long[] flatIndices(SparseTensorProto s, OnnxModel model, long[] shape, long nnz, String name) {
        if (nnz == 0) {
            return new long[0];
        }
        Tensor idx = model.tensor(s.getIndices());
        long[] raw = idx.toLongs();
        if (idx.rank() == 1 && idx.dim(0) == nnz) {
            return raw;
        }
        if (idx.rank() == 2 && idx.dim(0) == nnz && idx.dim(1) == shape.length) {
            long[] flat = new long[(int) nnz];
            for (int k = 0; k < nnz; k++) {
                long f = 0;
                for (int a = 0; a < shape.length; a++) {
                    long c = raw[k * shape.length + a];
                    if (c < 0 || c >= shape[a]) {
                        return outOfRange(name, shape);
                    }
                    f = f * shape[a] + c;
                }
                flat[k] = f;
            }
            return flat;
        }
        throw OnnxHapException.invalidModel("sparse initializer '" + name + "' has indices of shape "
                + Arrays.toString(idx.shape()) + " for " + nnz + " values; ONNX allows [NNZ] or [NNZ, rank]");
    }

    private static long[] outOfRange(String name, long[] shape) {
        throw OnnxHapException.invalidModel("sparse initializer '" + name + "' has a coordinate outside its shape "
                + Arrays.toString(shape));
    }
}
