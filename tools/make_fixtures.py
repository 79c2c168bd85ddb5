"""Train five small Fashion-MNIST models and write the committed test fixtures.

Run from the repository root:  /usr/bin/python3 tools/make_fixtures.py [OUT_DIR]
(OUT_DIR defaults to testdata/). Takes a few minutes on 2 CPU cores. CI never
runs this; its outputs are committed.
"""
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist  # noqa: E402

OPSET = 13
SEED = 0
N_SAMPLES = 256  # sample images shipped with each model
N_PB = 8  # samples in the ONNX backend test-data layout fixture
BATCH = 128


# ---------------------------------------------------------------- models

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:  # 1x1 projection so the residual Add shapes match
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.down is None else self.down(x)))


class ResNet(nn.Module):
    """ResNet-8 style: stem + one BasicBlock per stage (16/32/64), GAP, FC."""

    def __init__(self, widths=(16, 32, 64), num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks, cin = [], widths[0]
        for i, w in enumerate(widths):
            blocks.append(BasicBlock(cin, w, 1 if i == 0 else 2))
            cin = w
        self.stages = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(x.mean(dim=(2, 3)))


class Attention(nn.Module):
    """Multi-head self-attention written out op by op (no nn.MultiheadAttention),
    so the export shows the Reshape/Transpose/MatMul/Softmax pattern real models have."""

    def __init__(self, dim=64, heads=4):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        b, s = x.shape[0], x.shape[1]  # dynamic: exported as Shape/Gather chains
        def split(t):
            return t.reshape(b, s, self.heads, self.head_dim).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.head_dim), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, s, self.heads * self.head_dim)
        return self.out(y)


class EncoderLayer(nn.Module):
    """Pre-LayerNorm encoder layer: x + attn(ln(x)), then x + ffn(ln(x))."""

    def __init__(self, dim=64, heads=4, hidden=128):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Transformer(nn.Module):
    """Image rows as tokens: [N,28,28] -> 28 tokens of 28 features."""

    def __init__(self, seq=28, feat=28, dim=64, layers=2, num_classes=10):
        super().__init__()
        self.embed = nn.Linear(feat, dim)
        self.pos = nn.Parameter(torch.zeros(1, seq, dim))
        nn.init.normal_(self.pos, std=0.02)
        self.layers = nn.ModuleList([EncoderLayer(dim) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.embed(x) + self.pos
        for layer in self.layers:
            x = layer(x)
        return self.head(self.ln(x).mean(dim=1))


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(28, 64, batch_first=True)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        _, (h, _) = self.rnn(x)
        return self.fc(h[-1])  # final hidden state of the (only) layer


class GRUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(28, 48, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(96, 10)

    def forward(self, x):
        _, h = self.rnn(x)  # h: [2 directions, N, 48]
        return self.fc(torch.cat([h[0], h[1]], dim=1))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                                 nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


# name -> (constructor, input shape after the batch dim, training recipe).
# Recipes are sized for ~5 min on 2 cores: Debian's torch uses the reference BLAS, so
# Linear-heavy models (transformer, RNNs) train on smaller subsets than the conv net.
MODELS = {
    "resnet_fmnist": (ResNet, (1, 28, 28), dict(epochs=2, samples=30000, lr=3e-3)),
    "transformer_fmnist": (Transformer, (28, 28), dict(epochs=2, samples=20000, lr=2e-3)),
    "lstm_fmnist": (LSTMNet, (28, 28), dict(epochs=2, samples=20000, lr=5e-3)),
    "gru_fmnist": (GRUNet, (28, 28), dict(epochs=2, samples=20000, lr=5e-3)),
    "mlp_fmnist": (MLP, (784,), dict(epochs=2, samples=30000, lr=1e-3)),
}


# ---------------------------------------------------------------- training

def train(model, x, y, recipe):
    """AdamW + one-cycle schedule on a seeded subset; returns the model in eval mode."""
    g = torch.Generator().manual_seed(SEED)
    idx = torch.randperm(len(x), generator=g)[:recipe["samples"]]
    x, y = x[idx], y[idx]
    steps = recipe["epochs"] * math.ceil(len(x) / BATCH)
    opt = torch.optim.AdamW(model.parameters(), lr=recipe["lr"], weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=recipe["lr"], total_steps=steps)
    model.train()
    for _ in range(recipe["epochs"]):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), BATCH):
            b = perm[i:i + BATCH]
            loss = F.cross_entropy(model(x[b]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


@torch.no_grad()
def predict(model, x):
    return torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)])


def export(model, example, path):
    torch.onnx.export(model, example, path, opset_version=OPSET, do_constant_folding=True,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path), full_check=True)


def check_with_ort(path, x, expected):
    """Optional cross-check: ONNX Runtime vs PyTorch (skipped if ORT is absent)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = sess.run(["logits"], {"input": x})[0]
    one = sess.run(["logits"], {"input": x[:1]})[0]  # batch 1 proves the batch axis is dynamic
    return float(max(np.abs(got - expected).max(), np.abs(one - expected[:1]).max()))


def shape_of(vi):
    return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "testdata")
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    # The RNN exporter warns about exporting with batch != 1; check_with_ort runs batch 1 and 256.
    warnings.filterwarnings("ignore", message=".*batch_size other than 1.*")
    warnings.filterwarnings("ignore", message=".*shape inference of prim::Constant.*")
    start = time.time()

    train_x, train_y = (torch.from_numpy(a) for a in fmnist.load("train"))
    test_x_np, test_y_np = fmnist.load("test")
    test_x, test_y = torch.from_numpy(test_x_np), torch.from_numpy(test_y_np)
    sample_x, sample_y = test_x_np[:N_SAMPLES], test_y_np[:N_SAMPLES]

    np.save(os.path.join(out, "fmnist_test_256.npy"), sample_x.reshape(N_SAMPLES, 1, 28, 28))
    np.save(os.path.join(out, "fmnist_test_256_labels.npy"), sample_y)

    meta = {"dataset": {"name": "Fashion-MNIST", "normalisation": {"mean": fmnist.MEAN, "std": fmnist.STD},
                        "samples": f"first {N_SAMPLES} test images"},
            "torch_version": torch.__version__, "onnx_version": onnx.__version__, "models": {}}
    for name, (ctor, in_shape, recipe) in MODELS.items():
        t0 = time.time()
        fmnist.seed_everything(SEED)
        model = ctor()
        shape = lambda x: x.reshape(x.shape[0], *in_shape)  # noqa: E731
        train(model, shape(train_x), train_y, recipe)
        acc = float((predict(model, shape(test_x)).argmax(1) == test_y).float().mean())

        x = np.ascontiguousarray(sample_x.reshape(N_SAMPLES, *in_shape))
        with torch.no_grad():
            expected = model(torch.from_numpy(x)).numpy().astype(np.float32)
        onnx_path = os.path.join(out, name + ".onnx")
        export(model, torch.from_numpy(x[:2]), onnx_path)
        np.savez_compressed(os.path.join(out, name + ".npz"), input=x, labels=sample_y)
        np.save(os.path.join(out, name + ".expected.npy"), expected)
        ort_diff = check_with_ort(onnx_path, x, expected)

        g = onnx.load(onnx_path).graph
        meta["models"][name] = {
            "file": name + ".onnx", "samples": name + ".npz", "expected": name + ".expected.npy",
            "inputs": [{"name": v.name, "shape": shape_of(v)} for v in g.input],
            "outputs": [{"name": v.name, "shape": shape_of(v)} for v in g.output],
            "opset": OPSET,
            "params": sum(p.numel() for p in model.parameters()),
            "test_accuracy": round(acc, 4),
            "train": dict(recipe, seed=SEED, batch_size=BATCH, optimizer="AdamW+OneCycleLR",
                          subset="first `samples` of torch.randperm(60000) seeded with `seed`"),
            "torch_version": torch.__version__,
        }
        print(f"{name}: acc={acc:.4f} params={meta['models'][name]['params']} "
              f"ort_max_abs_diff={ort_diff} ({time.time() - t0:.0f}s)", flush=True)

        if name == "mlp_fmnist":
            write_mlp_variants(onnx_path, x, expected, out)

    meta["models"]["mlp_fmnist"]["variants"] = {
        "onnx_test_data": "mlp_fmnist_pb/test_data_set_0 (input_0.pb, output_0.pb; first %d samples)" % N_PB,
        "external_data": "mlp_external/model.onnx + mlp_external/model.weights",
    }
    with open(os.path.join(out, "fixtures.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"done in {time.time() - start:.0f}s -> {out}")


def write_mlp_variants(onnx_path, x, expected, out):
    # ONNX backend test-data layout: model dir / test_data_set_N / input_K.pb, output_K.pb
    pb_dir = os.path.join(out, "mlp_fmnist_pb", "test_data_set_0")
    os.makedirs(pb_dir, exist_ok=True)
    for fname, name, arr in (("input_0.pb", "input", x[:N_PB]), ("output_0.pb", "logits", expected[:N_PB])):
        with open(os.path.join(pb_dir, fname), "wb") as f:
            f.write(onnx.numpy_helper.from_array(arr, name=name).SerializeToString())

    # Same model with every initializer moved into one external file.
    ext_dir = os.path.join(out, "mlp_external")
    os.makedirs(ext_dir, exist_ok=True)
    for stale in ("model.onnx", "model.weights"):  # save appends to an existing weights file
        if os.path.exists(os.path.join(ext_dir, stale)):
            os.remove(os.path.join(ext_dir, stale))
    m = onnx.load(onnx_path)
    ext_path = os.path.join(ext_dir, "model.onnx")
    onnx.save_model(m, ext_path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.weights", size_threshold=0)
    onnx.checker.check_model(ext_path, full_check=True)  # path form so external data is resolved


if __name__ == "__main__":
    main()
