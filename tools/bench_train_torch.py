"""Reference side of the training benchmark: one epoch of the residual CNN fixture's architecture on
Fashion-MNIST in PyTorch, with the settings the Java benchmark uses (Adam, batch 64, 2 threads).

Usage:  /usr/bin/python3 tools/bench_train_torch.py [--export DIR] [--samples N]
  --export DIR  also write DIR/fmnist_train_x.npy [N,1,28,28] float32 and DIR/fmnist_train_y.npy int64
                (normalised like the fixtures), and the 10,000 test images as DIR/fmnist_test_x.npy / _y.npy,
                for the Java benchmarks (TrainingBenchmark, CompressionBenchmark)
Prints samples/s and peak resident memory. Never run by CI.
"""
import argparse
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist  # noqa: E402
from make_fixtures import ResNet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export")
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    x, y = fmnist.load("train")
    x, y = x[: args.samples].reshape(-1, 1, 28, 28), y[: args.samples]
    if args.export:
        os.makedirs(args.export, exist_ok=True)
        np.save(os.path.join(args.export, "fmnist_train_x.npy"), x)
        np.save(os.path.join(args.export, "fmnist_train_y.npy"), y)
        tx, ty = fmnist.load("test")
        np.save(os.path.join(args.export, "fmnist_test_x.npy"), tx.reshape(-1, 1, 28, 28))
        np.save(os.path.join(args.export, "fmnist_test_y.npy"), ty)
    model = ResNet().train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    order = torch.randperm(len(xt))
    start = time.perf_counter()
    for i in range(0, len(xt), args.batch):
        idx = order[i:i + args.batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pytorch {torch.__version__}: 1 epoch of {len(xt)} samples, batch {args.batch}, 2 threads: "
          f"{seconds:.1f} s, {len(xt) / seconds:.0f} samples/s, peak RSS {peak:.0f} MiB, last loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
