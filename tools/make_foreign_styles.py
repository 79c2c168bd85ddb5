"""Write tiny models in the styles of exporters other than torch.onnx, one habit each.

Usage:
    /usr/bin/python3 tools/make_foreign_styles.py            # -> testdata/foreign_styles/
    /usr/bin/python3 tools/make_foreign_styles.py --out DIR

The real samples in ../shared/foreign (tf2onnx, keras2onnx, paddle2onnx, CNTK,
onnx-caffe2, WinMLTools, spox) may not be copied into the repository, so each
habit their manifest records is rebuilt here on a small CNN or MLP with at least
one prunable hidden layer, written with onnx.helper and numpy (no exporter, no
download). Weights are seeded and "trained-like" (as in make_corpus.py: BN scales
U(0.5,1.5), shifts/means N(0,0.1), variances U(0.5,1.5)) so channel norms differ.

Every file is checked with onnx.checker.check_model(full_check=True), except:
- coreml_zipmap: ImageScaler is an experimental op the checker skips (it warns);
  shape inference is not run on it;
- unsorted_nodes: the checker rejects a graph whose nodes are not in topological
  order, so the topologically sorted twin is checked instead, and the file is
  checked to hold the same nodes in another order with at least one node placed
  before a producer of one of its inputs.
ONNX Runtime is not a Python dependency here (the `onnxruntime` package is not
installed on the build machines); ForeignStylesTest loads and runs every file with
ONNX Runtime's Java API. `foreign_styles.json` lists each file's habits.
"""
import argparse
import json
import os
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 0
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "testdata", "foreign_styles")


def rng_for(name):
    """One generator per model, seeded from SEED and the model's name (stable across runs and orderings)."""
    return np.random.default_rng([SEED, zlib.crc32(name.encode())])


def conv_w(rng, out_c, in_c, k):
    return (rng.standard_normal((out_c, in_c, k, k)) * np.sqrt(2.0 / (in_c * k * k))).astype(np.float32)


def dense_w(rng, n_in, n_out):
    """[in, out] as MatMul wants it; transpose for Gemm transB=1."""
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(np.float32)


def bias(rng, n):
    return (rng.standard_normal(n) * 0.1).astype(np.float32)


def bn(rng, n):
    return (rng.uniform(0.5, 1.5, n).astype(np.float32), (rng.standard_normal(n) * 0.1).astype(np.float32),
            (rng.standard_normal(n) * 0.1).astype(np.float32), rng.uniform(0.5, 1.5, n).astype(np.float32))


def ints(values):
    return np.array(values, dtype=np.int64)


class Builder:
    """Collects nodes and initializers; `const` decides whether a weight is an initializer or a Constant node."""

    def __init__(self, weights_as_constants=False):
        self.nodes = []
        self.inits = []
        self.constants = weights_as_constants
        self.count = {}

    def weight(self, name, array):
        if self.constants:
            self.nodes.append(helper.make_node("Constant", [], [name], name="", value=numpy_helper.from_array(array, name)))
        else:
            self.inits.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op, inputs, output, name=None, domain=None, outputs=None, **attrs):
        n = helper.make_node(op, inputs, outputs or [output], name=name if name is not None else output, domain=domain,
                             **attrs)
        self.nodes.append(n)
        return output


def tensor_info(name, elem, dims):
    return helper.make_tensor_value_info(name, elem, dims)


def model(graph, opsets, producer, version, ir_version, doc):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets],
                          producer_name=producer, producer_version=version, doc_string=doc)
    m.ir_version = ir_version
    return m


def inits_as_inputs(graph_inputs, inits):
    """IR < 4: every initializer is also a graph input, with its type and shape."""
    return graph_inputs + [tensor_info(t.name, t.data_type, list(t.dims)) for t in inits]


# -----------------------------------------------------------------------------
# 1. keras2onnx / tf2onnx: NHWC input, Transpose islands around every Conv and BN
# -----------------------------------------------------------------------------
def keras_nhwc_transpose():
    rng = rng_for("keras_nhwc_transpose")
    b = Builder()
    x = "input_1:0"
    cur = x
    in_c = 3
    for i, out_c in enumerate((8, 16)):
        p = f"model/conv2d_{i}" if i else "model/conv2d"
        q = f"model/batch_normalization_{i}" if i else "model/batch_normalization"
        r = f"model/re_lu_{i}" if i else "model/re_lu"
        w = b.weight(f"{p}/Conv2D/ReadVariableOp:0", conv_w(rng, out_c, in_c, 3))
        bb = b.weight(f"{p}/BiasAdd/ReadVariableOp:0", bias(rng, out_c))
        t = b.node("Transpose", [cur], f"{p}/BiasAdd__{6 + 10 * i}:0", perm=[0, 3, 1, 2])
        c = b.node("Conv", [t, w, bb], f"{p}/BiasAdd__{7 + 10 * i}:0", name=f"{p}/BiasAdd", kernel_shape=[3, 3],
                   pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1)
        nhwc = b.node("Transpose", [c], f"{p}/BiasAdd:0", perm=[0, 2, 3, 1])
        s, sh, m, v = bn(rng, out_c)
        names = [b.weight(f"{q}/{k}:0", a) for k, a in
                 (("ReadVariableOp", s), ("ReadVariableOp_1", sh), ("FusedBatchNormV3/ReadVariableOp", m),
                  ("FusedBatchNormV3/ReadVariableOp_1", v))]
        t2 = b.node("Transpose", [nhwc], f"{q}/FusedBatchNormV3__{8 + 10 * i}:0", perm=[0, 3, 1, 2])
        y = b.node("BatchNormalization", [t2] + names, f"{q}/FusedBatchNormV3__{9 + 10 * i}:0",
                   name=f"{q}/FusedBatchNormV3", epsilon=1e-3)
        y = b.node("Transpose", [y], f"{q}/FusedBatchNormV3:0", perm=[0, 2, 3, 1])
        cur = b.node("Relu", [y], f"{r}/Relu:0")  # elementwise, left in NHWC
        in_c = out_c
    gap = b.node("ReduceMean", [cur], "model/global_average_pooling2d/Mean:0", axes=[1, 2], keepdims=0)
    h = b.node("MatMul", [gap, b.weight("model/dense/MatMul/ReadVariableOp:0", dense_w(rng, 16, 12))],
               "model/dense/MatMul:0")
    h = b.node("Add", [h, b.weight("model/dense/BiasAdd/ReadVariableOp:0", bias(rng, 12))], "model/dense/BiasAdd:0")
    h = b.node("Relu", [h], "model/dense/Relu:0")
    o = b.node("MatMul", [h, b.weight("model/dense_1/MatMul/ReadVariableOp:0", dense_w(rng, 12, 10))],
               "model/dense_1/MatMul:0")
    o = b.node("Add", [o, b.weight("model/dense_1/BiasAdd/ReadVariableOp:0", bias(rng, 10))], "model/dense_1/BiasAdd:0")
    b.node("Softmax", [o], "Identity:0", name="model/dense_1/Softmax", axis=-1)
    g = helper.make_graph(b.nodes, "tf2onnx", [tensor_info(x, TensorProto.FLOAT, ["unk__41", 16, 16, 3])],
                          [tensor_info("Identity:0", TensorProto.FLOAT, ["unk__42", 10])], b.inits)
    return model(g, [("", 13)], "keras2onnx", "1.7.0", 7,
                 "NHWC input; Transpose(0,3,1,2) before and Transpose(0,2,3,1) after each Conv and BatchNormalization; "
                 "Relu in NHWC; GlobalAveragePooling2D as ReduceMean over axes 1,2; Dense as MatMul+Add; ':0' names"), \
        ["nhwc_input", "transpose_islands", "colon_names", "reducemean_gap", "matmul_add"]


# -----------------------------------------------------------------------------
# 2. tf2onnx: C=1 NHWC->NCHW as a Reshape, Transpose+Reshape flatten, ai.onnx.ml import
# -----------------------------------------------------------------------------
def tf2onnx_reshape_c1():
    rng = rng_for("tf2onnx_reshape_c1")
    b = Builder()
    sp = "StatefulPartitionedCall/sequential"
    x = "conv2d_input"
    t = b.node("Reshape", [x, b.weight("new_shape__23", ints([-1, 1, 28, 28]))], f"{sp}/conv2d/BiasAdd__6:0",
               name=f"{sp}/conv2d/BiasAdd__6")
    c = b.node("Conv", [t, b.weight(f"{sp}/conv2d/Conv2D/ReadVariableOp:0", conv_w(rng, 8, 1, 3)),
                        b.weight(f"{sp}/conv2d/BiasAdd/ReadVariableOp:0", bias(rng, 8))],
               f"{sp}/conv2d/BiasAdd:0", name=f"{sp}/conv2d/BiasAdd", kernel_shape=[3, 3], strides=[2, 2],
               dilations=[1, 1], group=1)  # 28 -> 13
    c = b.node("Relu", [c], f"{sp}/conv2d/Relu:0", name=f"{sp}/conv2d/Relu")
    c = b.node("MaxPool", [c], f"{sp}/max_pooling2d/MaxPool:0", name=f"{sp}/max_pooling2d/MaxPool",
               kernel_shape=[2, 2], strides=[2, 2])  # 13 -> 6
    c = b.node("Conv", [c, b.weight(f"{sp}/conv2d_1/Conv2D/ReadVariableOp:0", conv_w(rng, 16, 8, 3)),
                        b.weight(f"{sp}/conv2d_1/BiasAdd/ReadVariableOp:0", bias(rng, 16))],
               f"{sp}/conv2d_1/BiasAdd:0", name=f"{sp}/conv2d_1/BiasAdd", kernel_shape=[3, 3], strides=[1, 1],
               dilations=[1, 1], group=1)  # 6 -> 4
    c = b.node("Relu", [c], f"{sp}/conv2d_1/Relu:0", name=f"{sp}/conv2d_1/Relu")
    c = b.node("MaxPool", [c], f"{sp}/max_pooling2d_1/MaxPool:0", name=f"{sp}/max_pooling2d_1/MaxPool",
               kernel_shape=[2, 2], strides=[2, 2])  # 4 -> 2
    c = b.node("Transpose", [c], f"{sp}/max_pooling2d_1/MaxPool__20:0", name=f"{sp}/max_pooling2d_1/MaxPool__20",
               perm=[0, 2, 3, 1])
    f = b.node("Reshape", [c, b.weight("const_fold_opt__24", ints([-1, 64]))], f"{sp}/flatten/Reshape:0",
               name=f"{sp}/flatten/Reshape")
    h = b.node("MatMul", [f, b.weight(f"{sp}/dense/MatMul/ReadVariableOp:0", dense_w(rng, 64, 32))],
               f"{sp}/dense/MatMul:0", name=f"{sp}/dense/MatMul")
    h = b.node("Add", [h, b.weight(f"{sp}/dense/BiasAdd/ReadVariableOp:0", bias(rng, 32))], f"{sp}/dense/BiasAdd:0",
               name=f"{sp}/dense/BiasAdd")
    h = b.node("Relu", [h], f"{sp}/dense/Relu:0", name=f"{sp}/dense/Relu")
    o = b.node("MatMul", [h, b.weight(f"{sp}/dense_1/MatMul/ReadVariableOp:0", dense_w(rng, 32, 10))],
               f"{sp}/dense_1/MatMul:0", name=f"{sp}/dense_1/MatMul")
    o = b.node("Add", [o, b.weight(f"{sp}/dense_1/BiasAdd/ReadVariableOp:0", bias(rng, 10))],
               f"{sp}/dense_1/BiasAdd:0", name=f"{sp}/dense_1/BiasAdd")
    b.node("Softmax", [o], "dense_1", name=f"{sp}/dense_1/Softmax", axis=-1)
    g = helper.make_graph(b.nodes, "tf2onnx", [tensor_info(x, TensorProto.FLOAT, ["unk__25", 28, 28, 1])],
                          [tensor_info("dense_1", TensorProto.FLOAT, ["unk__26", 10])], b.inits)
    return model(g, [("", 13), ("ai.onnx.ml", 2)], "tf2onnx", "1.16.1 15c810", 8,
                 "NHWC [N,28,28,1] input made NCHW by Reshape [-1,1,28,28] (C=1, no Transpose); "
                 "Transpose(0,2,3,1)+Reshape as Keras Flatten; Dense as MatMul+Add; ':0' names; ai.onnx.ml import"), \
        ["nhwc_input", "reshape_for_c1_transpose", "transpose_flatten", "colon_names", "matmul_add", "ai_onnx_ml_import"]


# -----------------------------------------------------------------------------
# 3. paddle2onnx: every weight in a Constant node, BN unfolded, fixed batch, Identity output
# -----------------------------------------------------------------------------
def paddle_constant_weights():
    rng = rng_for("paddle_constant_weights")
    b = Builder(weights_as_constants=True)
    cur = "x"
    in_c = 3
    for i, out_c in enumerate((8, 16)):
        w = b.weight(f"conv{i + 1}_weights", conv_w(rng, out_c, in_c, 3))
        s, sh, m, v = bn(rng, out_c)
        names = [b.weight(f"conv{i + 1}_bn_{k}", a) for k, a in
                 (("scale", s), ("offset", sh), ("mean", m), ("variance", v))]
        c = b.node("Conv", [cur, w], f"conv2d_{i}.tmp_0", name=f"Conv_{i}", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                   strides=[1, 1], dilations=[1, 1], group=1)
        y = b.node("BatchNormalization", [c] + names, f"batch_norm_{i}.tmp_2", name=f"BatchNormalization_{i}",
                   epsilon=1e-5, momentum=0.9)
        cur = b.node("Relu", [y], f"relu_{i}.tmp_0", name=f"Relu_{i}")
        in_c = out_c
    p = b.node("GlobalAveragePool", [cur], "pool2d_0.tmp_0", name="GlobalAveragePool_0")
    r = b.node("Reshape", [p, b.weight("Constant_0", ints([1, 16]))], "reshape2_0.tmp_0", name="Reshape_0")
    h = b.node("MatMul", [r, b.weight("fc_0.w_0", dense_w(rng, 16, 12))], "linear_0.tmp_0", name="MatMul_0")
    h = b.node("Add", [h, b.weight("fc_0.b_0", bias(rng, 12))], "linear_0.tmp_1", name="Add_0")
    h = b.node("Relu", [h], "relu_2.tmp_0", name="Relu_2")
    o = b.node("MatMul", [h, b.weight("fc_1.w_0", dense_w(rng, 12, 10))], "linear_1.tmp_0", name="MatMul_1")
    o = b.node("Add", [o, b.weight("fc_1.b_0", bias(rng, 10))], "linear_1.tmp_1", name="Add_1")
    o = b.node("Softmax", [o], "softmax_0.tmp_0", name="Softmax_0", axis=1)
    b.node("Identity", [o], "save_infer_model/scale_0.tmp_1", name="Identity_0")
    # paddle2onnx emits the Constants in no particular order, before the compute nodes
    consts = [n for n in b.nodes if n.op_type == "Constant"]
    order = rng_for("paddle_constant_weights/order").permutation(len(consts))
    nodes = [consts[k] for k in order] + [n for n in b.nodes if n.op_type != "Constant"]
    g = helper.make_graph(nodes, "paddle", [tensor_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [tensor_info("save_infer_model/scale_0.tmp_1", TensorProto.FLOAT, [1, 10])], [])
    return model(g, [("", 11)], "PaddlePaddle", "", 7,
                 "every weight and BN parameter (and the Reshape shape) in an unnamed Constant node, no initializers; "
                 "BatchNormalization unfolded; fixed batch 1; fc as MatMul+Add; output through Identity"), \
        ["constant_node_weights", "unfolded_batchnorm", "fixed_batch", "identity_output", "matmul_add"]


# -----------------------------------------------------------------------------
# 4. CNTK: IR 3 / opset 8, initializers also graph inputs, Conv + separate Add bias, MatMul+Add
# -----------------------------------------------------------------------------
def cntk_inits_as_inputs():
    rng = rng_for("cntk_inits_as_inputs")
    b = Builder()
    x = "Input3"
    cur = x
    in_c = 1
    uid = [5, 28]
    for i, out_c in enumerate((8, 16)):
        w = b.weight(f"Parameter{uid[0]}", conv_w(rng, out_c, in_c, 3))
        bb = b.weight(f"Parameter{uid[0] + 1}", bias(rng, out_c).reshape(out_c, 1, 1))
        c = b.node("Conv", [cur, w], f"Convolution{uid[1]}_Output_0", name=f"Convolution{uid[1]}", kernel_shape=[3, 3],
                   strides=[1, 1], auto_pad="SAME_UPPER", group=1, dilations=[1, 1])
        c = b.node("Add", [c, bb], f"Plus{uid[1] + 2}_Output_0", name=f"Plus{uid[1] + 2}")
        c = b.node("Relu", [c], f"ReLU{uid[1] + 4}_Output_0", name=f"ReLU{uid[1] + 4}")
        cur = b.node("MaxPool", [c], f"Pooling{uid[1] + 38}_Output_0", name=f"Pooling{uid[1] + 38}",
                     kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0], auto_pad="NOTSET")
        in_c = out_c
        uid = [87, 110]
    r = b.node("Reshape", [cur, b.weight("Pooling148_Output_0_reshape0_shape", ints([1, 256]))],
               "Pooling148_Output_0_reshape0", name="Times190_reshape0")
    h = b.node("MatMul", [r, b.weight("Parameter189", dense_w(rng, 256, 32))], "Times190_Output_0", name="Times190")
    h = b.node("Add", [h, b.weight("Parameter191", bias(rng, 32))], "Plus192_Output_0", name="Plus192")
    h = b.node("Relu", [h], "ReLU194_Output_0", name="ReLU194")
    o = b.node("MatMul", [h, b.weight("Parameter193", dense_w(rng, 32, 10))], "Times212_Output_0", name="Times212")
    b.node("Add", [o, b.weight("Parameter194", bias(rng, 10))], "Plus214_Output_0", name="Plus214")
    inputs = inits_as_inputs([tensor_info(x, TensorProto.FLOAT, [1, 1, 16, 16])], b.inits)
    g = helper.make_graph(b.nodes, "CNTKGraph", inputs, [tensor_info("Plus214_Output_0", TensorProto.FLOAT, [1, 10])],
                          b.inits)
    m = model(g, [("", 8)], "CNTK", "2.5.1", 3,
              "IR 3, opset 8: every initializer also a graph input; Conv without bias then Add of a [C,1,1] bias; "
              "auto_pad SAME_UPPER; Reshape with an initializer shape; MatMul+Add instead of Gemm")
    m.domain = "ai.cntk"
    m.model_version = 1
    return m, ["inits_as_graph_inputs", "ir3", "conv_then_add_bias", "auto_pad_same", "matmul_add"]


# -----------------------------------------------------------------------------
# 5. onnx-caffe2 fp16: float16 everything, IR 3 / opset 7, unnamed nodes, Dropout kept, fire module
# -----------------------------------------------------------------------------
def caffe2_fp16():
    rng = rng_for("caffe2_fp16")
    b = Builder()
    f16 = TensorProto.FLOAT16
    vi = []

    def w16(name, a):
        return b.weight(name, a.astype(np.float16))

    def conv(inp, name, out_c, in_c, k, hw, stride=1, pad=0):
        o = b.node("Conv", [inp, w16(f"{name}_w_0", conv_w(rng, out_c, in_c, k)), w16(f"{name}_b_0", bias(rng, out_c))],
                   f"{name}_1", name="", strides=[stride, stride], pads=[pad] * 4, kernel_shape=[k, k])
        r = b.node("Relu", [o], f"{name}_2", name="")
        vi.extend([tensor_info(o, f16, [1, out_c, hw, hw]), tensor_info(r, f16, [1, out_c, hw, hw])])
        return r

    x = conv("data_0", "conv1", 8, 3, 3, 8, stride=2, pad=1)  # 16 -> 8
    s = conv(x, "fire2/squeeze1x1", 4, 8, 1, 8)
    e1 = conv(s, "fire2/expand1x1", 8, 4, 1, 8)
    e3 = conv(s, "fire2/expand3x3", 8, 4, 3, 8, pad=1)
    cat = b.node("Concat", [e1, e3], "fire2/concat_1", name="", axis=1)
    d = b.node("Dropout", [cat], "fire2/concat_2", name="", outputs=["fire2/concat_2", "_fire2/concat_mask_1"], ratio=0.5)
    vi.extend([tensor_info(cat, f16, [1, 16, 8, 8]), tensor_info(d, f16, [1, 16, 8, 8])])
    c10 = conv(d, "conv10", 10, 16, 1, 8)
    p = b.node("GlobalAveragePool", [c10], "pool10_1", name="")
    vi.append(tensor_info(p, f16, [1, 10, 1, 1]))
    b.node("Softmax", [p], "softmaxout_1", name="")
    inputs = inits_as_inputs([tensor_info("data_0", f16, [1, 3, 16, 16])], b.inits)
    g = helper.make_graph(b.nodes, "squeezenet", inputs, [tensor_info("softmaxout_1", f16, [1, 10, 1, 1])], b.inits,
                          value_info=vi)
    return model(g, [("", 7)], "onnx-caffe2", "", 3,
                 "float16 weights, input and output; IR 3 / opset 7 with every initializer a graph input; "
                 "nodes without names; a fire module (squeeze, expand 1x1 + 3x3, Concat); Dropout kept with its mask "
                 "output; value_info for every activation; Softmax over [1,10,1,1]"), \
        ["fp16", "inits_as_graph_inputs", "ir3", "empty_node_names", "dropout_kept", "concat_fire"]


# -----------------------------------------------------------------------------
# 6. WinMLTools (CoreML): ImageScaler, ZipMap sequence-of-maps output, ArgMax label, IR 3
# -----------------------------------------------------------------------------
def coreml_zipmap():
    rng = rng_for("coreml_zipmap")
    b = Builder()
    x = b.node("ImageScaler", ["image"], "image2", name="scalerPreprocessor", bias=[0.0], scale=1.0 / 4)
    c = b.node("Conv", [x, b.weight("convolution_W", conv_w(rng, 8, 1, 3)), b.weight("convolution_B", bias(rng, 8))],
               "conv2d_1_output", name="convolution", auto_pad="SAME_UPPER", dilations=[1, 1], group=1,
               kernel_shape=[3, 3], strides=[2, 2])  # 16 -> 8
    c = b.node("Relu", [c], "activation_1_output", name="activation")
    c = b.node("Conv", [c, b.weight("convolution1_W", conv_w(rng, 16, 8, 3)),
                        b.weight("convolution1_B", bias(rng, 16))],
               "conv2d_2_output", name="convolution1", auto_pad="VALID", dilations=[1, 1], group=1,
               kernel_shape=[3, 3], strides=[1, 1])  # 8 -> 6
    c = b.node("Relu", [c], "activation_2_output", name="activation1")
    c = b.node("MaxPool", [c], "max_pooling2d_1_output", name="pooling", auto_pad="VALID", kernel_shape=[2, 2],
               strides=[2, 2])  # 6 -> 3
    c = b.node("Transpose", [c], "transposed", name="Transpose", perm=[0, 2, 3, 1])
    f = b.node("Flatten", [c], "flatten_1_output", name="flatten", axis=1)
    h = b.node("Gemm", [f, b.weight("innerProduct_B", dense_w(rng, 144, 32).T.copy()),
                        b.weight("innerProduct_C", bias(rng, 32))], "dense_1_output", name="innerProduct",
               alpha=1.0, beta=1.0, transA=0, transB=1)
    h = b.node("Relu", [h], "activation_3_output", name="activation2")
    o = b.node("Gemm", [h, b.weight("innerProduct1_B", dense_w(rng, 32, 10).T.copy()),
                        b.weight("innerProduct1_C", bias(rng, 10))], "dense_2_output", name="innerProduct1",
               alpha=1.0, beta=1.0, transA=0, transB=1)
    probs = b.node("Softmax", [o], "prediction1", name="softmax")
    b.nodes.append(helper.make_node("Constant", [], ["ClassLabels"], name="LabelLoader",
                                    value=numpy_helper.from_array(np.arange(10, dtype=np.int64), "ClassLabels")))
    label_id = b.node("ArgMax", [probs], "LabelId", name="LabelIndexExtractor", axis=1, keepdims=1)
    b.node("ArrayFeatureExtractor", ["ClassLabels", label_id], "classLabel", name="LabelSelector", domain="ai.onnx.ml")
    b.node("ZipMap", [probs], "prediction", name="ZipMap", domain="ai.onnx.ml", classlabels_int64s=list(range(10)))
    seq_map = onnx.TypeProto()  # seq(map(int64, float)); onnx 1.12's helper has no make_map_type_proto
    seq_map.sequence_type.elem_type.map_type.key_type = TensorProto.INT64
    seq_map.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    outputs = [tensor_info("classLabel", TensorProto.INT64, ["None", 1]),
               helper.make_value_info("prediction", seq_map, "Array of predictions mapped to their indices")]
    inputs = inits_as_inputs([tensor_info("image", TensorProto.FLOAT, ["None", 1, 16, 16])], b.inits)
    g = helper.make_graph(b.nodes, "mnist", inputs, outputs, b.inits)
    return model(g, [("", 7), ("ai.onnx.ml", 1)], "WinMLTools", "1.1.0.0601", 3,
                 "IR 3 / opset 7 + ai.onnx.ml 1; initializers as graph inputs; ImageScaler (deprecated) at the front; "
                 "Transpose(0,2,3,1)+Flatten before Gemm; probabilities to ZipMap (seq(map(int64,float)) output) and "
                 "ArgMax -> ArrayFeatureExtractor over a Constant label list (int64 label output)"), \
        ["image_scaler", "zipmap_output", "non_tensor_output", "inits_as_graph_inputs", "ir3", "ai_onnx_ml",
         "transpose_flatten", "gemm"]


# -----------------------------------------------------------------------------
# 7. node list not in topological order
# -----------------------------------------------------------------------------
def torch_like_cnn(name, b, rng):
    cur = "input"
    in_c = 3
    for i, out_c in enumerate((8, 16)):
        c = b.node("Conv", [cur, b.weight(f"features.{3 * i}.weight", conv_w(rng, out_c, in_c, 3)),
                            b.weight(f"features.{3 * i}.bias", bias(rng, out_c))], f"/features/features.{3 * i}/Conv_output_0",
                   name=f"/features/features.{3 * i}/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1],
                   dilations=[1, 1], group=1)
        cur = b.node("Relu", [c], f"/features/features.{3 * i + 1}/Relu_output_0",
                     name=f"/features/features.{3 * i + 1}/Relu")
        in_c = out_c
    return cur


def unsorted_nodes():
    rng = rng_for("unsorted_nodes")
    b = Builder()
    cur = torch_like_cnn("unsorted_nodes", b, rng)
    p = b.node("GlobalAveragePool", [cur], "/avgpool/GlobalAveragePool_output_0", name="/avgpool/GlobalAveragePool")
    f = b.node("Flatten", [p], "/Flatten_output_0", name="/Flatten", axis=1)
    h = b.node("Gemm", [f, b.weight("classifier.0.weight", dense_w(rng, 16, 12).T.copy()),
                        b.weight("classifier.0.bias", bias(rng, 12))], "/classifier/classifier.0/Gemm_output_0",
               name="/classifier/classifier.0/Gemm", alpha=1.0, beta=1.0, transB=1)
    h = b.node("Relu", [h], "/classifier/classifier.1/Relu_output_0", name="/classifier/classifier.1/Relu")
    b.node("Gemm", [h, b.weight("classifier.2.weight", dense_w(rng, 12, 10).T.copy()),
                    b.weight("classifier.2.bias", bias(rng, 10))], "logits", name="/classifier/classifier.2/Gemm",
           alpha=1.0, beta=1.0, transB=1)
    sorted_nodes = list(b.nodes)
    order = rng_for("unsorted_nodes/order").permutation(len(sorted_nodes))
    shuffled = [sorted_nodes[k] for k in order]
    io = ([tensor_info("input", TensorProto.FLOAT, ["batch", 3, 16, 16])],
          [tensor_info("logits", TensorProto.FLOAT, ["batch", 10])])
    doc = "a plain opset-13 CNN (torch-style names) whose node list is shuffled out of topological order"
    habits = ["not_topologically_sorted"]
    twin = model(helper.make_graph(sorted_nodes, "main_graph", *io, b.inits), [("", 13)], "pytorch", "1.13.1", 8, doc)
    m = model(helper.make_graph(shuffled, "main_graph", *io, b.inits), [("", 13)], "pytorch", "1.13.1", 8, doc)
    return m, habits, twin


# -----------------------------------------------------------------------------
# 8. a Conv output read at top level and captured by both branches of a data-dependent If
# -----------------------------------------------------------------------------
def if_captures_weight():
    rng = rng_for("if_captures_weight")
    b = Builder()
    x = "input"
    c1 = b.node("Conv", [x, b.weight("conv1.weight", conv_w(rng, 8, 3, 3)), b.weight("conv1.bias", bias(rng, 8))],
                "conv1_out", name="/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    r1 = b.node("Relu", [c1], "relu1_out", name="/relu1/Relu")
    c2 = b.node("Conv", [r1, b.weight("conv2.weight", conv_w(rng, 16, 8, 3)), b.weight("conv2.bias", bias(rng, 16))],
                "conv2_out", name="/conv2/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    r2 = b.node("Relu", [c2], "relu2_out", name="/relu2/Relu")
    p = b.node("GlobalAveragePool", [r2], "pool_out", name="/pool/GlobalAveragePool")
    f = b.node("Flatten", [p], "flat_out", name="/Flatten", axis=1)
    main = b.node("Gemm", [f, b.weight("fc.weight", dense_w(rng, 16, 10).T.copy()), b.weight("fc.bias", bias(rng, 10))],
                  "fc_out", name="/fc/Gemm", transB=1)
    # data-dependent condition: mean(input) > 0
    mean = b.node("ReduceMean", [x], "input_mean", name="/cond/ReduceMean", keepdims=0)
    cond = b.node("Greater", [mean, b.weight("zero", np.array(0.0, dtype=np.float32))], "cond", name="/cond/Greater")

    def branch(pool_op, tag):
        # reads conv1_out from the outer scope: a capture by name, not an input
        nodes = [helper.make_node(pool_op, ["conv1_out"], [f"{tag}_pool"], name=f"/{tag}/{pool_op}"),
                 helper.make_node("Flatten", [f"{tag}_pool"], [f"{tag}_out"], name=f"/{tag}/Flatten", axis=1)]
        return helper.make_graph(nodes, f"{tag}_branch", [], [tensor_info(f"{tag}_out", TensorProto.FLOAT, None)])

    aux = b.node("If", [cond], "if_out", name="/If", then_branch=branch("GlobalAveragePool", "then"),
                 else_branch=branch("GlobalMaxPool", "else"))
    aux = b.node("Gemm", [aux, b.weight("aux.weight", dense_w(rng, 8, 10).T.copy()), b.weight("aux.bias", bias(rng, 10))],
                 "aux_out", name="/aux/Gemm", transB=1)
    b.node("Add", [main, aux], "logits", name="/Add")
    g = helper.make_graph(b.nodes, "main_graph", [tensor_info(x, TensorProto.FLOAT, ["batch", 3, 16, 16])],
                          [tensor_info("logits", TensorProto.FLOAT, ["batch", 10])], b.inits)
    return model(g, [("", 13)], "pytorch", "1.13.1", 8,
                 "conv1's output feeds the top-level Relu and is captured by name (outer-scope read) in both branches "
                 "of an If on mean(input) > 0 (then: GlobalAveragePool, else: GlobalMaxPool, each Flatten); the If's "
                 "[N,8] result goes through a Gemm added to the logits, so pruning conv1 reaches into the subgraphs"), \
        ["if_subgraph", "outer_scope_capture", "data_dependent_if"]


def not_topological(m):
    seen = {i.name for i in m.graph.input} | {t.name for t in m.graph.initializer}
    late = 0
    for n in m.graph.node:
        late += sum(1 for i in n.input if i and i not in seen)
        seen.update(n.output)
    return late


# -----------------------------------------------------------------------------
# 9. MXNet / old converters: opset 9 Upsample (deprecated, ORT still runs it) between convs, BN left unfolded
# -----------------------------------------------------------------------------
def mxnet_upsample_opset9():
    rng = rng_for("mxnet_upsample_opset9")
    b = Builder()
    x = "data"
    c = b.node("Conv", [x, b.weight("conv0_weight", conv_w(rng, 8, 3, 3)), b.weight("conv0_bias", bias(rng, 8))],
               "conv0_fwd", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    g, be, mean, var = bn(rng, 8)
    c = b.node("BatchNormalization", [c, b.weight("bn0_gamma", g), b.weight("bn0_beta", be),
                                      b.weight("bn0_running_mean", mean), b.weight("bn0_running_var", var)],
               "bn0_fwd", epsilon=1e-5, momentum=0.9)
    c = b.node("Relu", [c], "relu0_fwd")
    c = b.node("Upsample", [c, b.weight("upsample0_scales", np.array([1, 1, 2, 2], dtype=np.float32))],
               "upsample0_fwd", mode="nearest")
    c = b.node("Conv", [c, b.weight("conv1_weight", conv_w(rng, 8, 8, 3)), b.weight("conv1_bias", bias(rng, 8))],
               "conv1_fwd", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    c = b.node("Relu", [c], "relu1_fwd")
    c = b.node("GlobalAveragePool", [c], "pool0_fwd")
    c = b.node("Flatten", [c], "flatten0_fwd")
    b.node("Gemm", [c, b.weight("dense0_weight", dense_w(rng, 8, 10).T.copy()), b.weight("dense0_bias", bias(rng, 10))],
           "dense0_fwd", transB=1)
    inputs = inits_as_inputs([tensor_info(x, TensorProto.FLOAT, [1, 3, 16, 16])], b.inits)
    gr = helper.make_graph(b.nodes, "mxnet_converted_model", inputs,
                           [tensor_info("dense0_fwd", TensorProto.FLOAT, [1, 10])], b.inits)
    m = model(gr, [("", 9)], "", "", 4,
              "opset 9 Upsample with a scales input (deprecated since opset 10), BatchNormalization unfolded, "
              "initializers as graph inputs, empty producer")
    return m, ["upsample_opset9", "unfolded_batchnorm", "inits_as_graph_inputs", "empty_producer"]


# -----------------------------------------------------------------------------
# 10. CoreML style transfer: IR 3 / opset 7, ImageScaler in front, reflection Pad, Crop (experimental) at the end
# -----------------------------------------------------------------------------
def coreml_crop_opset7():
    rng = rng_for("coreml_crop_opset7")
    b = Builder()
    x = "inputImage"
    c = b.node("ImageScaler", [x], "scaled", scale=1.0 / 255, bias=[-0.5, -0.5, -0.5])
    c = b.node("Pad", [c], "padded", mode="reflect", pads=[0, 0, 2, 2, 0, 0, 2, 2])
    c = b.node("Conv", [c, b.weight("conv1_W", conv_w(rng, 8, 3, 3)), b.weight("conv1_B", bias(rng, 8))], "conv1",
               kernel_shape=[3, 3])
    g, be, mean, var = bn(rng, 8)
    c = b.node("BatchNormalization", [c, b.weight("bn1_scale", g), b.weight("bn1_B", be), b.weight("bn1_mean", mean),
                                      b.weight("bn1_var", var)], "bn1", epsilon=1e-5)
    c = b.node("Relu", [c], "relu1")
    c = b.node("Conv", [c, b.weight("conv2_W", conv_w(rng, 3, 8, 3)), b.weight("conv2_B", bias(rng, 3))], "conv2",
               kernel_shape=[3, 3])
    b.node("Crop", [c], "stylizedImage", border=[1, 1, 1, 1])
    inputs = inits_as_inputs([tensor_info(x, TensorProto.FLOAT, [1, 3, 16, 16])], b.inits)
    gr = helper.make_graph(b.nodes, "coreml_style", inputs,
                           [tensor_info("stylizedImage", TensorProto.FLOAT, [1, 3, 14, 14])], b.inits)
    m = model(gr, [("", 7)], "WinMLTools", "1.1.0.0601", 3,
              "IR 3, opset 7: ImageScaler and Crop (experimental ops ORT still runs), reflect Pad, initializers as inputs")
    return m, ["image_scaler", "crop", "ir3", "inits_as_graph_inputs"]


# -----------------------------------------------------------------------------
# 11. paddle2onnx detector head: Constant-node weights, a ConvTranspose upsampling a pruned feature map
# -----------------------------------------------------------------------------
def paddle_convtranspose():
    rng = rng_for("paddle_convtranspose")
    b = Builder(weights_as_constants=True)
    x = "x"
    c = b.node("Conv", [x, b.weight("conv2d_0.w_0", conv_w(rng, 8, 3, 3))], "conv2d_0.tmp_0", name="",
               kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    g, be, mean, var = bn(rng, 8)
    c = b.node("BatchNormalization", [c, b.weight("bn_0.w_0", g), b.weight("bn_0.b_0", be),
                                      b.weight("bn_0.w_1", mean), b.weight("bn_0.w_2", var)], "batch_norm_0.tmp_2",
               name="", epsilon=1e-5)
    c = b.node("Relu", [c], "relu_0.tmp_0", name="")
    c = b.node("ConvTranspose", [c, b.weight("conv2d_transpose_0.w_0", conv_w(rng, 8, 4, 2)),
                                 b.weight("conv2d_transpose_0.b_0", bias(rng, 4))], "conv2d_transpose_0.tmp_0",
               name="", kernel_shape=[2, 2], strides=[2, 2])
    c = b.node("Relu", [c], "relu_1.tmp_0", name="")
    c = b.node("Conv", [c, b.weight("conv2d_1.w_0", conv_w(rng, 1, 4, 1)), b.weight("conv2d_1.b_0", bias(rng, 1))],
               "conv2d_1.tmp_0", name="", kernel_shape=[1, 1])
    b.node("Sigmoid", [c], "sigmoid_0.tmp_0", name="")
    gr = helper.make_graph(b.nodes, "paddle_det", [tensor_info(x, TensorProto.FLOAT, [1, 3, 16, 16])],
                           [tensor_info("sigmoid_0.tmp_0", TensorProto.FLOAT, [1, 1, 16, 16])])
    m = model(gr, [("", 11)], "PaddlePaddle", "", 6,
              "paddle2onnx detector style: every weight a Constant node, BN unfolded, ConvTranspose upsampling")
    return m, ["constant_weights", "convtranspose", "unfolded_batchnorm", "unnamed_nodes"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    builders = [keras_nhwc_transpose, tf2onnx_reshape_c1, paddle_constant_weights, cntk_inits_as_inputs, caffe2_fp16,
                coreml_zipmap, unsorted_nodes, if_captures_weight, mxnet_upsample_opset9,
                coreml_crop_opset7, paddle_convtranspose]
    manifest = []
    total = 0
    for make in builders:
        name = make.__name__
        made = make()
        m, habits = made[0], made[1]
        if name == "unsorted_nodes":
            onnx.checker.check_model(made[2], full_check=True)
            assert sorted(n.SerializeToString() for n in m.graph.node) == \
                sorted(n.SerializeToString() for n in made[2].graph.node)
            late = not_topological(m)
            assert late > 0, "the shuffle left the nodes sorted"
            check = f"sorted twin passes check_model(full_check); this file has {late} inputs read before produced"
        elif name in ("coreml_zipmap", "coreml_crop_opset7"):
            onnx.checker.check_model(m)  # ImageScaler: experimental, the checker warns and skips it
            check = "check_model (ImageScaler is experimental: no full_check)"
        else:
            onnx.checker.check_model(m, full_check=True)
            check = "check_model(full_check=True)"
        path = os.path.join(args.out, name + ".onnx")
        data = m.SerializeToString()
        with open(path, "wb") as fh:
            fh.write(data)
        assert len(data) < 100_000, f"{name}: {len(data)} bytes"
        total += len(data)
        params = sum(int(np.prod(t.dims)) for t in m.graph.initializer) + sum(
            int(np.prod(a.t.dims)) for n in m.graph.node if n.op_type == "Constant" for a in n.attribute)
        manifest.append({"file": name + ".onnx", "producer": m.producer_name, "ir_version": m.ir_version,
                         "opsets": {o.domain or "ai.onnx": o.version for o in m.opset_import},
                         "inputs": [i.name for i in m.graph.input if i.name not in {t.name for t in m.graph.initializer}],
                         "outputs": [o.name for o in m.graph.output], "params": params, "bytes": len(data),
                         "habits": habits, "doc": m.doc_string, "checked": check})
        print(f"{name:28s} {len(data):7d} bytes  {params:6d} params  {check}")
    assert total < 600_000, total
    with open(os.path.join(args.out, "foreign_styles.json"), "w") as fh:
        json.dump({"seed": SEED, "generator": "tools/make_foreign_styles.py", "models": manifest}, fh, indent=1)
        fh.write("\n")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
