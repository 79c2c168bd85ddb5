package ai.onnxhap.graph;

import ai.onnxhap.model.OnnxHapException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a model's declared input shapes (with symbolic dims) into concrete ones for analysis. */
public final class InputShapes {
    private InputShapes() {
    }

    /**
     * @param overrides full shapes given by the user per input name
     * @param batch     size for a symbolic first axis
     */
    public static Map<String, long[]> resolve(Graph graph, Map<String, long[]> overrides, long batch) {
        for (String name : overrides.keySet()) {
            if (graph.inputs().stream().noneMatch(i -> i.name().equals(name))) {
                throw OnnxHapException.usage("the model has no input '" + name + "' (inputs: "
                        + String.join(", ", graph.inputs().stream().map(Graph.ValueInfo::name).toList()) + ")");
            }
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Graph.ValueInfo in : graph.inputs()) {
            long[] given = overrides.get(in.name());
            long[] declared = in.dims();
            if (given != null) {
                if (declared != null && !matches(declared, given)) {
                    throw OnnxHapException.usage("input '" + in.name() + "' expects shape " + in.shapeText()
                            + ", --shape gives " + Arrays.toString(given));
                }
                out.put(in.name(), given.clone());
                continue;
            }
            if (declared == null) {
                throw OnnxHapException.usage("input '" + in.name() + "' declares no shape; give it with --shape "
                        + in.name() + "=d0,d1,...");
            }
            long[] dims = declared.clone();
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] < 0) {
                    if (i != 0) {
                        throw OnnxHapException.usage("input '" + in.name() + "' has symbolic dimension '"
                                + in.dimNames().get(i) + "' at axis " + i + "; give its size with --shape " + in.name()
                                + "=...");
                    }
                    dims[i] = batch;
                }
            }
            out.put(in.name(), dims);
        }
        return out;
    }

    private static boolean matches(long[] declared, long[] given) {
        if (declared.length != given.length) {
            return false;
        }
        for (int i = 0; i < given.length; i++) {
            if (given[i] <= 0 || (declared[i] >= 0 && declared[i] != given[i])) {
                return false;
            }
        }
        return true;
    }

    /** Parses "name=1,3,224,224". */
    public static Map.Entry<String, long[]> parse(String spec) {
        int eq = spec.lastIndexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw OnnxHapException.usage("--shape expects NAME=D0,D1,..., got '" + spec + "'");
        }
        try {
            long[] dims = Arrays.stream(spec.substring(eq + 1).split(",")).map(String::trim).mapToLong(Long::parseLong)
                    .toArray();
            return Map.entry(spec.substring(0, eq), dims);
        } catch (NumberFormatException e) {
            throw OnnxHapException.usage("--shape expects NAME=D0,D1,..., got '" + spec + "'");
        }
    }
}
