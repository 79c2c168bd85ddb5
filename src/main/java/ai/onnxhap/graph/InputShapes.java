package ai.onnxhap.graph;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.onnx.StringStringEntryProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a model's declared input shapes (with symbolic dims) into concrete ones for analysis. A symbolic
 * dim takes, in order: the size in a full shape the user gave ({@code --shape}), the batch size when it is
 * a first axis, the size in the user's data ({@code --data}), a model metadata_props entry whose key is the
 * dim's name, else a default: {@value #SPATIAL_DEFAULT} for the spatial axes of a float image or volume
 * input (rank 4 or 5, channels static), {@value #DEFAULT} for anything else. A dim name shared by several
 * inputs gets one size everywhere. The last two sources are guesses and come back as assumptions.
 */
public final class InputShapes {
    /** Size of a symbolic height, width or depth of a float image or volume input. */
    public static final long SPATIAL_DEFAULT = 224;
    /** Size of any other symbolic dim nobody gave. */
    public static final long DEFAULT = 16;

    private InputShapes() {
    }

    /**
     * Concrete shapes per input plus one human-readable line per size onnx-hap picked itself, e.g.
     * {@code assuming input_ids, attention_mask: sequence=16 (give --shape input_ids=... to change)}.
     */
    public record Resolution(Map<String, long[]> shapes, List<String> assumptions) {
        public Resolution {
            shapes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
            assumptions = List.copyOf(assumptions);
        }
    }

    /**
     * @param overrides full shapes given by the user per input name
     * @param batch     size for a symbolic first axis
     */
    public static Map<String, long[]> resolve(Graph graph, Map<String, long[]> overrides, long batch) {
        return resolve(graph, overrides, batch, Map.of()).shapes();
    }

    /**
     * @param overrides  full shapes given by the user per input name
     * @param batch      size for a symbolic first axis
     * @param dataShapes shapes of the user's data per input name, samples first (axis 0 is not used)
     */
    public static Resolution resolve(Graph graph, Map<String, long[]> overrides, long batch,
                                     Map<String, long[]> dataShapes) {
        for (String name : overrides.keySet()) {
            if (graph.inputs().stream().noneMatch(i -> i.name().equals(name))) {
                throw OnnxHapException.usage("the model has no input '" + name + "' (inputs: "
                        + String.join(", ", graph.inputs().stream().map(Graph.ValueInfo::name).toList()) + ")");
            }
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        Map<String, Long> named = new HashMap<>();
        Map<String, String> givenBy = new HashMap<>();
        List<Graph.ValueInfo> open = new ArrayList<>();
        for (Graph.ValueInfo in : graph.inputs()) {
            long[] given = overrides.get(in.name());
            long[] declared = in.dims();
            if (given != null) {
                if (declared != null && !matches(declared, given)) {
                    throw OnnxHapException.usage("input '" + in.name() + "' expects shape " + in.shapeText()
                            + ", --shape gives " + Arrays.toString(given));
                }
                out.put(in.name(), given.clone());
                if (declared != null) {
                    for (int i = 0; i < declared.length; i++) {
                        String dim = dimName(in, i);
                        if (declared[i] < 0 && dim != null) {
                            Long before = named.putIfAbsent(dim, given[i]);
                            if (before != null && before != given[i]) {
                                throw OnnxHapException.usage("--shape gives " + dim + "=" + before + " for input '"
                                        + givenBy.get(dim) + "' but " + given[i] + " for input '" + in.name()
                                        + "'; inputs sharing a symbolic dim need one size");
                            }
                            givenBy.putIfAbsent(dim, in.name());
                        }
                    }
                }
                continue;
            }
            if (declared == null) {
                throw OnnxHapException.usage("input '" + in.name() + "' declares no shape; give it with --shape "
                        + in.name() + "=d0,d1,...");
            }
            out.put(in.name(), declared.clone());
            open.add(in);
        }
        // A first axis is the batch, wherever else its name appears.
        for (Graph.ValueInfo in : open) {
            String dim = dimName(in, 0);
            if (in.dims().length > 0 && in.dims()[0] < 0 && dim != null) {
                named.putIfAbsent(dim, batch);
            }
        }
        for (Graph.ValueInfo in : open) {
            long[] data = dataShapes.get(in.name());
            if (data == null || data.length != in.dims().length) {
                continue;
            }
            for (int i = 1; i < data.length; i++) {
                String dim = dimName(in, i);
                if (in.dims()[i] < 0 && dim != null && data[i] > 0) {
                    named.putIfAbsent(dim, data[i]);
                }
            }
        }
        Map<String, String> metadata = new HashMap<>();
        for (StringStringEntryProto e : graph.model().proto().getMetadataPropsList()) {
            metadata.putIfAbsent(e.getKey(), e.getValue());
        }
        // Guesses, grouped per (inputs sharing the dim, source) so that each becomes one line.
        Map<String, List<String>> guesses = new LinkedHashMap<>();
        for (Graph.ValueInfo in : open) {
            long[] dims = out.get(in.name());
            long[] data = dataShapes.get(in.name());
            boolean spatial = spatialInput(in);
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] >= 0) {
                    continue;
                }
                String dim = dimName(in, i);
                if (dim != null && named.containsKey(dim)) {
                    dims[i] = named.get(dim);
                    continue;
                }
                if (i == 0) {
                    dims[i] = batch;
                    continue;
                }
                if (data != null && data.length == dims.length && data[i] > 0) {
                    dims[i] = data[i];
                    continue;
                }
                Long fromMetadata = dim == null ? null : positive(metadata.get(dim));
                long size = fromMetadata != null ? fromMetadata : spatial ? SPATIAL_DEFAULT : DEFAULT;
                dims[i] = size;
                if (dim != null) {
                    named.put(dim, size);
                }
                String who = String.join(", ", dim == null ? List.of(in.name()) : sharing(open, dim));
                String key = who + (fromMetadata != null ? "|meta" : "|default");
                guesses.computeIfAbsent(key, k -> new ArrayList<>())
                        .add((dim == null ? "axis " + i : dim) + "=" + size);
            }
        }
        List<String> assumptions = new ArrayList<>();
        guesses.forEach((key, sizes) -> {
            String who = key.substring(0, key.lastIndexOf('|'));
            String first = who.split(", ")[0];
            assumptions.add("assuming " + who + ": " + String.join(", ", sizes)
                    + (key.endsWith("|meta") ? " from the model's metadata_props" : "")
                    + " (give --shape " + first + "=... to change)");
        });
        return new Resolution(out, assumptions);
    }

    /** The symbolic name of axis i, or null when it has none (unnamed dims are not shared). */
    private static String dimName(Graph.ValueInfo in, int axis) {
        if (in.dimNames() == null || axis >= in.dimNames().size()) {
            return null;
        }
        String name = in.dimNames().get(axis);
        return name.isEmpty() || name.equals("?") ? null : name;
    }

    private static List<String> sharing(List<Graph.ValueInfo> inputs, String dim) {
        Set<String> names = new LinkedHashSet<>();
        for (Graph.ValueInfo in : inputs) {
            for (int i = 0; i < in.dims().length; i++) {
                if (in.dims()[i] < 0 && dim.equals(dimName(in, i))) {
                    names.add(in.name());
                }
            }
        }
        return List.copyOf(names);
    }

    /**
     * A float image (rank 4) or volume (rank 5) whose symbolic axes past the batch are all spatial: channels
     * static first (NCHW, NCDHW) or last (NHWC, NDHWC).
     */
    static boolean spatialInput(Graph.ValueInfo in) {
        long[] d = in.dims();
        DataType t = in.type();
        if (d == null || (d.length != 4 && d.length != 5) || t == null || t.storage() != DataType.Storage.FLOAT
                && t.storage() != DataType.Storage.DOUBLE) {
            return false;
        }
        return (d[1] >= 0 && symbolicWithin(d, 2, d.length)) || (d[d.length - 1] >= 0 && symbolicWithin(d, 1, d.length - 1));
    }

    private static boolean symbolicWithin(long[] d, int from, int to) {
        for (int i = 1; i < d.length; i++) {
            if (d[i] < 0 && (i < from || i >= to)) {
                return false;
            }
        }
        return true;
    }

    private static Long positive(String text) {
        if (text == null) {
            return null;
        }
        try {
            long v = Long.parseLong(text.trim());
            return v > 0 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
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
