package ai.onnxhap.data;

import ai.onnxhap.model.DataType;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a model's graph input accepts: element type and, when declared, its shape.
 *
 * @param shape     one {@link Dim} per axis; empty when {@code rankKnown} is false
 * @param rankKnown false when the model declares no shape, so any rank is accepted
 */
public record InputSpec(String name, DataType type, List<Dim> shape, boolean rankKnown) {
    public InputSpec {
        shape = List.copyOf(shape);
    }

    /** One axis: a fixed size, or dynamic (value -1) with an optional symbolic name. */
    public record Dim(long value, String param) {
        public static Dim fixed(long value) {
            return new Dim(value, "");
        }

        public static Dim dynamic(String param) {
            return new Dim(-1, param == null ? "" : param);
        }

        public boolean isStatic() {
            return value >= 0;
        }

        @Override
        public String toString() {
            return isStatic() ? Long.toString(value) : param.isEmpty() ? "?" : param;
        }
    }

    public int rank() {
        return shape.size();
    }

    /** The declared shape as users write it, e.g. {@code [batch,1,28,28]}. */
    public String shapeString() {
        return rankKnown ? shape.stream().map(Dim::toString).collect(Collectors.joining(",", "[", "]")) : "[any]";
    }
}
