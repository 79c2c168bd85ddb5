package ai.onnxhap.data;

import ai.onnxhap.model.DataType;
import ai.onnxhap.model.OnnxHapException;
import ai.onnxhap.model.Tensor;
import ai.onnxhap.model.TensorCodec;
import ai.onnxhap.onnx.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Loads {@code --data}: a NumPy .npz (arrays named after the model's inputs, optional {@code labels}), a
 * single .npy (for a single-input model, labels from a second .npy; memory-mapped and read in batches), a
 * folder in ONNX's test-data layout ({@code test_data_set_N/input_M.pb}, or the {@code input_M.pb} files
 * directly), or an image folder with one sub-folder per class ({@link ImageFolder}). Arrays keep their file
 * types; {@link ModelInputs#bind} converts them to the model's.
 */
public final class DataLoader {
    /** The npz key that holds labels rather than an input. */
    public static final String LABELS = "labels";

    private static final Pattern SET_DIR = Pattern.compile("test_data_set_(\\d+)");
    private static final Pattern PB = Pattern.compile("(input|output)_(\\d+)\\.pb");

    private DataLoader() {
    }

    /** One ONNX test-data set: inputs and expected outputs in file order (input_0, input_1, ...). */
    public record TestCase(String name, Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
        public TestCase {
            inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
            outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        }
    }

    public static DataSet load(Path data) {
        return load(data, null);
    }

    /**
     * @param labels a .npy of integer labels, one per sample, or null
     */
    public static DataSet load(Path data, Path labels) {
        return load(data, labels, null);
    }

    /**
     * @param labels     a .npy of integer labels, one per sample, or null
     * @param preprocess how to turn images into tensors, or scale and normalise arrays; null for none
     */
    public static DataSet load(Path data, Path labels, Preprocess preprocess) {
        requireExists(data);
        DataSet set;
        String file = data.getFileName() == null ? data.toString() : data.getFileName().toString();
        String lower = file.toLowerCase(Locale.ROOT);
        boolean images = isImageFolder(data);
        if (preprocess != null && images && preprocess.scale() != null
                && Math.abs(preprocess.scale() - 1 / 255f) > 1e-9) {
            throw OnnxHapException.usage("--preprocess scale applies to arrays: the images of " + data + " are "
                    + "scaled to [0, 1] already");
        }
        if (images) {
            if (labels != null) {
                throw OnnxHapException.usage(data + " is an image folder, whose sub-folders give the labels; "
                        + "do not give a labels file as well");
            }
            set = ImageFolder.load(data, preprocess == null ? Preprocess.NONE : preprocess);
        } else if (Files.isDirectory(data)) {
            set = fromTestCases(loadTestCases(data));
        } else if (lower.endsWith(".npz")) {
            Map<String, Tensor> arrays = readNpz(data);
            Tensor inNpz = arrays.remove(LABELS);
            if (inNpz != null && labels != null) {
                throw OnnxHapException.usage(data + " already holds labels; do not give a labels file as well");
            }
            if (arrays.isEmpty()) {
                throw OnnxHapException.usage(data + " holds no input arrays");
            }
            set = new DataSet(arrays, inNpz == null ? null : toLabels(inNpz, data + ":" + LABELS));
        } else if (lower.endsWith(".npy")) {
            // Mapped, not read: a large training set stays on disk and batches read their rows.
            set = DataSet.ofColumns(Map.of("arr_0", Column.Streamed.of(MappedNpy.open(data))), null, Map.of());
        } else {
            throw OnnxHapException.usage("data " + data + " is not a .npz or .npy file, a folder of ONNX test data "
                    + "nor an image folder with one sub-folder per class");
        }
        if (labels != null) {
            requireExists(labels);
            if (!labels.toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
                throw OnnxHapException.usage("labels " + labels + " must be a .npy file");
            }
            Tensor y = toLabels(readNpy(labels, LABELS), labels.toString());
            if (y.dim(0) != set.size()) {
                throw OnnxHapException.usage("labels " + labels + " hold " + y.dim(0) + " labels but data " + data
                        + " has " + set.size() + " samples");
            }
            set = set.withLabels(y);
        }
        if (set.size() == 0) {
            throw OnnxHapException.usage("data " + data + " holds no samples");
        }
        if (preprocess != null && !images) {
            set = preprocess.applyToArrays(set, data.toString());
        }
        return requireFinite(set, data);
    }

    /**
     * NaN/Inf are refused here, in file order, so the sample named is the one in the file, before any
     * shuffle or split (a split could otherwise hide a bad sample from the part that is checked).
     */
    private static DataSet requireFinite(DataSet set, Path data) {
        Map<String, Column> checked = new LinkedHashMap<>();
        set.columns().forEach((name, c) -> checked.put(name, ModelInputs.isFloat(c.type())
                ? ModelInputs.checkValues("data array '" + name + "' in " + data, c, c.type()) : c));
        return DataSet.ofColumns(checked, set.labels().orElse(null), set.expectedOutputs());
    }

    /** True when {@code data} is a folder of class sub-folders rather than ONNX test data. */
    public static boolean isImageFolder(Path data) {
        return Files.isDirectory(data) && ImageFolder.looksLikeOne(data) && !holdsTestData(data);
    }

    private static boolean holdsTestData(Path dir) {
        return list(dir).stream().anyMatch(p -> SET_DIR.matcher(p.getFileName().toString()).matches());
    }

    private static void requireExists(Path p) {
        if (!Files.exists(p)) {
            throw OnnxHapException.io("no such file: " + p, null);
        }
    }

    /** Integer labels as INT64 [N]; [N,1] is accepted and flattened. */
    static Tensor toLabels(Tensor raw, String source) {
        if (!ModelInputs.isInteger(raw.type())) {
            throw OnnxHapException.usage("labels in " + source + " must be integers, got "
                    + ModelInputs.typeName(raw.type()) + " (convert them with .astype(np.int64))");
        }
        long[] shape = raw.shape();
        if (shape.length == 2 && shape[1] == 1) {
            shape = new long[] {shape[0]};
        } else if (shape.length != 1) {
            throw OnnxHapException.usage("labels in " + source + " have shape " + ModelInputs.shapeString(shape)
                    + "; expected one label per sample, [N]");
        }
        long[] v = raw.longs();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0) {
                throw OnnxHapException.usage("labels must be integers >= 0; sample " + i + " in " + source + " has "
                        + (raw.type() == DataType.UINT64 ? Long.toUnsignedString(v[i]) : v[i]));
            }
        }
        return Tensor.ofLongs(LABELS, shape, v);
    }

    static Tensor readNpy(Path path, String name) {
        try (InputStream in = Files.newInputStream(path)) {
            return Npy.read(new BufferedInputStream(in), name, path.toString());
        } catch (NoSuchFileException e) {
            throw OnnxHapException.io("no such file: " + path, e);
        } catch (IOException e) {
            throw OnnxHapException.io("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Every array of an .npz, in file order. */
    static Map<String, Tensor> readNpz(Path path) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory() || !e.getName().endsWith(".npy")) {
                    continue;
                }
                String name = e.getName().substring(0, e.getName().length() - 4);
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, Npy.read(new BufferedInputStream(in), name, path + ":" + name));
                }
            }
        } catch (ZipException e) {
            throw OnnxHapException.usage(path + " is not a valid .npz file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw OnnxHapException.io("cannot read " + path + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The test-data sets in a folder: its {@code test_data_set_N} subfolders in numeric order, or the folder
     * itself when it holds {@code input_N.pb} files. Tensors are named as in their TensorProto, or
     * {@code input_N}/{@code output_N} when the proto has no name.
     */
    public static List<TestCase> loadTestCases(Path dir) {
        requireExists(dir);
        if (!Files.isDirectory(dir)) {
            throw OnnxHapException.usage(dir + " is not a folder");
        }
        TreeMap<Integer, Path> sets = new TreeMap<>();
        boolean direct = false;
        for (Path p : list(dir)) {
            Matcher m = SET_DIR.matcher(p.getFileName().toString());
            if (Files.isDirectory(p) && m.matches()) {
                sets.put(Integer.parseInt(m.group(1)), p);
            }
            direct |= p.getFileName().toString().matches("input_\\d+\\.pb");
        }
        List<TestCase> cases = new ArrayList<>();
        if (sets.isEmpty() && direct) {
            cases.add(readSet(dir));
        }
        for (Path p : sets.values()) {
            cases.add(readSet(p));
        }
        if (cases.isEmpty()) {
            throw OnnxHapException.usage(dir + " holds neither input_N.pb files nor test_data_set_N folders");
        }
        return List.copyOf(cases);
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw OnnxHapException.io("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static TestCase readSet(Path dir) {
        TreeMap<Integer, Path> inputs = new TreeMap<>();
        TreeMap<Integer, Path> outputs = new TreeMap<>();
        for (Path p : list(dir)) {
            Matcher m = PB.matcher(p.getFileName().toString());
            if (m.matches()) {
                (m.group(1).equals("input") ? inputs : outputs).put(Integer.parseInt(m.group(2)), p);
            }
        }
        if (inputs.isEmpty()) {
            throw OnnxHapException.usage(dir + " holds no input_N.pb files");
        }
        return new TestCase(dir.getFileName().toString(), readAll(dir, inputs, "input"),
                readAll(dir, outputs, "output"));
    }

    private static Map<String, Tensor> readAll(Path dir, TreeMap<Integer, Path> files, String kind) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int expected = 0;
        for (Map.Entry<Integer, Path> e : files.entrySet()) {
            if (e.getKey() != expected++) {
                throw OnnxHapException.usage(dir + " has " + e.getValue().getFileName() + " but no " + kind + "_"
                        + (expected - 1) + ".pb");
            }
            Tensor t = readTensorProto(e.getValue());
            String name = t.name().isEmpty() ? kind + "_" + e.getKey() : t.name();
            if (out.put(name, t.withName(name)) != null) {
                throw OnnxHapException.usage(dir + " has two " + kind + "s named '" + name + "'");
            }
        }
        return out;
    }

    /** One serialized TensorProto file. */
    public static Tensor readTensorProto(Path file) {
        TensorProto proto;
        try {
            proto = TensorProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw OnnxHapException.usage(file + " is not a serialized ONNX TensorProto");
        } catch (IOException e) {
            throw OnnxHapException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return TensorCodec.decode(proto);
        } catch (OnnxHapException e) {
            throw OnnxHapException.usage(file + ": " + e.getMessage());
        }
    }

    /** Concatenates test-data sets into one data set; expected outputs are kept when they have a sample axis. */
    static DataSet fromTestCases(List<TestCase> cases) {
        List<DataSet> parts = new ArrayList<>();
        boolean withOutputs = true;
        for (TestCase c : cases) {
            try {
                DataSet.of(c.inputs());
            } catch (OnnxHapException e) {
                throw OnnxHapException.usage(c.name() + ": " + e.getMessage());
            }
            int n = Math.toIntExact(c.inputs().values().iterator().next().dim(0));
            withOutputs &= !c.outputs().isEmpty()
                    && c.outputs().values().stream().allMatch(t -> t.rank() > 0 && t.dim(0) == n);
        }
        for (TestCase c : cases) {
            parts.add(new DataSet(c.inputs(), null, withOutputs ? c.outputs() : Map.of()));
        }
        return DataSet.concat(parts);
    }
}
