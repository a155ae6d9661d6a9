"""MNIST for a GAN, offline first: the full 60k set when it is on disk, else the bundled 5k subset."""
import gzip
import hashlib
import os
import socket
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from .pixels import pixels_to_images

DATA_ENV_VAR = "GAN_COURSE_DATA"
BUNDLED_IMAGES = ("mnist5k-images-idx3-ubyte.gz",
                  "66f9ac540966baaec46dc847ef780170f83ff188761931c0115f3f60497c4797")
BUNDLED_LABELS = ("mnist5k-labels-idx1-ubyte.gz",
                  "0bd1c3ebe2126da16fe15ba87422f75d0a4b37066970e0e29aa16577a2857965")
FULL_TRAIN_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
SOURCES = ("auto", "bundled", "full")


class DataFileError(RuntimeError):
    """A data file is missing, corrupted or not in the expected format."""


def data_dir() -> Path:
    """The course's data folder: $GAN_COURSE_DATA if set, else ``data/`` at the repository root."""
    override = os.environ.get(DATA_ENV_VAR)
    return Path(override) if override else Path(__file__).resolve().parents[2] / "data"


def display_path(path: Path) -> str:
    """A path as the learner knows it (``data/...``) when it lies in the course's folder."""
    try:
        return str(Path(path).relative_to(data_dir().parent))
    except ValueError:
        return str(path)


def full_mnist_dir(root: Path | None = None) -> Path:
    """Where torchvision keeps MNIST under ``root``: ``root/MNIST/raw``."""
    return Path(root or data_dir()) / "MNIST" / "raw"


def full_mnist_on_disk(root: Path | None = None) -> bool:
    """True when the full training set is on disk in torchvision's layout (plain or .gz files)."""
    raw = full_mnist_dir(root)
    return all((raw / f).is_file() or (raw / f"{f}.gz").is_file() for f in FULL_TRAIN_FILES)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verify_file(path: Path, expected_sha256: str) -> None:
    """Raise DataFileError with what to do if ``path`` is missing or its sha256 differs."""
    path = Path(path)
    restore = ("Restore it with `git checkout -- data/`, or rebuild it with "
               "`python data/build_mnist_subset.py`.")
    if not path.is_file():
        raise DataFileError(f"data file {path} is missing. {restore}")
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise DataFileError(f"data file {path} is corrupted: its sha256 is {actual[:12]}..., "
                            f"expected {expected_sha256[:12]}.... {restore}")


def read_idx(path: Path) -> np.ndarray:
    """Read an MNIST IDX file (optionally gzipped) into a uint8 array."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as err:
            raise DataFileError(f"{path} is not a readable gzip file ({err}).") from None
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] != 0x08:
        raise DataFileError(f"{path} is not an IDX file of unsigned bytes (bad header).")
    ndim = raw[3]
    dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise DataFileError(f"{path} is truncated: header says {dims}, found {body.size} values.")
    return body.reshape(dims)


@dataclass
class MnistData:
    """Digits ready for a GAN: ``images`` (N, 1, 28, 28) float in [-1, 1], ``labels`` (N,) long,
    plus the raw ``pixels`` (N, 28, 28) uint8 and where they came from."""
    images: torch.Tensor
    labels: torch.Tensor
    pixels: torch.Tensor
    source: str

    def __len__(self) -> int:
        return len(self.labels)

    def describe(self) -> str:
        counts = torch.bincount(self.labels, minlength=10)
        per_class = (f"{counts[0].item()} per class" if bool((counts == counts[0]).all())
                     else f"{counts.min().item()}-{counts.max().item()} per class")
        return f"MNIST from {self.source}: {len(self)} images of 28x28 ({per_class})"

    def __repr__(self) -> str:
        return f"<MnistData {self.describe()}>"


def load_mnist(source: str = "auto", download: bool = False, limit: int | None = None,
               root: Path | None = None, verbose: bool = True, seed: int = 0) -> MnistData:
    """One call for GAN-ready MNIST.

    source: "auto" (full set if on disk, else the bundled subset), "bundled" or "full".
    download: fetch the full set first if it is missing (short timeout; falls back on failure).
    limit: keep a random, seeded subset of this many digits (fast mode uses it).
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    root = Path(root or data_dir())
    if download and not full_mnist_on_disk(root):
        download_full_mnist(root)
    if source == "full" and not full_mnist_on_disk(root):
        raise DataFileError(f"the full MNIST is not in {full_mnist_dir(root)}. Use "
                            f"load_mnist(download=True) to fetch it, or source='auto' to use the "
                            f"bundled 5000-digit subset.")
    pixels = None
    if source != "bundled" and full_mnist_on_disk(root):
        try:
            pixels, labels = _read_full(root)
            origin = f"the full training set in {display_path(full_mnist_dir(root))}/"
        except DataFileError as err:
            if source == "full":
                raise
            print(f"Could not read the full MNIST ({err}); using the bundled 5000-digit subset.")
    if pixels is None:
        pixels, labels = _read_bundled(root)
        origin = f"the bundled subset in {display_path(root)}/"
    pixels, labels = torch.from_numpy(pixels.copy()), torch.from_numpy(labels.astype(np.int64))
    if limit is not None:
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer or None, got {limit!r}")
        keep = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:limit]
        pixels, labels = pixels[keep], labels[keep]
    data = MnistData(images=pixels_to_images(pixels), labels=labels, pixels=pixels, source=origin)
    if verbose:
        print(data.describe())
    return data


def _read_bundled(root: Path) -> tuple[np.ndarray, np.ndarray]:
    arrays = []
    for name, digest in (BUNDLED_IMAGES, BUNDLED_LABELS):
        verify_file(root / name, digest)
        arrays.append(read_idx(root / name))
    return arrays[0], arrays[1]


def _read_full(root: Path) -> tuple[np.ndarray, np.ndarray]:
    raw = full_mnist_dir(root)
    found = [raw / f if (raw / f).is_file() else raw / f"{f}.gz" for f in FULL_TRAIN_FILES]
    pixels, labels = read_idx(found[0]), read_idx(found[1])
    if pixels.shape[1:] != (28, 28) or len(pixels) != len(labels):
        raise DataFileError(f"the MNIST files in {raw} do not match: images {pixels.shape}, "
                            f"labels {labels.shape}. Delete that folder and download again.")
    return pixels, labels


def download_full_mnist(root: Path | None = None, timeout: float = 10.0) -> bool:
    """Try to fetch the full MNIST with torchvision; on any failure print one line and return False."""
    from torchvision.datasets import MNIST
    root = Path(root or data_dir())
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        MNIST(str(root), train=True, download=True)
        print(f"Downloaded the full MNIST into {full_mnist_dir(root)}.")
        return True
    except Exception as err:  # no network, a proxy, a mirror down: all mean "use the subset"
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        reason = lines[-1][:120] if lines else type(err).__name__  # the innermost cause
        print(f"Could not download the full MNIST ({reason}); using the bundled 5000-digit subset.")
        return False
    finally:
        socket.setdefaulttimeout(previous)


class BundledMNIST(Dataset):
    """The bundled digits as a classic map-style dataset: PIL images through ``transform``,
    exactly like ``torchvision.datasets.MNIST`` (for lessons that teach that path)."""

    def __init__(self, transform=None, root: Path | None = None):
        self.pixels, self.labels = _read_bundled(Path(root or data_dir()))
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        image = Image.fromarray(self.pixels[index])  # uint8 (28, 28) -> grayscale "L"
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[index])


def mnist_dataset(transform=None, root: Path | None = None) -> Dataset:
    """``torchvision.datasets.MNIST`` when the full set is on disk, else ``BundledMNIST``;
    both yield (transformed PIL image, label) for a ``DataLoader``."""
    root = Path(root or data_dir())
    if full_mnist_on_disk(root):
        from torchvision.datasets import MNIST
        try:
            return MNIST(str(root), train=True, transform=transform, download=False)
        except RuntimeError:
            pass  # torchvision also wants the test files; the bundled set still works
    return BundledMNIST(transform=transform, root=root)
