"""Export a corpus of real-exporter ONNX models (random weights) for the pruning engine.

Usage:
    /usr/bin/python3 tools/make_corpus.py                     # tiny variants -> testdata/corpus/
    /usr/bin/python3 tools/make_corpus.py --out DIR           # tiny variants -> DIR
    /usr/bin/python3 tools/make_corpus.py --full              # standard sizes -> /tmp/onnx-hap-corpus
    /usr/bin/python3 tools/make_corpus.py --only vit,densenet # a subset (keys as in ARCHS)

Every architecture is built from torchvision's (or torch.nn's) own classes, put in
eval mode with seed 0 and random weights (no download), and exported with PyTorch's
own exporter (`torch.onnx.export`, `do_constant_folding=True`, input `input`,
output `logits`, dim 0 dynamic and named `batch`) at opset 13 and opset 17 as
`<arch>_op<opset>.onnx`. Each file is checked with
`onnx.checker.check_model(full_check=True)` (which also runs strict shape
inference) and described in `corpus.json` next to it: architecture, variant,
opset, input/output names and shapes, parameter count, op-type histogram, the
structural patterns found in the graph (depthwise, se, concat, shuffle, flatten,
attention, ...), file size, sha256 and the tool versions. An export or check
that fails is recorded there (`status: "error"`) and the script goes on; the exit
status is 1 if anything failed or an expected pattern was not found.

Default (tiny) variants keep each architecture's graph patterns at reduced
widths/depths, 10 classes and small inputs, so the whole corpus is ~2.4 MB and can
be committed. `--full` builds the standard torchvision sizes (1000 classes,
224x224; ViT is a 6-layer/384-wide ViT instead of ViT-B/16, the text encoder is
nn.Transformer's default 512/8 heads/6 layers/2048) and is never committed
(~1.8 GB for both opsets, ~4.5 min on 2 cores).

Initialisation: fresh torch/torchvision models are full of equal-valued
tensors (all-zero biases, BatchNorm/LayerNorm at weight 1 / bias 0 / mean 0 /
var 1, nn.TransformerEncoder layers that are deep copies of one layer), and the
exporter de-duplicates equal initializers into one tensor plus Identity nodes,
so the graphs would share weights across layers as no trained model does. After
construction `trained_like_init` therefore re-draws norm parameters/statistics,
re-initialises each TransformerEncoderLayer separately and adds small noise to
all-equal parameters (all seeded; still random weights only, nothing
downloaded). `--torch-default-init` skips this.

Determinism: seeds are fixed per model and `torch.use_deterministic_algorithms(True)`
is on; a rerun with the same torch reproduces the files bit for bit (sha256 in
corpus.json).
"""
import argparse
import collections
import hashlib
import json
import os
import sys
import time
import traceback

import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import numpy_helper, shape_inference
from torchvision.models import efficientnet as tv_effnet
from torchvision.models import mobilenetv3 as tv_mnv3
from torchvision.models.densenet import DenseNet
from torchvision.models.mobilenetv2 import MobileNetV2
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.models.shufflenetv2 import ShuffleNetV2
from torchvision.models.squeezenet import Fire, SqueezeNet
from torchvision.models.vgg import VGG, make_layers
from torchvision.models.vision_transformer import VisionTransformer
from torchvision.ops.misc import Conv2dNormActivation

OPSETS = (13, 17)
SEED = 0
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TINY_OUT = os.path.join(REPO, "testdata", "corpus")
DEFAULT_FULL_OUT = "/tmp/onnx-hap-corpus"


# ---------------------------------------------------------------------------
# Tiny variants (torchvision classes, reduced widths/depths)
# ---------------------------------------------------------------------------

class TinyResNet(ResNet):
    """torchvision ResNet with stage widths `widths` instead of 64/128/256/512.

    torchvision's constructor hard-codes the widths, so this builds the stock
    model and then rebuilds stem, stages and fc with the inherited `_make_layer`
    (same blocks, same downsample logic, same init)."""

    def __init__(self, block, layers, widths, num_classes=10, **kw):
        super().__init__(block, layers, num_classes=num_classes, **kw)
        self.inplanes = widths[0]
        self.dilation = 1
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.layer1 = self._make_layer(block, widths[0], layers[0])
        self.layer2 = self._make_layer(block, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, widths[3], layers[3], stride=2)
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)
        for m in self.modules():  # same init as ResNet.__init__
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


def tiny_mobilenet_v2():
    # width 0.25 with torchvision's stage table minus the last two stages and at
    # reduced repeats (stages with n>1 keep their stride-1 residual blocks); the
    # final 1x1 conv is 1280 -> 64 wide.
    setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2], [6, 64, 2, 2], [6, 96, 1, 1]]
    m = MobileNetV2(num_classes=10, width_mult=0.25, inverted_residual_setting=setting)
    last_in = m.features[-1][0].in_channels
    m.last_channel = 64
    m.features[-1] = Conv2dNormActivation(last_in, m.last_channel, kernel_size=1,
                                          norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU6)
    m.classifier[1] = nn.Linear(m.last_channel, 10)
    for mod in (m.features[-1][0], m.classifier[1]):  # MobileNetV2's init
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode="fan_out")
        else:
            nn.init.normal_(mod.weight, 0, 0.01)
            nn.init.zeros_(mod.bias)
    return m


def tiny_mobilenet_v3_small():
    setting, _ = tv_mnv3._mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.25)
    # first 8 of the 11 blocks: SE+ReLU, plain ReLU, SE+Hardswish, stride-1
    # residual and stride-2 blocks are all still there
    return tv_mnv3.MobileNetV3(setting[:8], last_channel=32, num_classes=10)


class TinySqueezeNet(SqueezeNet):
    """SqueezeNet 1.1 layout (3x3 s2 stem, 8 Fire modules, 3 max-pools, 1x1 conv
    classifier) with the widths divided by 8 (squeeze widths by 8, at least 4)."""

    def __init__(self, num_classes=10):
        super().__init__("1_1", num_classes=num_classes)
        fires = [(64, 16, 64, 64), (128, 16, 64, 64), None, (128, 32, 128, 128),
                 (256, 32, 128, 128), None, (256, 48, 192, 192), (384, 48, 192, 192),
                 (384, 64, 256, 256), (512, 64, 256, 256)]
        layers = [nn.Conv2d(3, 8, kernel_size=3, stride=2), nn.ReLU(inplace=True),
                  nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)]
        for f in fires:
            if f is None:
                layers.append(nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True))
            else:
                inp, sq, e1, e3 = f
                layers.append(Fire(inp // 8, max(4, sq // 8), e1 // 8, e3 // 8))
        self.features = nn.Sequential(*layers)
        final_conv = nn.Conv2d(512 // 8, num_classes, kernel_size=1)
        self.classifier[1] = final_conv
        for m in self.modules():  # SqueezeNet's init
            if isinstance(m, nn.Conv2d):
                if m is final_conv:
                    nn.init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    nn.init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)


def tiny_efficientnet_b0():
    # efficientnet_b0 config at width 0.125 / depth 0.5, first 4 of its 7 stages
    # (expand-1 and expand-6 MBConv, 3x3 and 5x5 depthwise, stride-1 residuals);
    # head conv 4x the last stage width, as in B0.
    setting, _ = tv_effnet._efficientnet_conf("efficientnet_b0", width_mult=0.125, depth_mult=0.5)
    return tv_effnet.EfficientNet(setting[:4], dropout=0.2, num_classes=10)


def tiny_vgg11():
    # VGG-11 ("A") layout at 1/16..1/8 width and 4 pools; 32x32 input leaves 2x2, so
    # the Flatten feeding the first Linear maps every channel to 4 Linear inputs.
    m = VGG(make_layers([8, "M", 16, "M", 16, 16, "M", 32, 32, "M"]), num_classes=10)
    m.avgpool = nn.AdaptiveAvgPool2d((2, 2))
    m.classifier = nn.Sequential(
        nn.Linear(32 * 2 * 2, 32), nn.ReLU(True), nn.Dropout(),
        nn.Linear(32, 32), nn.ReLU(True), nn.Dropout(),
        nn.Linear(32, 10))
    for mod in m.classifier:  # VGG's init
        if isinstance(mod, nn.Linear):
            nn.init.normal_(mod.weight, 0, 0.01)
            nn.init.constant_(mod.bias, 0)
    return m


class TextEncoder(nn.Module):
    """nn.TransformerEncoder (post-norm, ReLU FFN, batch_first) over float token
    features [batch, seq, d_model], mean over tokens, Linear -> classes."""

    def __init__(self, d_model, nhead, num_layers, dim_feedforward, num_classes):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, x):
        return self.head(self.encoder(x).mean(dim=1))


# ---------------------------------------------------------------------------
# Architecture table
# ---------------------------------------------------------------------------
# key -> description, expected patterns (must be found in the graph at every
# opset), tiny (builder, input shape without batch), full (builder, input shape).

ARCHS = collections.OrderedDict([
    ("resnet18", dict(
        desc="ResNet, BasicBlock (resnet18-style)",
        expect=["residual_add"],
        tiny=(lambda: TinyResNet(BasicBlock, [1, 1, 1, 1], widths=(8, 16, 16, 32)), (3, 64, 64)),
        tiny_desc="BasicBlock x[1,1,1,1], widths 8/16/16/32, 10 classes",
        full=(lambda: torchvision.models.resnet18(weights=None), (3, 224, 224)))),
    ("resnet50", dict(
        desc="ResNet, Bottleneck (resnet50-style)",
        expect=["residual_add"],
        tiny=(lambda: TinyResNet(Bottleneck, [1, 1, 1, 1], widths=(8, 16, 16, 24),
                                 width_per_group=32), (3, 64, 64)),
        tiny_desc="Bottleneck x[1,1,1,1], planes 8/16/16/24 (x4 out), width_per_group 32, 10 classes",
        full=(lambda: torchvision.models.resnet50(weights=None), (3, 224, 224)))),
    ("mobilenet_v2", dict(
        desc="MobileNetV2 (inverted residual, depthwise, ReLU6)",
        expect=["depthwise", "residual_add"],
        tiny=(tiny_mobilenet_v2, (3, 64, 64)),
        tiny_desc="width_mult 0.25, stages t/c/n/s [1,16,1,1] [6,24,2,2] [6,32,2,2] [6,64,2,2] [6,96,1,1], last conv 64, 10 classes",
        full=(lambda: torchvision.models.mobilenet_v2(weights=None), (3, 224, 224)))),
    ("mobilenet_v3_small", dict(
        desc="MobileNetV3-small (depthwise, SE with HardSigmoid gate, HardSwish)",
        expect=["depthwise", "se", "hardswish", "hardsigmoid", "residual_add"],
        tiny=(tiny_mobilenet_v3_small, (3, 64, 64)),
        tiny_desc="torchvision mobilenet_v3_small config at width_mult 0.25, first 8 of 11 blocks, last_channel 32, 10 classes",
        full=(lambda: torchvision.models.mobilenet_v3_small(weights=None), (3, 224, 224)))),
    ("squeezenet1_1", dict(
        desc="SqueezeNet 1.1 (Fire modules: expand1x1/expand3x3 Concat)",
        expect=["concat"],
        tiny=(lambda: TinySqueezeNet(), (3, 64, 64)),
        tiny_desc="SqueezeNet 1.1 layout, widths / 8 (squeeze at least 4), 10 classes",
        full=(lambda: torchvision.models.squeezenet1_1(weights=None), (3, 224, 224)))),
    ("densenet", dict(
        desc="DenseNet (dense Concat, pre-activation BN)",
        expect=["concat", "batchnorm"],
        tiny=(lambda: DenseNet(growth_rate=8, block_config=(2, 2, 2), num_init_features=16,
                               bn_size=2, num_classes=10), (3, 64, 64)),
        tiny_desc="growth 8, blocks (2,2,2), 16 init features, bn_size 2, 10 classes",
        full=(lambda: torchvision.models.densenet121(weights=None), (3, 224, 224)),
        full_name="densenet121")),
    ("shufflenet_v2", dict(
        desc="ShuffleNetV2 (chunk as Slice, Concat, channel shuffle reshape-transpose-reshape, depthwise)",
        expect=["depthwise", "concat", "shuffle", "channel_slice"],
        tiny=(lambda: ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 64], num_classes=10), (3, 64, 64)),
        tiny_desc="repeats [2,2,2], channels [8,16,32,64,64], 10 classes",
        full=(lambda: torchvision.models.shufflenet_v2_x1_0(weights=None), (3, 224, 224)),
        full_name="shufflenet_v2_x1_0")),
    ("efficientnet_b0", dict(
        desc="EfficientNet-B0 (MBConv, depthwise, SE with Sigmoid gate, SiLU as Sigmoid*x)",
        expect=["depthwise", "se", "silu", "residual_add"],
        tiny=(tiny_efficientnet_b0, (3, 64, 64)),
        tiny_desc="efficientnet_b0 config at width_mult 0.125, depth_mult 0.5, first 4 of 7 stages, 10 classes",
        full=(lambda: torchvision.models.efficientnet_b0(weights=None), (3, 224, 224)))),
    ("vgg11", dict(
        desc="VGG (plain conv stack, Flatten before Linear classifier)",
        expect=["flatten"],
        tiny=(tiny_vgg11, (3, 32, 32)),
        tiny_desc="convs 8,M,16,M,16,16,M,32,32,M; avgpool 2x2; classifier 128-32-32-10",
        full=(lambda: torchvision.models.vgg11(weights=None), (3, 224, 224)))),
    ("vit", dict(
        desc="torchvision VisionTransformer (nn.MultiheadAttention, class token, GELU MLP)",
        expect=["attention", "packed_qkv_slice", "gelu", "layernorm", "residual_add"],
        tiny=(lambda: VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4,
                                        hidden_dim=32, mlp_dim=64, num_classes=10), (3, 32, 32)),
        tiny_desc="image 32, patch 8, 2 layers, 4 heads, hidden 32, mlp 64, 10 classes",
        full=(lambda: VisionTransformer(image_size=224, patch_size=16, num_layers=6, num_heads=6,
                                        hidden_dim=384, mlp_dim=1536), (3, 224, 224)),
        full_desc="image 224, patch 16, 6 layers, 6 heads, hidden 384, mlp 1536, 1000 classes")),
    ("transformer_encoder", dict(
        desc="nn.TransformerEncoder (post-norm, ReLU FFN, batch_first) + mean pool + Linear",
        expect=["attention", "packed_qkv_slice", "layernorm", "residual_add"],
        tiny=(lambda: TextEncoder(32, 4, 2, 64, 10), (16, 32)),
        tiny_desc="d_model 32, 4 heads, 2 layers, ffn 64, seq 16, 10 classes",
        full=(lambda: TextEncoder(512, 8, 6, 2048, 1000), (128, 512)),
        full_desc="d_model 512, 8 heads, 6 layers, ffn 2048, seq 128, 1000 classes")),
])


def trained_like_init(model, seed):
    """Make a random-init model look like a trained one to the exporter.

    torch.onnx.export de-duplicates initializers with equal values into one
    tensor plus Identity nodes. Fresh torch/torchvision models are full of equal
    tensors (all-zero biases, BN/LN weight 1 bias 0 mean 0 var 1, and
    nn.TransformerEncoder's layers are deep copies of one layer), so their graphs
    would share weights across layers in a way no trained model does. This draws
    (seeded): norm weight U(0.5,1.5), bias N(0,0.1), running mean N(0,0.1), var
    U(0.5,1.5); fresh weights for every TransformerEncoderLayer (torch's own
    reset functions); and N(0,0.02) noise on any other parameter whose elements
    are all equal (zero biases, ViT's zero class token)."""
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.TransformerEncoderLayer):
                for sub in m.modules():
                    if isinstance(sub, nn.MultiheadAttention):
                        sub._reset_parameters()
                    elif isinstance(sub, (nn.Linear, nn.LayerNorm)):
                        sub.reset_parameters()
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
                if getattr(m, "weight", None) is not None:
                    m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                if isinstance(m, nn.BatchNorm2d) and m.running_mean is not None:
                    m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                    m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
        for p in model.parameters():
            flat = p.detach().reshape(-1)
            if flat.numel() > 1 and bool((flat == flat[0]).all()):
                p.add_(torch.randn(p.shape, generator=g) * 0.02)


# ---------------------------------------------------------------------------
# Pattern detection on the exported graph
# ---------------------------------------------------------------------------

def detect_patterns(model):
    """Structural patterns present in an (inferred-shape) ONNX model."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    consumers = collections.defaultdict(list)
    for n in g.node:
        for i in n.input:
            consumers[i].append(n)
    vi = {v.name: v for v in list(g.value_info) + list(g.input) + list(g.output)}

    def elem_type(name):
        if name in inits:
            return inits[name].data_type
        v = vi.get(name)
        return v.type.tensor_type.elem_type if v is not None else None

    def dims(name):
        v = vi.get(name)
        if v is None or not v.type.tensor_type.HasField("shape"):
            return None
        return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
                for d in v.type.tensor_type.shape.dim]

    def const(name):
        if name in inits:
            return numpy_helper.to_array(inits[name])
        p = producer.get(name)
        if p is not None and p.op_type == "Constant":
            return numpy_helper.to_array(p.attribute[0].t)
        return None

    def attr(n, key, default=None):
        for a in n.attribute:
            if a.name == key:
                return onnx.helper.get_attribute_value(a)
        return default

    found = set()
    ops = collections.Counter(n.op_type for n in g.node)
    for n in g.node:
        t = n.op_type
        if t == "Conv":
            group = attr(n, "group", 1)
            if group > 1:
                w = inits.get(n.input[1])
                if w is not None and w.dims[1] == 1 and w.dims[0] % group == 0:
                    found.add("depthwise")
                else:
                    found.add("grouped_conv")
        elif t == "Concat" and elem_type(n.output[0]) == onnx.TensorProto.FLOAT:
            found.add("concat")  # data Concat, not a shape-computation Concat
        elif t == "Split":
            found.add("split")
        elif t == "Slice" and elem_type(n.output[0]) == onnx.TensorProto.FLOAT and len(n.input) > 3:
            axes = const(n.input[3])
            d = dims(n.input[0])
            if axes is not None and list(axes.reshape(-1)) == [1]:
                found.add("channel_slice")  # x.chunk(2, dim=1) / x[:, a:b]
            elif axes is not None and (list(axes.reshape(-1)) == [-1] or (
                    d is not None and list(axes.reshape(-1)) == [len(d) - 1])):
                p = producer.get(n.input[0])
                if p is not None and p.op_type in ("Add", "MatMul", "Gemm"):
                    found.add("packed_qkv_slice")  # one in-projection, q/k/v sliced off its last axis
        elif t == "Flatten" and any(c.op_type in ("Gemm", "MatMul") for c in consumers[n.output[0]]):
            found.add("flatten")
        elif t == "Transpose":
            # channel shuffle: [N,C,H,W] -Reshape-> [N,g,C/g,H,W] -Transpose(0,2,1,3,4)-> -Reshape-> [N,C,H,W]
            p = producer.get(n.input[0])
            if p is not None and p.op_type == "Reshape" and list(attr(n, "perm", [])) == [0, 2, 1, 3, 4] \
                    and any(c.op_type == "Reshape" for c in consumers[n.output[0]]):
                found.add("shuffle")
        elif t == "Softmax":
            p = producer.get(n.input[0])
            # the scores come from MatMul directly, or via Add (mask) / Div-Mul (scale)
            hops = [p] + ([producer.get(i) for i in p.input] if p is not None else [])
            if any(h is not None and h.op_type == "MatMul" for h in hops) and any(
                    c.op_type == "MatMul" for c in consumers[n.output[0]]):
                found.add("attention")
        elif t == "Mul":
            srcs = [producer.get(i) for i in n.input]
            for s, other in zip(srcs, reversed(n.input)):
                if s is None or s.op_type not in ("Sigmoid", "HardSigmoid"):
                    continue
                if s.input[0] == other:
                    found.add("silu" if s.op_type == "Sigmoid" else "hardswish")
                    continue
                d, od = dims(n.output[0]), dims(s.output[0])
                if d is not None and od is not None and len(od) == 4 and od[2:] == [1, 1] \
                        and d[2:] != [1, 1]:
                    found.add("se")  # [N,C,1,1] gate times [N,C,H,W]
        elif t == "Add":
            d = [dims(i) for i in n.input]
            # two computed float activations of one shape (or of shapes that shape
            # inference lost, as after torchvision ViT's dynamic class-token Expand)
            same = (all(x is not None and len(x) >= 3 for x in d) and d[0] == d[1]) \
                or any(x is None for x in d)
            if same and all(elem_type(i) == onnx.TensorProto.FLOAT for i in n.input) \
                    and not any(i in inits or const(i) is not None for i in n.input):
                found.add("residual_add")
    if ops.get("HardSwish"):
        found.add("hardswish")
    if ops.get("HardSigmoid"):
        found.add("hardsigmoid")
    if ops.get("BatchNormalization"):
        found.add("batchnorm")
    if ops.get("LayerNormalization") or (ops.get("ReduceMean") and ops.get("Pow") and ops.get("Sqrt")):
        found.add("layernorm")
    if ops.get("Gelu") or ops.get("Erf"):
        found.add("gelu")
    if ops.get("Identity"):
        found.add("identity")
    return sorted(found), ops


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------

def shape_of(value_info):
    return [d.dim_param if d.dim_param else d.dim_value
            for d in value_info.type.tensor_type.shape.dim]


def export_one(key, spec, full, opset, out_dir, torch_default_init):
    name = spec.get("full_name", key) if full else key
    fname = f"{name}_op{opset}.onnx"
    path = os.path.join(out_dir, fname)
    builder, in_shape = spec["full" if full else "tiny"]
    entry = collections.OrderedDict(
        file=fname, architecture=key, description=spec["desc"],
        variant="full" if full else "tiny",
        config=spec.get("full_desc" if full else "tiny_desc", name),
        opset=opset)
    t0 = time.time()
    try:
        torch.manual_seed(SEED)
        model = builder()
        if not torch_default_init:
            trained_like_init(model, SEED)
        model.eval()
        entry["params"] = sum(p.numel() for p in model.parameters())
        torch.manual_seed(SEED)
        x = torch.randn(1, *in_shape)
        with torch.no_grad():
            ref = model(x)
        torch.onnx.export(model, x, path, opset_version=opset, do_constant_folding=True,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        # path form: the checker reads the file itself (no second copy for big models)
        onnx.checker.check_model(path, full_check=True)
        m = onnx.load(path)
        inferred = shape_inference.infer_shapes(m, strict_mode=True, data_prop=True)
        patterns, ops = detect_patterns(inferred)
        missing = [p for p in spec["expect"] if p not in patterns]
        if not torch_default_init and "identity" in patterns:
            missing.append("no Identity nodes (shared initializers)")
        entry["status"] = "ok" if not missing else "missing_patterns"
        if missing:
            entry["error"] = f"expected patterns not found: {missing}"
        entry["input"] = dict(name=m.graph.input[0].name, shape=shape_of(m.graph.input[0]))
        entry["output"] = dict(name=m.graph.output[0].name, shape=shape_of(m.graph.output[0]))
        assert entry["output"]["shape"][1:] == list(ref.shape[1:]), (entry["output"], ref.shape)
        entry["patterns"] = patterns
        entry["expected_patterns"] = spec["expect"]
        entry["ir_version"] = m.ir_version
        entry["nodes"] = len(m.graph.node)
        entry["initializers"] = len(m.graph.initializer)
        entry["initializer_elements"] = int(sum(numpy_helper.to_array(i).size
                                                for i in m.graph.initializer))
        entry["op_types"] = dict(sorted(ops.items()))
        entry["size_bytes"] = os.path.getsize(path)
        with open(path, "rb") as f:
            entry["sha256"] = hashlib.sha256(f.read()).hexdigest()
        entry["checked"] = "onnx.checker.check_model(full_check=True)"
    except Exception as e:  # record and go on
        entry["status"] = "error"
        entry["error"] = f"{type(e).__name__}: {e}"
        traceback.print_exc()
        if os.path.exists(path):
            os.remove(path)
    entry["export_seconds"] = round(time.time() - t0, 2)
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help=f"output folder (default {DEFAULT_TINY_OUT}, "
                                  f"or {DEFAULT_FULL_OUT} with --full)")
    ap.add_argument("--full", action="store_true", help="standard-size models (never commit)")
    ap.add_argument("--only", help="comma-separated architecture keys: " + ",".join(ARCHS))
    ap.add_argument("--torch-default-init", action="store_true",
                    help="keep torch/torchvision's init as is (see trained_like_init)")
    args = ap.parse_args()
    out = args.out or (DEFAULT_FULL_OUT if args.full else DEFAULT_TINY_OUT)
    keys = list(ARCHS) if not args.only else args.only.split(",")
    for k in keys:
        if k not in ARCHS:
            sys.exit(f"unknown architecture {k!r}; known: {', '.join(ARCHS)}")
    os.makedirs(out, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(min(2, os.cpu_count() or 1))

    entries = []
    t_all = time.time()
    for k in keys:
        for opset in OPSETS:
            e = export_one(k, ARCHS[k], args.full, opset, out, args.torch_default_init)
            entries.append(e)
            print(f"{e['file']:32s} {e['status']:7s} params={e.get('params', '-'):>10} "
                  f"size={e.get('size_bytes', '-'):>10} {e['export_seconds']:6.1f}s "
                  f"{' '.join(e.get('patterns', []))} {e.get('error', '')}", flush=True)

    manifest = collections.OrderedDict(
        generator="tools/make_corpus.py" + (" --full" if args.full else ""),
        variant="full" if args.full else "tiny",
        torch_version=torch.__version__,
        torchvision_version=torchvision.__version__,
        onnx_version=onnx.__version__,
        seed=SEED,
        init="torch/torchvision default" if args.torch_default_init else
        "torch/torchvision default, then trained_like_init: norm weight U(0.5,1.5), bias N(0,0.1), "
        "running_mean N(0,0.1), running_var U(0.5,1.5); TransformerEncoderLayers re-initialised "
        "one by one; N(0,0.02) added to parameters whose elements are all equal",
        export=dict(exporter="torch.onnx.export", opsets=list(OPSETS), do_constant_folding=True,
                    input_name="input", output_name="logits", dynamic_axes={"0": "batch"},
                    mode="eval"),
        params_note="sum of numel() over the PyTorch model's parameters (before BN folding)",
        patterns_note="found in the exported graph by tools/make_corpus.py:detect_patterns; "
                      "expected_patterns must all be found or the entry's status is not ok",
        models=entries)
    # Merge with an existing manifest when only some architectures were rebuilt.
    mpath = os.path.join(out, "corpus.json")
    if args.only and os.path.exists(mpath):
        with open(mpath) as f:
            old = json.load(f)
        rebuilt = {e["file"] for e in entries}
        manifest["models"] = [e for e in old.get("models", []) if e["file"] not in rebuilt] + entries
        order = {f"{(ARCHS[k].get('full_name', k) if args.full else k)}_op{o}.onnx": i
                 for i, (k, o) in enumerate((k, o) for k in ARCHS for o in OPSETS)}
        manifest["models"].sort(key=lambda e: order.get(e["file"], len(order)))
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(e.get("size_bytes", 0) for e in entries)
    bad = [e["file"] for e in entries if e["status"] != "ok"]
    print(f"wrote {len(entries) - len(bad)}/{len(entries)} models, {total / 1e6:.2f} MB, "
          f"{time.time() - t_all:.0f}s -> {out}")
    if bad:
        print("not ok:", ", ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
