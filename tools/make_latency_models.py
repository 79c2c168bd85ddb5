"""Export the real-size models of the latency benchmark (not committed: tens of MB).

Usage:
    /usr/bin/python3 tools/make_latency_models.py [--out /tmp/onnx-hap-latency]

Writes resnet18.onnx and mobilenet_v2.onnx (torchvision's own modules, 224x224, dynamic
batch) and bert_base4.onnx (the HF BERT layout of make_layouts.py at BERT-base width:
hidden 768, 12 heads, FFN 3072, 4 layers, sequence 128). Weights are random but not
degenerate (trained_like_init: BatchNorm/LayerNorm weights spread, as after training),
since latency does not depend on their values. Exported with torch.onnx.export, opset 17,
constant folding on, eval mode, the way a user exports them.
"""
import argparse
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_layouts as layouts  # noqa: E402


def export(model, args, path, names, dynamic):
    model.eval()
    torch.onnx.export(model, args, path, opset_version=17, do_constant_folding=True,
                      input_names=names, output_names=["logits"], dynamic_axes=dynamic)
    print(path, os.path.getsize(path) // (1 << 20), "MB")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="/tmp/onnx-hap-latency")
    out = p.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    image = torch.randn(1, 3, 224, 224)
    for name, ctor in (("resnet18", torchvision.models.resnet18),
                       ("mobilenet_v2", torchvision.models.mobilenet_v2)):
        m = ctor(weights=None)
        layouts.trained_like_init(m, 0)
        export(m, (image,), os.path.join(out, name + ".onnx"), ["input"],
               {"input": {0: "batch"}, "logits": {0: "batch"}})
    seq = 128
    bert = layouts.HfBertForSequenceClassification(vocab=30522, hidden=768, heads=12, inter=3072, layers=4,
                                                   max_pos=512, num_labels=2)
    layouts.trained_like_init(bert, 0)
    ids = torch.randint(0, 30522, (1, seq))
    mask = torch.ones(1, seq, dtype=torch.int64)
    export(bert, (ids, mask), os.path.join(out, "bert_base4.onnx"), ["input_ids", "attention_mask"],
           {"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}, "logits": {0: "batch"}})


if __name__ == "__main__":
    main()
