"""Reference side of the Hessian benchmark: Hutchinson traces by PyTorch double back-propagation on an
ONNX model's own weights (a small interpreter covers the residual CNN fixture's ops), same loss
(cross-entropy with labels), same samples and number of probes as the Java side.

Usage:  /usr/bin/python3 tools/bench_hessian_torch.py MODEL.onnx DATA.npz --probes N --samples N [--shared DIR]
Prints one JSON line: {"seconds": ..., "traces": {initializer: trace of its Hessian block}}.
With --shared DIR (written by the Java side: probes.json naming the weights in order and the probe count, and
per weight i the file i.f32 holding every probe's direction, little-endian float32) it also reports "shared":
per probe and weight, v·(Hv) for those very directions, which onnx-hap must match up to float32 rounding.
"""
import argparse
import json
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def forward(graph, weights, x):
    env = {graph.input[0].name: x}
    env.update(weights)
    for n in graph.node:
        i = [env[name] for name in n.input if name]
        if n.op_type == "Conv":
            pads = attr(n, "pads", [0, 0, 0, 0])
            env[n.output[0]] = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, stride=attr(n, "strides", [1, 1]),
                                        padding=(pads[0], pads[1]), groups=attr(n, "group", 1))
        elif n.op_type == "Relu":
            env[n.output[0]] = F.relu(i[0])
        elif n.op_type == "Add":
            env[n.output[0]] = i[0] + i[1]
        elif n.op_type == "ReduceMean":
            env[n.output[0]] = i[0].mean(dim=tuple(attr(n, "axes", [2, 3])), keepdim=bool(attr(n, "keepdims", 1)))
        elif n.op_type == "Gemm":
            b = i[1].t() if attr(n, "transB", 0) else i[1]
            env[n.output[0]] = i[0] @ b + (i[2] if len(i) > 2 else 0)
        elif n.op_type == "Flatten":
            env[n.output[0]] = torch.flatten(i[0], 1)
        else:
            raise SystemExit(f"op {n.op_type} is not in this benchmark's interpreter")
    return env[graph.output[0].name]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("data")
    ap.add_argument("--probes", type=int, default=16)
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--shared", help="directory of probe directions shared with onnx-hap")
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    m = onnx.load(args.model)
    weights = {t.name: torch.tensor(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
    scored = [k for k, v in weights.items() if v.dim() >= 2]
    for k in scored:
        weights[k].requires_grad_(True)
    d = np.load(args.data)
    x = torch.tensor(d["input"][: args.samples])
    y = torch.tensor(d["labels"][: args.samples])
    params = [weights[k] for k in scored]
    start = time.perf_counter()
    traces = {k: 0.0 for k in scored}
    loss = F.cross_entropy(forward(m.graph, weights, x), y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    for _ in range(args.probes):
        vs = [torch.randint_like(p, 2) * 2 - 1 for p in params]
        hv = torch.autograd.grad(grads, params, grad_outputs=vs, retain_graph=True)
        for k, v, h in zip(scored, vs, hv):
            traces[k] += float((v * h).sum()) / args.probes
    seconds = time.perf_counter() - start
    out = {"seconds": seconds, "traces": traces}
    if args.shared:
        out["shared"] = shared(args.shared, weights, grads)
    print(json.dumps(out))


def shared(directory, weights, grads):
    with open(f"{directory}/probes.json") as f:
        spec = json.load(f)
    names, count = spec["weights"], spec["probes"]
    params = [weights[k] for k in names]
    by_name = dict(zip([k for k, v in weights.items() if v.dim() >= 2], grads))
    flat = [np.fromfile(f"{directory}/{i}.f32", dtype="<f4").reshape((count,) + tuple(p.shape))
            for i, p in enumerate(params)]
    rows = []
    for probe in range(count):
        vs = [torch.tensor(f[probe]) for f in flat]
        hv = torch.autograd.grad([by_name[k] for k in names], params, grad_outputs=vs, retain_graph=True)
        rows.append({k: float((v.double() * h.double()).sum()) for k, v, h in zip(names, vs, hv)})
    return rows


if __name__ == "__main__":
    main()
