"""Export a randomly initialised torchvision ResNet-50 for the load/save benchmark.

Usage:  /usr/bin/python3 tools/make_large_model.py OUT.onnx
Writes ~100 MB (25.6M parameters); the output is never committed and CI never
runs this. Random weights are enough: the benchmark measures parsing and
serialisation, not accuracy.
"""
import sys

import onnx
import torch
import torchvision

OPSET = 13


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    torch.manual_seed(0)  # same weights on every run
    torch.set_num_threads(2)
    model = torchvision.models.resnet50(weights=None).eval()
    print("params:", sum(p.numel() for p in model.parameters()))
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), out, opset_version=OPSET,
                      do_constant_folding=True, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    # Path form: the checker streams the file instead of holding a second proto copy.
    onnx.checker.check_model(out, full_check=True)
    print("wrote", out)


if __name__ == "__main__":
    main()
