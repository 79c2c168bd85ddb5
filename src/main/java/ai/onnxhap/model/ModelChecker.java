package ai.onnxhap.model;

import ai.onnxhap.onnx.AttributeProto;
import ai.onnxhap.onnx.FunctionProto;
import ai.onnxhap.onnx.GraphProto;
import ai.onnxhap.onnx.ModelProto;
import ai.onnxhap.onnx.NodeProto;
import ai.onnxhap.onnx.OperatorSetIdProto;
import ai.onnxhap.onnx.SparseTensorProto;
import ai.onnxhap.onnx.TensorProto;
import ai.onnxhap.onnx.ValueInfoProto;
import java.util.HashSet;
import java.util.Set;

/**
 * Structural checks run on every loaded model, so that later stages can trust what they read: a
 * graph exists, opsets are known and imported, every value a node reads is defined, values are
 * assigned once, and tensor data matches its declared shape and type.
 */
public final class ModelChecker {
    /** Newest IR version this build understands (IR 11, ONNX 1.17+). */
    public static final long MAX_IR_VERSION = 11;

    /** Operator domains ONNX Runtime or the ONNX standard define; anything else is refused. */
    public static final Set<String> KNOWN_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml", "ai.onnx.training",
            "ai.onnx.preview.training", "com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental",
            "com.ms.internal.nhwc", "org.pytorch.aten");

    private ModelChecker() {
    }

    public static void check(OnnxModel model, String label) {
        ModelProto p = model.proto();
        if (!p.hasGraph()) {
            throw OnnxHapException.invalidModel(label + " is not an ONNX model (it has no graph)");
        }
        if (p.getIrVersion() <= 0) {
            throw OnnxHapException.invalidModel(label + " is not an ONNX model (no IR version)");
        }
        if (p.getIrVersion() > MAX_IR_VERSION) {
            throw OnnxHapException.invalidModel(label + " uses ONNX IR version " + p.getIrVersion()
                    + "; onnx-hap supports up to " + MAX_IR_VERSION);
        }
        if (p.getOpsetImportCount() == 0) {
            throw OnnxHapException.invalidModel(label + " imports no operator set");
        }
        Set<String> functionDomains = new HashSet<>();
        for (FunctionProto f : p.getFunctionsList()) {
            functionDomains.add(f.getDomain());
        }
        Set<String> imported = new HashSet<>();
        for (OperatorSetIdProto op : p.getOpsetImportList()) {
            String domain = op.getDomain();
            if (!KNOWN_DOMAINS.contains(domain) && !functionDomains.contains(domain)) {
                throw OnnxHapException.invalidModel(label + " imports the unknown operator domain '" + domain
                        + "' (known: ai.onnx, ai.onnx.ml, com.microsoft and model-local functions)");
            }
            if (op.getVersion() <= 0) {
                throw OnnxHapException.invalidModel(label + " imports domain '" + domain + "' with invalid version "
                        + op.getVersion());
            }
            imported.add(domain.equals("ai.onnx") ? "" : domain);
        }
        imported.addAll(functionDomains);
        new ModelChecker.GraphScope(model, label, imported).check(p.getGraph(), Set.of());
    }

    private record GraphScope(OnnxModel model, String label, Set<String> domains) {

        void check(GraphProto g, Set<String> outer) {
            Set<String> defined = new HashSet<>(outer);
            Set<String> assigned = new HashSet<>();
            for (ValueInfoProto in : g.getInputList()) {
                defined.add(in.getName());
            }
            for (TensorProto t : g.getInitializerList()) {
                checkTensor(t);
                defined.add(t.getName());
            }
            for (SparseTensorProto s : g.getSparseInitializerList()) {
                if (s.hasValues()) {
                    checkTensor(s.getValues());
                    defined.add(s.getValues().getName());
                }
            }
            for (NodeProto n : g.getNodeList()) {
                for (String out : n.getOutputList()) {
                    if (!out.isEmpty() && !assigned.add(out)) {
                        throw fail("value '" + out + "' is produced by more than one node");
                    }
                }
            }
            defined.addAll(assigned);
            for (NodeProto n : g.getNodeList()) {
                String domain = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
                if (!domains.contains(domain)) {
                    throw fail("node '" + nodeLabel(n) + "' uses domain '" + domain + "' which the model does not import");
                }
                if (n.getOpType().isEmpty()) {
                    throw fail("a node has no op_type");
                }
                for (String in : n.getInputList()) {
                    if (!in.isEmpty() && !defined.contains(in)) {
                        throw fail("node '" + nodeLabel(n) + "' reads '" + in + "', which nothing defines");
                    }
                }
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.hasT()) {
                        checkTensor(a.getT());
                    }
                    if (a.hasG()) {
                        check(a.getG(), defined);
                    }
                    for (GraphProto sub : a.getGraphsList()) {
                        check(sub, defined);
                    }
                }
            }
            for (ValueInfoProto out : g.getOutputList()) {
                if (!defined.contains(out.getName())) {
                    throw fail("graph output '" + out.getName() + "' is never computed");
                }
            }
        }

        void checkTensor(TensorProto t) {
            if (!DataType.isKnownCode(t.getDataType())) {
                throw fail("tensor '" + t.getName() + "' has unknown data type " + t.getDataType());
            }
            DataType type = DataType.fromCode(t.getDataType());
            long count;
            try {
                count = Tensor.elementCount(t.getDimsList().stream().mapToLong(Long::longValue).toArray());
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw fail("tensor '" + t.getName() + "' has an invalid shape " + t.getDimsList());
            }
            if (ExternalData.isExternal(t)) {
                ExternalData ext = ExternalData.of(t);
                if (model.baseDir().isEmpty()) {
                    throw fail("tensor '" + t.getName() + "' has external data but the model was not loaded from a file");
                }
                ext.verify(model.baseDir().get(), t.getName());
                if (ext.length() >= 0 && type != DataType.STRING && ext.length() != type.rawBytes(count)) {
                    throw fail("tensor '" + t.getName() + "' declares " + ext.length() + " external bytes, its shape needs "
                            + type.rawBytes(count));
                }
            } else if (t.hasRawData() && type != DataType.STRING) {
                long needed = type.rawBytes(count);
                if (t.getRawData().size() != needed) {
                    throw fail("tensor '" + t.getName() + "' has " + t.getRawData().size() + " bytes of data, its shape "
                            + t.getDimsList() + " and type " + type + " need " + needed);
                }
            }
        }

        private String nodeLabel(NodeProto n) {
            return n.getName().isEmpty() ? n.getOpType() + "->" + String.join(",", n.getOutputList()) : n.getName();
        }

        private OnnxHapException fail(String why) {
            return OnnxHapException.invalidModel(label + " is not a valid ONNX model: " + why);
        }
    }
}
