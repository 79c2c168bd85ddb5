"""Write the README demo's data: real Fashion-MNIST images as raw uint8, labels as int64.

Usage:
    /usr/bin/python3 tools/make_demo_data.py [OUT_DIR]     # default testdata/demo

  fmnist_train.npz  4,000 images of the training set (the fixtures were trained on it; retraining reads it)
  fmnist_val.npz    2,000 images of the test set, which no fixture saw: the held-out set the gate measures on

Each holds `x` [N,1,28,28] uint8 and `labels` [N] int64, saved compressed. The model expects normalised
floats, so the demo reads them with --preprocess scale=1/255,mean=0.2860,std=0.3530 (fmnist.MEAN, fmnist.STD).
Images are drawn with a fixed seed, balanced over the ten classes.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist  # noqa: E402


def balanced(images, labels, per_class, rng):
    picked = np.concatenate([rng.choice(np.flatnonzero(labels == c), per_class, replace=False)
                             for c in range(10)])
    rng.shuffle(picked)
    return images[picked], labels[picked]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "testdata", "demo")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(2026)
    for split, name, per_class in (("train", "fmnist_train.npz", 400), ("t10k", "fmnist_val.npz", 200)):
        images = fmnist._read_idx(os.path.join(fmnist.DATA_DIR, split + "-images-idx3-ubyte.gz"))
        labels = fmnist._read_idx(os.path.join(fmnist.DATA_DIR, split + "-labels-idx1-ubyte.gz")).astype(np.int64)
        x, y = balanced(images, labels, per_class, rng)
        np.savez_compressed(os.path.join(out, name), x.reshape(-1, 784).astype(np.uint8), labels=y)
        print(name, x.shape, os.path.getsize(os.path.join(out, name)) // 1024, "KiB")


if __name__ == "__main__":
    main()
