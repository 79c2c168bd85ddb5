"""Shared Fashion-MNIST helpers for the fixture scripts.

Reads the gzipped IDX files directly with numpy (no torchvision download code),
so the scripts work offline. Set FMNIST_DIR to use another copy of the files.
"""
import gzip
import os
import random

import numpy as np

DATA_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set pixel statistics

_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def _read_idx(path):
    """Parse one IDX file: 2 zero bytes, dtype code, ndim, big-endian dims, data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:  # 0x08 = unsigned byte
        raise ValueError(f"{path}: not a uint8 IDX file")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4)
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(tuple(int(d) for d in dims))


def load(split):
    """Return (images float32 [N,28,28] normalised, labels int64 [N])."""
    img_file, lbl_file = _FILES[split]
    images = _read_idx(os.path.join(DATA_DIR, img_file)).astype(np.float32) / 255.0
    images = (images - np.float32(MEAN)) / np.float32(STD)
    labels = _read_idx(os.path.join(DATA_DIR, lbl_file)).astype(np.int64)
    return images.astype(np.float32), labels


def seed_everything(seed):
    """Seed python, numpy and torch so a rerun retrains the same weights."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
