#!/usr/bin/env bash
# Load + save + inspect benchmark on a ResNet-50-sized model (about 25.6 M parameters, ~100 MB).
# Usage: tools/bench-io.sh [MODEL.onnx]   (default: generates /tmp/onnx-hap-bench/resnet50.onnx once)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-/tmp/onnx-hap-bench/resnet50.onnx}"
if [[ ! -f "$model" ]]; then
  mkdir -p "$(dirname "$model")"
  /usr/bin/python3 "$root/tools/make_large_model.py" "$model"
fi
cd "$root"
mvn -q test -Pbench -Dtest=IoBenchmark -Dhap.bench.model="$(realpath "$model")" 2>&1 | grep -v '^SLF4J'
