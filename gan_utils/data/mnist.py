"""MNIST for a GAN, offline first: the full 60k set when it is on disk, else the bundled 5k subset.

Every file the course ships is checked against its recorded sha256 when it is loaded, and a file
that is missing, damaged or cut short is refused with a message naming it and saying what to do.
"""
import gzip
import math
import socket
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset, Subset

from ..arguments import check_whole_number
from ..language import say
from ..settings import DataFileError, data_dir, downloads_dir
from .files import display_path, read_bytes, verify_file
from .pixels import pixels_to_images
from .split import check_split, keep_for_split

BUNDLED_IMAGES = ("mnist5k-images-idx3-ubyte.gz",
                  "66f9ac540966baaec46dc847ef780170f83ff188761931c0115f3f60497c4797")
BUNDLED_LABELS = ("mnist5k-labels-idx1-ubyte.gz",
                  "0bd1c3ebe2126da16fe15ba87422f75d0a4b37066970e0e29aa16577a2857965")
FULL_TRAIN_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
SOURCES = ("auto", "bundled", "full")
BUNDLED_NOTE = "the bundled 5000-digit subset"


def full_mnist_dir(root: Path | None = None) -> Path:
    """Where torchvision keeps MNIST under ``root``: ``root/MNIST/raw``; without ``root``, under the
    learner's data/ folder (``downloads_dir()``), never inside the installed package."""
    return full_mnist_root(root) / "MNIST" / "raw"


def full_mnist_root(root: Path | None = None) -> Path:
    """The folder torchvision is given for the full MNIST: ``root``, else ``downloads_dir()``."""
    return Path(root) if root else downloads_dir()


def full_mnist_on_disk(root: Path | None = None) -> bool:
    """True when the full training set is on disk in torchvision's layout (plain or .gz files)."""
    raw = full_mnist_dir(root)
    return all((raw / f).is_file() or (raw / f"{f}.gz").is_file() for f in FULL_TRAIN_FILES)


def read_idx(path: Path) -> np.ndarray:
    """Read an MNIST IDX file (optionally gzipped) into a uint8 array; a damaged or cut-short
    file raises DataFileError naming it."""
    path = Path(path)
    raw = _gunzip(path, read_bytes(path))
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] != 0x08:
        raise DataFileError(f"{path} is not an IDX file of unsigned bytes (bad header).")
    start = 4 + 4 * raw[3]
    if len(raw) < start:
        raise DataFileError(f"{path} is truncated: it ends inside its header ({len(raw)} bytes, "
                            f"the header alone needs {start}).")
    dims = struct.unpack(f">{raw[3]}I", raw[4:start])
    body = np.frombuffer(raw, dtype=np.uint8, offset=start)
    if body.size != math.prod(dims):
        problem = "is truncated" if body.size < math.prod(dims) else "has extra bytes"
        raise DataFileError(f"{path} {problem}: header says {dims}, found {body.size} values.")
    return body.reshape(dims)


def _gunzip(path: Path, raw: bytes) -> bytes:
    """``raw`` decompressed when it is gzip data (MNIST ships as .gz), else unchanged."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise DataFileError(f"{path} is not a readable gzip file ({err}); an interrupted download "
                            f"leaves files like this.") from None


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
        per_class = (f"{counts[0].item()}" if bool((counts == counts[0]).all())
                     else f"{counts.min().item()}-{counts.max().item()}")
        return say(f"MNIST from {self.source}: {len(self)} images of 28x28 ({per_class} per class)",
                   f"MNIST，来自 {self.source}：{len(self)} 张 28x28 图像（每类 {per_class} 张）")

    def __repr__(self) -> str:
        return f"<MnistData {self.describe()}>"


def load_mnist(source: str = "auto", download: bool = False, limit: int | None = None,
               root: Path | None = None, verbose: bool = True, seed: int = 0, split: str = "train") -> MnistData:
    """One call for GAN-ready MNIST.

    source: "auto" (full set if on disk, else the bundled subset), "bundled" or "full".
    download: fetch the full set first if it is missing (short timeout). With "auto" a failed
    download says so and the bundled subset is used; with "full" it raises, saying why.
    limit: keep a random, seeded subset of this many digits (fast mode uses it).
    split: "train" (the default: all but the 1000 held-out digits, what every GAN trains on),
    "held-out" (those 1000, the reference honest scores compare with; see ``split.py``) or "all".
    """
    _check_request(source, download, limit)
    check_split(split)
    root = _data_root(root)
    if download and not full_mnist_on_disk(root):
        if source == "full":
            fetch_full_mnist(root)
        else:
            download_full_mnist(root)
    pixels, labels, origin, from_bundled = _read_digits(source, root)
    pixels, labels = torch.from_numpy(pixels.copy()), torch.from_numpy(labels.astype(np.int64))
    if split != "all":
        keep = _split_indices(pixels, labels if from_bundled else None, split, root)
        pixels, labels = pixels[keep], labels[keep]
        origin += (say(", less the 1000 held-out digits", "，去掉 1000 个留出数字") if split == "train"
                   else say(", its 1000 held-out digits", "中的 1000 个留出数字"))
    if limit is not None:
        keep = _seeded_subset(len(labels), limit, seed)
        pixels, labels = pixels[keep], labels[keep]
    data = MnistData(images=pixels_to_images(pixels), labels=labels, pixels=pixels, source=origin)
    if verbose:
        print(data.describe())
    return data


def _split_indices(pixels: torch.Tensor, bundled_labels: torch.Tensor | None, split: str, root) -> torch.Tensor:
    """Indices of ``pixels`` that ``split`` keeps. The held-out digits are the bundled subset's:
    ``bundled_labels`` when ``pixels`` are the bundled digits, else (None) the subset is read too."""
    if bundled_labels is not None:
        return keep_for_split(pixels, pixels, bundled_labels, split, from_bundled=True)
    bundled_pixels, bundled_labels = (torch.from_numpy(a.copy()) for a in _read_bundled(root))
    return keep_for_split(pixels, bundled_pixels, bundled_labels.long(), split, from_bundled=False)


def _check_request(source: str, download: bool, limit: int | None) -> None:
    """Refuse an unknown source, a download that would not be used, or a bad limit, before any work."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if download and source == "bundled":
        raise ValueError("download=True fetches the full MNIST, but source='bundled' would not use "
                         "it: leave out download=True, or use source='auto' or source='full'.")
    if limit is not None:
        check_whole_number(limit, "limit")


def _data_root(root) -> Path | None:
    """``root`` as a Path (None when not given: the course's own folders), refused when it is no folder."""
    if not root:
        return None
    root = Path(root)
    if not root.is_dir():
        raise DataFileError(f"root={str(root)!r} is not a folder. Pass the folder that holds "
                            f"{BUNDLED_IMAGES[0]} (and MNIST/raw/ for the full set), or leave root "
                            f"out to use the course's data/ folder.")
    return root


def _seeded_subset(count: int, limit: int, seed: int) -> torch.Tensor:
    """Indices of ``limit`` of ``count`` digits, the same for the same seed (all when limit >= count)."""
    if limit > count:
        print(f"limit={limit} is more than the {count} digits available: using all {count}.")
    return torch.randperm(count, generator=torch.Generator().manual_seed(seed))[:limit]


def _read_digits(source: str, root: Path | None) -> tuple[np.ndarray, np.ndarray, str, bool]:
    """(pixels, labels, where from, whether it is the bundled subset) for ``source``; "auto" falls
    back to the bundled subset, with a printed warning, when the full set on disk cannot be read."""
    if source == "full" and not full_mnist_on_disk(root):
        raise DataFileError(
            f"the full MNIST is not in {full_mnist_dir(root)}: it needs {FULL_TRAIN_FILES[0]} and "
            f"{FULL_TRAIN_FILES[1]} (plain or .gz). Fetch it with load_mnist(source='full', "
            f"download=True) (needs internet), copy the files there, or use source='auto' for "
            f"{BUNDLED_NOTE}.")
    if source != "bundled" and full_mnist_on_disk(root):
        try:
            where = display_path(full_mnist_dir(root))
            origin = say(f"the full training set in {where}/", f"{where}/ 中的完整训练集")
            return (*_read_full(root), origin, False)
        except DataFileError as err:
            if source == "full":
                raise
            print(f"Could not read the full MNIST: {err} Using {BUNDLED_NOTE} instead.")
    where = display_path(root or data_dir())
    return (*_read_bundled(root), say(f"the bundled subset in {where}/", f"{where}/ 中随课程附带的子集"), True)


def _read_bundled(root: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """The bundled pixels and labels (from ``root``, else the shipped files), each file checked
    against its recorded sha256 first."""
    root, arrays = root or data_dir(), []
    for name, digest in (BUNDLED_IMAGES, BUNDLED_LABELS):
        verify_file(root / name, digest)
        arrays.append(read_idx(root / name))
    return arrays[0], arrays[1]


def _read_full(root: Path) -> tuple[np.ndarray, np.ndarray]:
    """The full training set from root/MNIST/raw; a damaged file raises DataFileError naming it
    and saying how to replace it."""
    raw = full_mnist_dir(root)
    found = [raw / f if (raw / f).is_file() else raw / f"{f}.gz" for f in FULL_TRAIN_FILES]
    try:
        pixels, labels = read_idx(found[0]), read_idx(found[1])
        _check_digits(pixels, labels, found)
    except DataFileError as err:
        raise DataFileError(f"{err} To replace it, delete it and download again with "
                            f"load_mnist(download=True), or copy a good copy into {raw}.") from None
    return pixels, labels


def _check_digits(pixels: np.ndarray, labels: np.ndarray, files: list[Path]) -> None:
    """Refuse an images file that is not (N, 28, 28), a labels file that is not (N,) digits 0..9,
    or a pair of files that do not belong together."""
    if pixels.ndim != 3 or pixels.shape[1:] != (28, 28):
        raise DataFileError(f"{files[0]} holds an array shaped {pixels.shape}, not 28x28 digits "
                            f"(N, 28, 28).")
    if labels.ndim != 1 or (labels.size and labels.max() > 9):
        top = labels.max() if labels.size else "none"
        raise DataFileError(f"{files[1]} should hold one digit 0..9 per image, shape (N,); it holds "
                            f"shape {labels.shape} with values up to {top}.")
    if len(pixels) != len(labels):
        raise DataFileError(f"the MNIST files do not match: {files[0].name} has {len(pixels)} "
                            f"images, {files[1].name} has {len(labels)} labels.")


def _try_download(root: Path | None, timeout: float) -> str | None:
    """Fetch the full MNIST with torchvision, each network wait limited to ``timeout`` seconds;
    return why it failed (the innermost cause), or None (and say so) when it worked."""
    from torchvision.datasets import MNIST
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        MNIST(str(full_mnist_root(root)), train=True, download=True)
        print(f"Downloaded the full MNIST into {full_mnist_dir(root)}.")
        return None
    except Exception as err:  # no network, a proxy, a mirror down, a bad checksum
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        return lines[-1][:120] if lines else type(err).__name__
    finally:
        socket.setdefaulttimeout(previous)


def fetch_full_mnist(root: Path | None = None, timeout: float = 10.0) -> None:
    """Download the full MNIST into ``root/MNIST/raw``; a failure raises DataFileError saying why
    and what to do instead."""
    root = _data_root(root)
    reason = _try_download(root, timeout)
    if reason is not None:
        raise DataFileError(
            f"could not download the full MNIST ({reason}). Check your internet connection and try "
            f"again, copy {FULL_TRAIN_FILES[0]}.gz and {FULL_TRAIN_FILES[1]}.gz into "
            f"{full_mnist_dir(root)} yourself, or use {BUNDLED_NOTE}: load_mnist(source='auto').")


def download_full_mnist(root: Path | None = None, timeout: float = 10.0) -> bool:
    """Try to fetch the full MNIST; on failure print one line (why, and that the bundled subset
    is used instead) and return False."""
    root = _data_root(root)
    reason = _try_download(root, timeout)
    if reason is not None:
        print(f"Could not download the full MNIST ({reason}); using {BUNDLED_NOTE}.")
    return reason is None


class DigitImages(Dataset):
    """Digits as a classic map-style dataset: (PIL image through ``transform``, int label),
    exactly like ``torchvision.datasets.MNIST`` (for lessons that teach that path)."""

    def __init__(self, pixels: np.ndarray, labels: np.ndarray, transform=None):
        self.pixels, self.labels, self.transform = pixels, labels, transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        image = Image.fromarray(self.pixels[index])  # uint8 (28, 28) -> grayscale "L"
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.labels[index])


class BundledMNIST(DigitImages):
    """The bundled digits (checksums verified) as a classic map-style dataset."""

    def __init__(self, transform=None, root: Path | None = None):
        super().__init__(*_read_bundled(_data_root(root)), transform=transform)


def mnist_dataset(transform=None, root: Path | None = None) -> Dataset:
    """The digits ``load_mnist()`` trains on (the held-out 1000 left out) as a dataset of
    (transformed PIL image, label) for a ``DataLoader``: ``torchvision.datasets.MNIST`` when it
    can read the full set here, else the full training files or the bundled subset."""
    root = _data_root(root)
    if full_mnist_on_disk(root):
        from torchvision.datasets import MNIST
        try:
            dataset = MNIST(str(full_mnist_root(root)), train=True, transform=transform, download=False)
        except Exception:  # torchvision also wants the test files, unzipped: read the training files
            pass
        else:
            return Subset(dataset, _split_indices(dataset.data, None, "train", root).tolist())
    mnist = load_mnist(source="auto", root=root, verbose=False)
    return DigitImages(mnist.pixels.numpy(), mnist.labels.numpy(), transform)
