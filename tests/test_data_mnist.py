import gzip
import shutil
import socket
import struct
import time

import numpy as np
import pytest
import torch

from gan_utils import settings
from gan_utils.data import mnist
from gan_utils.data.files import display_path, verify_file
from gan_utils.data.mnist import BUNDLED_IMAGES, BUNDLED_LABELS, load_mnist, mnist_dataset, read_idx
from gan_utils.settings import DataFileError, data_dir
from gan_utils.data.pixels import mnist_transform


@pytest.fixture
def bundled_copy(tmp_path):
    """A private data folder holding only the bundled subset."""
    for name, _ in (BUNDLED_IMAGES, BUNDLED_LABELS):
        shutil.copy(data_dir() / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything opens a socket connection."""
    def refuse(*args, **kwargs):
        raise AssertionError("the data loader tried to use the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def write_idx(path, array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_bundled_subset_loads_offline_fast_and_ready_for_a_gan(bundled_copy, no_network, capsys):
    start = time.perf_counter()
    data = load_mnist(root=bundled_copy)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"loading took {elapsed:.2f} s"
    # the default split: the 4000 training digits, the 1000 held-out ones kept for honest scores
    assert data.images.shape == (4000, 1, 28, 28) and data.images.dtype == torch.float32
    assert data.images.min() == -1.0 and data.images.max() == 1.0
    assert torch.bincount(data.labels).tolist() == [400] * 10
    assert data.pixels.dtype == torch.uint8 and data.pixels.shape == (4000, 28, 28)
    assert "bundled subset" in data.source
    assert "4000 images" in capsys.readouterr().out
    assert len(load_mnist(root=bundled_copy, split="all", verbose=False)) == 5000


def test_limit_keeps_a_seeded_mixed_subset(bundled_copy):
    a = load_mnist(root=bundled_copy, limit=300, verbose=False)
    b = load_mnist(root=bundled_copy, limit=300, verbose=False)
    assert len(a) == 300 and torch.equal(a.labels, b.labels)
    assert len(torch.unique(a.labels)) == 10
    with pytest.raises(ValueError, match="limit should be a whole number"):
        load_mnist(root=bundled_copy, limit=0)


def test_unknown_source_lists_the_valid_ones(bundled_copy):
    with pytest.raises(ValueError, match="'auto', 'bundled', 'full'"):
        load_mnist(source="kaggle", root=bundled_copy)


def test_missing_file_says_how_to_restore_it(bundled_copy):
    (bundled_copy / BUNDLED_IMAGES[0]).unlink()
    with pytest.raises(DataFileError, match="is missing.*git checkout -- data/"):
        load_mnist(root=bundled_copy)


def test_corrupted_file_fails_its_checksum(bundled_copy):
    path = bundled_copy / BUNDLED_LABELS[0]
    corrupted = bytearray(path.read_bytes())
    corrupted[20] ^= 0xFF  # flip one byte
    path.write_bytes(bytes(corrupted))
    with pytest.raises(DataFileError, match="corrupted or was changed: its sha256"):
        load_mnist(root=bundled_copy)
    with pytest.raises(DataFileError, match="corrupted"):
        verify_file(path, BUNDLED_LABELS[1])


def test_read_idx_rejects_files_that_are_not_idx(tmp_path):
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress(b"hello world"))
    with pytest.raises(DataFileError, match="bad header"):
        read_idx(bad)
    short = tmp_path / "short"
    short.write_bytes(struct.pack(">HBBI", 0, 8, 1, 10) + b"\x01\x02")
    with pytest.raises(DataFileError, match="truncated"):
        read_idx(short)


def test_full_set_on_disk_is_preferred_and_full_source_demands_it(bundled_copy, no_network):
    with pytest.raises(DataFileError, match="download=True"):
        load_mnist(source="full", root=bundled_copy)
    raw = bundled_copy / "MNIST" / "raw"
    raw.mkdir(parents=True)
    pixels = np.random.default_rng(0).integers(0, 256, size=(64, 28, 28))
    write_idx(raw / "train-images-idx3-ubyte", pixels)
    write_idx(raw / "train-labels-idx1-ubyte", np.arange(64) % 10)
    data = load_mnist(root=bundled_copy, verbose=False)
    assert len(data) == 64 and "full training set" in data.source
    assert torch.equal(data.pixels, torch.from_numpy(pixels.astype(np.uint8)))
    assert len(load_mnist(source="bundled", root=bundled_copy, verbose=False)) == 4000


def test_a_failed_download_says_so_in_one_line_and_falls_back(bundled_copy, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    start = time.perf_counter()
    data = load_mnist(download=True, root=bundled_copy)
    assert time.perf_counter() - start < 30
    out = capsys.readouterr().out
    failure = [line for line in out.splitlines() if line.startswith("Could not download")]
    assert len(failure) == 1 and "bundled 5000-digit subset" in failure[0]
    assert len(data) == 4000


def test_classic_dataset_path_gives_transformed_pil_images(bundled_copy):
    dataset = mnist_dataset(transform=mnist_transform(), root=bundled_copy)
    image, label = dataset[0]
    assert image.shape == (1, 28, 28) and image.min() >= -1 and image.max() <= 1
    assert isinstance(label, int) and len(dataset) == 4000   # the held-out 1000 left out
    loader = torch.utils.data.DataLoader(dataset, batch_size=16, shuffle=True)
    x, y = next(iter(loader))
    assert x.shape == (16, 1, 28, 28) and y.shape == (16,)


def test_an_unreadable_full_set_falls_back_in_auto_mode_and_fails_in_full_mode(bundled_copy, capsys):
    raw = bundled_copy / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x08 half a download")
    write_idx(raw / "train-labels-idx1-ubyte", np.arange(10))
    data = load_mnist(root=bundled_copy)
    assert len(data) == 4000 and "Could not read the full MNIST" in capsys.readouterr().out
    with pytest.raises(DataFileError, match="not a readable gzip"):
        load_mnist(source="full", root=bundled_copy)


def test_data_dir_follows_the_environment_and_paths_print_short(tmp_path, monkeypatch):
    assert display_path(data_dir() / "x.gz") == "data/x.gz"
    assert display_path(tmp_path) == str(tmp_path)
    monkeypatch.setenv(settings.DATA_ENV_VAR, str(tmp_path))
    assert data_dir() == tmp_path
    assert not mnist.full_mnist_on_disk()


def test_the_split_holds_out_1000_digits_and_the_full_set_drops_their_copies(bundled_copy, no_network):
    train = load_mnist(source="bundled", root=bundled_copy, split="train", verbose=False)
    held_out = load_mnist(source="bundled", root=bundled_copy, split="held-out", verbose=False)
    assert len(train) == 4000 and len(held_out) == 1000
    assert torch.bincount(held_out.labels).tolist() == [100] * 10
    seen = {image.numpy().tobytes() for image in train.pixels}
    assert not any(image.numpy().tobytes() in seen for image in held_out.pixels)
    assert "held-out" in train.source and "held-out" in held_out.source
    assert len(load_mnist(source="bundled", root=bundled_copy, split="train", limit=300, verbose=False)) == 300
    with pytest.raises(ValueError, match="split must be one of"):
        load_mnist(source="bundled", root=bundled_copy, split="test")
    # a full set on disk that contains two of the held-out digits: training drops exactly those two
    raw = bundled_copy / "MNIST" / "raw"
    raw.mkdir(parents=True)
    others = np.random.default_rng(0).integers(0, 256, size=(62, 28, 28))
    pixels = np.concatenate([others, held_out.pixels[:2].numpy()])
    write_idx(raw / "train-images-idx3-ubyte", pixels)
    write_idx(raw / "train-labels-idx1-ubyte", np.arange(64) % 10)
    assert len(load_mnist(source="full", root=bundled_copy, split="train", verbose=False)) == 62
    with pytest.raises(ValueError, match="bundled"):
        load_mnist(source="full", root=bundled_copy, split="held-out")
