"""A hostile sweep of the data, metrics and pretrained rooms: every bad input is fixed, or refused
at once with a message saying what was expected, what came, and what to do. Nothing here touches
the real data/ folder or the network: files are copied to tmp_path, downloads are refused."""
import gzip
import json
import os
import shutil
import socket
import struct
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from test_data_folders import save_images
from test_data_mnist import bundled_copy, write_idx  # noqa: F401 (bundled_copy is a fixture)

from gan_utils import load_pretrained, settings, start_lesson
from gan_utils.data import files as files_module
from gan_utils.data import (DataFileError, ImageFolderError, ImageShapeError, InMemoryBatches,
                            denormalize, load_image_folder, load_mnist, mnist_dataset,
                            pixels_to_images)
from gan_utils.lesson import environment_checks
from gan_utils.metrics import (class_histogram, classify, conditional_accuracy, frechet_distance,
                               load_classifier, real_floor, score_generator)
from gan_utils.models import MLPGenerator
from gan_utils.pretrained import PretrainedError, pretrained_card

FULL_IMAGES, FULL_LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"


# ---- helpers -----------------------------------------------------------------------------------

@pytest.fixture
def course_copy(tmp_path, monkeypatch):
    """A private copy of the shipped data/ (subset, weights, cards), with GAN_COURSE_DATA on it."""
    copy = tmp_path / "data"
    shutil.copytree(settings.shipped_data(), copy, ignore=shutil.ignore_patterns("MNIST", "__pycache__", "*.py"))
    monkeypatch.setenv(settings.DATA_ENV_VAR, str(copy))
    return copy


@pytest.fixture
def offline(monkeypatch):
    """Every network connection fails at once, as on a machine without internet."""
    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def full_set(root, count=20, labels=None):
    """A small full-MNIST look-alike in root/MNIST/raw (plain IDX files); returns that folder."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    write_idx(raw / FULL_IMAGES, np.random.default_rng(0).integers(0, 256, (count, 28, 28)))
    write_idx(raw / FULL_LABELS, np.arange(count) % 10 if labels is None else labels)
    return raw


def flip_byte(path, offset):
    """Change one byte of a file, the smallest possible damage."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def digits(n=8):
    """A batch shaped like the course's digits: (n, 1, 28, 28) in [-1, 1] with a -1 background."""
    images = torch.full((n, 1, 28, 28), -1.0)
    images[:, :, 8:20, 12:16] = torch.linspace(-0.5, 1, n).view(n, 1, 1, 1)
    return images


# ---- the eight reported cases --------------------------------------------------------------------

def test_1_a_flipped_byte_in_the_classifier_is_refused_with_the_file_and_the_fix(course_copy):
    flip_byte(course_copy / "pretrained" / "digit_classifier.pt", 100_000)
    with pytest.raises(DataFileError, match=r"digit_classifier\.pt is corrupted or was changed.*"
                                            r"git checkout -- data/pretrained/.*train_classifier\.py"):
        load_classifier()
    with pytest.raises(DataFileError, match="digit_classifier.pt is corrupted"):
        classify(digits())


def test_2_metrics_refuse_real_images_in_zero_one_and_say_how_to_convert():
    zero_one = (digits(8) + 1) / 2
    with pytest.raises(ImageShapeError, match=r"reference should be in \[-1, 1\].*\[0, 1\] images"
                                              r".*reference \* 2 - 1"):
        score_generator(MLPGenerator(), zero_one, n=4)
    with pytest.raises(ImageShapeError, match=r"real_images \* 2 - 1"):
        real_floor(zero_one, 2)


def test_3_a_typo_in_GAN_COURSE_DATA_names_the_variable_its_value_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_DATA", str(tmp_path / "dta"))
    fix = r"GAN_COURSE_DATA is set to '.*dta'.*no folder there.*Fix the path.*unset"
    with pytest.raises(DataFileError, match=fix):
        load_mnist()
    with pytest.raises(DataFileError, match=fix):
        start_lesson()
    failed = [detail for passed, _, detail in environment_checks() if not passed]
    assert len(failed) == 1 and "GAN_COURSE_DATA is set to" in failed[0]


def test_4_a_full_mnist_file_cut_in_its_header_falls_back_loudly_or_refuses_by_name(bundled_copy,
                                                                                    capsys):
    raw = full_set(bundled_copy)
    (raw / FULL_IMAGES).write_bytes(struct.pack(">HBB", 0, 8, 3) + b"\x00\x00")  # 6 of 16 bytes
    data = load_mnist(root=bundled_copy, verbose=False)
    out = capsys.readouterr().out
    assert len(data) == 4000
    assert f"{FULL_IMAGES} is truncated: it ends inside its header" in out
    assert "delete it and download again with load_mnist(download=True)" in out
    assert "Using the bundled 5000-digit subset instead" in out
    with pytest.raises(DataFileError, match=f"{FULL_IMAGES} is truncated.*delete it and download again"):
        load_mnist(source="full", root=bundled_copy)


def test_5_a_failed_full_download_fails_fast_says_why_and_what_to_do(bundled_copy, offline, capsys):
    start = time.perf_counter()
    with pytest.raises(DataFileError, match=r"could not download the full MNIST \(.*network is "
                                            r"unreachable.*\).*copy .*MNIST/raw.*source='auto'"):
        load_mnist(source="full", download=True, root=bundled_copy)
    assert time.perf_counter() - start < 10
    assert "bundled" not in capsys.readouterr().out  # no false "using the bundled subset" line


def test_5_every_download_runs_under_a_network_timeout(bundled_copy, monkeypatch, capsys):
    seen = []

    class FakeMNIST:
        def __init__(self, *args, **kwargs):
            seen.append(socket.getdefaulttimeout())
            raise RuntimeError("Error downloading train-images-idx3-ubyte.gz:\ntimed out")
    monkeypatch.setattr("torchvision.datasets.MNIST", FakeMNIST)
    before = socket.getdefaulttimeout()
    assert load_mnist(download=True, root=bundled_copy, verbose=False) is not None
    assert seen == [10.0] and socket.getdefaulttimeout() == before
    assert "Could not download the full MNIST (timed out); using the bundled" in capsys.readouterr().out


def test_6_unreadable_images_are_named_with_the_fix_on_read_in_workers_and_all_at_once(tmp_path):
    save_images(tmp_path / "faces", 3)
    (tmp_path / "faces" / "notes.jpg").write_text("not a picture")
    good = (tmp_path / "faces" / "000.png").read_bytes()
    (tmp_path / "faces" / "cut.png").write_bytes(good[:len(good) // 2])
    dataset = load_image_folder(tmp_path, image_size=16)
    index = {Path(path).name: i for i, (path, _) in enumerate(dataset.samples)}
    with pytest.raises(ImageFolderError, match=r"notes\.jpg: it is not an image file.*Remove or replace"):
        dataset[index["notes.jpg"]]
    with pytest.raises(ImageFolderError, match=r"cut\.png: .*truncated.*Remove or replace"):
        dataset[index["cut.png"]]
    loader = torch.utils.data.DataLoader(dataset, batch_size=5, num_workers=1)
    with pytest.raises(ImageFolderError, match=r"cannot read the image .*(cut\.png|notes\.jpg)"):
        list(loader)
    with pytest.raises(ImageFolderError, match=r"2 of 5 files .* remove or replace them:\n.*cut\.png"
                                               r".*\n.*notes\.jpg"):
        load_image_folder(tmp_path, image_size=16, check_files=True)


def test_7_a_malformed_card_is_a_pretrained_error_naming_the_file_and_the_fix(course_copy):
    card = course_copy / "pretrained" / "dcgan.json"
    card.write_text(card.read_text()[:-20])
    fix = r"card .*dcgan\.json is not valid JSON.*git checkout -- data/pretrained/.*train_pretrained\.py dcgan"
    with pytest.raises(PretrainedError, match=fix):
        load_pretrained("dcgan")
    with pytest.raises(PretrainedError, match=fix):
        pretrained_card("dcgan")
    card.write_text("[1, 2]")
    with pytest.raises(PretrainedError, match=r"dcgan\.json should hold a JSON object"):
        load_pretrained("dcgan")


def test_8_a_card_without_a_checksum_or_no_card_never_skips_the_check(course_copy):
    folder = course_copy / "pretrained"
    card = json.loads((folder / "cgan.json").read_text())
    del card["sha256"]
    (folder / "cgan.json").write_text(json.dumps(card))
    with pytest.raises(PretrainedError, match=r"cgan\.json records no sha256 for cgan\.pt"):
        load_pretrained("cgan")
    (folder / "digit_classifier.json").unlink()
    with pytest.raises(DataFileError, match=r"digit_classifier\.json is missing, so "
                                            r"digit_classifier\.pt cannot be checked"):
        load_classifier()


def test_8_every_shipped_file_is_checked_by_the_environment_report(course_copy):
    flip_byte(course_copy / "pretrained" / "mlp_gan.pt", 5000)
    flip_byte(course_copy / "mnist5k-labels-idx1-ubyte.gz", 20)
    results = {detail.split()[0] if passed else detail: passed
               for passed, what, detail in environment_checks() if what in ("data", "weights")}
    assert results["mnist5k-images-idx3-ubyte.gz"] and results["digit_classifier.pt"]
    assert results["dcgan.pt"] and results["cgan.pt"]
    failed = [detail for detail, passed in results.items() if not passed]
    assert len(failed) == 2 and any("mlp_gan.pt is corrupted" in d for d in failed)
    assert any("mnist5k-labels-idx1-ubyte.gz is corrupted" in d for d in failed)


# ---- float64, NumPy and other dtypes at the entry points ---------------------------------------

def test_in_memory_batches_take_float64_and_numpy_images_as_float32():
    for images in (digits(6).double(), digits(6).numpy(), digits(6).double().numpy()):
        x = next(iter(InMemoryBatches(images, batch_size=3, seed=0)))
        assert x.dtype == torch.float32 and x.shape == (3, 1, 28, 28)


def test_in_memory_batches_refuse_pixels_with_the_conversion():
    pixels = torch.randint(0, 256, (6, 1, 28, 28), dtype=torch.uint8)
    with pytest.raises(ImageShapeError, match=r"should be floats, got dtype torch.uint8.*pixels_to_images"):
        InMemoryBatches(pixels, batch_size=2)
    with pytest.raises(ImageShapeError, match="look like 0..255 pixels"):
        InMemoryBatches(pixels.float(), batch_size=2)


@pytest.mark.parametrize("labels", [torch.arange(6, dtype=torch.int32), torch.arange(6, dtype=torch.uint8),
                                    torch.arange(6) % 2 == 0, np.arange(6), list(range(6))])
def test_in_memory_batches_turn_integer_labels_of_any_kind_into_long(labels):
    _, y = next(iter(InMemoryBatches(digits(6), batch_size=3, labels=labels, shuffle=False)))
    assert y.dtype == torch.long and y.tolist() == torch.as_tensor(np.asarray(labels)).long()[:3].tolist()


@pytest.mark.parametrize("labels, message", [
    (torch.arange(6.0), r"whole class numbers.*got dtype torch.float32.*labels.long\(\)"),
    (torch.eye(6), r"looks one-hot: use labels.argmax\(1\)"),
    (torch.tensor([0, 1, -1, 2, 3, 4]), "got a negative one"),
    (torch.arange(5), "labels has 5 entries but images has 6: give one label per image"),
])
def test_in_memory_batches_refuse_labels_that_are_not_class_numbers(labels, message):
    with pytest.raises(ImageShapeError, match=message):
        InMemoryBatches(digits(6), batch_size=3, labels=labels)


# ---- the sweep: batches and pixels ---------------------------------------------------------------

def test_sweep_empty_images_are_refused_not_batched_into_nothing():
    with pytest.raises(ImageShapeError, match=r"images is empty, shape \(0, 1, 28, 28\)"):
        InMemoryBatches(digits(4)[:0], batch_size=2, drop_last=False)


def test_sweep_batch_size_true_is_refused_and_a_numpy_integer_works():
    with pytest.raises(ValueError, match="batch_size should be a whole number.*True"):
        InMemoryBatches(digits(4), batch_size=True)
    assert InMemoryBatches(digits(4), batch_size=np.int64(2)).batch_size == 2


def test_sweep_a_device_that_is_not_here_is_refused_clearly():
    with pytest.raises(ValueError, match="'gpu' is not a device name; use 'cpu', 'cuda'"):
        InMemoryBatches(digits(4), batch_size=2, device="gpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available here; use get_device"):
            InMemoryBatches(digits(4), batch_size=2, device="cuda")
    with pytest.raises(ValueError, match="'gpu' is not a device name"):
        load_pretrained("dcgan", device="gpu")


def test_sweep_passing_the_mnist_record_instead_of_its_images_says_to_pass_images(bundled_copy):
    data = load_mnist(root=bundled_copy, limit=20, verbose=False)
    with pytest.raises(ImageShapeError, match=r"got MnistData. It holds its images in .images"):
        InMemoryBatches(data, batch_size=4)
    with pytest.raises(ImageShapeError, match=r"reference should be a torch.Tensor, got MnistData"):
        score_generator(MLPGenerator(), data, n=4)


def test_sweep_pixels_to_images_takes_numpy_and_refuses_one_image_or_wide_integers():
    images = pixels_to_images(np.full((2, 28, 28), 255, dtype=np.uint8))
    assert images.shape == (2, 1, 28, 28) and images.eq(1).all()
    with pytest.raises(ImageShapeError, match=r"got \(28, 28\). For one image use pixels.unsqueeze\(0\)"):
        pixels_to_images(torch.zeros(28, 28, dtype=torch.uint8))
    with pytest.raises(ImageShapeError, match=r"got dtype torch.int64.*\.to\(torch.uint8\)"):
        pixels_to_images(torch.full((2, 28, 28), 200))


def test_sweep_denormalize_refuses_pixels_instead_of_showing_them_all_white():
    with pytest.raises(ImageShapeError, match="expects float images in \\[-1, 1\\], got torch.uint8"):
        denormalize(torch.full((1, 1, 2, 2), 200, dtype=torch.uint8))


# ---- the sweep: MNIST ----------------------------------------------------------------------------

def test_sweep_download_with_the_bundled_source_is_refused_before_any_network(bundled_copy, offline):
    with pytest.raises(ValueError, match="source='bundled' would not use it: leave out download=True"):
        load_mnist(source="bundled", download=True, root=bundled_copy)


def test_sweep_limit_true_is_refused_and_a_limit_beyond_the_data_says_so(bundled_copy, capsys):
    with pytest.raises(ValueError, match="limit should be a whole number.*True"):
        load_mnist(root=bundled_copy, limit=True)
    assert len(load_mnist(root=bundled_copy, limit=10**6, verbose=False)) == 4000
    assert "limit=1000000 is more than the 4000 digits available: using all 4000" in capsys.readouterr().out


def test_sweep_a_root_that_is_no_folder_is_named_as_such(tmp_path):
    with pytest.raises(DataFileError, match=r"root='.*nowhere' is not a folder.*leave root out"):
        load_mnist(root=tmp_path / "nowhere")


def test_sweep_GAN_COURSE_DATA_on_a_folder_without_the_files_says_to_copy_or_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_DATA", str(tmp_path))
    with pytest.raises(DataFileError, match=r"mnist5k-images-idx3-ubyte.gz is missing. Copy it again "
                                            r"from the course's data/.*GAN_COURSE_DATA points to .*unset"):
        load_mnist()


def test_sweep_a_shipped_file_of_an_installed_course_is_restored_by_reinstalling(tmp_path, monkeypatch):
    from gan_utils.data.files import display_path, restore_hint
    monkeypatch.setattr(settings, "clone_root", lambda: None)   # as in a wheel: no git to restore from
    monkeypatch.setattr(files_module, "clone_root", lambda: None)
    monkeypatch.chdir(tmp_path)
    weights = settings.shipped_data() / "pretrained" / "dcgan.pt"
    assert display_path(weights) == "gan_utils/course_data/pretrained/dcgan.pt"
    hint = restore_hint(weights, "python scripts/train_pretrained.py dcgan")
    assert "pip install --force-reinstall --no-deps" in hint and "git checkout" not in hint


def test_sweep_full_mnist_labels_outside_0_to_9_or_mismatched_files_are_refused(bundled_copy, capsys):
    full_set(bundled_copy, labels=np.arange(20) + 240)
    with pytest.raises(DataFileError, match=f"{FULL_LABELS} should hold one digit 0..9 per image.*up to 255"):
        load_mnist(source="full", root=bundled_copy)
    full_set(bundled_copy, labels=np.arange(15) % 10)
    with pytest.raises(DataFileError, match=r"do not match: .* has 20 images, .* has 15 labels"):
        load_mnist(source="full", root=bundled_copy)


def test_sweep_the_classic_dataset_uses_the_full_set_that_load_mnist_uses(bundled_copy):
    raw = full_set(bundled_copy, count=30)
    for name in (FULL_IMAGES, FULL_LABELS):  # only the .gz training files, as many mirrors ship them
        (raw / f"{name}.gz").write_bytes(gzip.compress((raw / name).read_bytes()))
        (raw / name).unlink()
    assert len(mnist_dataset(root=bundled_copy)) == 30  # torchvision would want the test files too
    assert len(load_mnist(root=bundled_copy, verbose=False)) == 30


def test_sweep_an_unreadable_full_mnist_file_falls_back_by_name(bundled_copy, monkeypatch, capsys):
    full_set(bundled_copy)
    read = Path.read_bytes

    def denied(self):
        if self.name == FULL_IMAGES:
            raise PermissionError(13, "Permission denied", str(self))
        return read(self)
    monkeypatch.setattr(Path, "read_bytes", denied)
    assert len(load_mnist(root=bundled_copy, verbose=False)) == 4000
    assert f"could not read {bundled_copy / 'MNIST' / 'raw' / FULL_IMAGES} (Permission denied)" in \
        capsys.readouterr().out


# ---- the sweep: image folders --------------------------------------------------------------------

def test_sweep_hidden_folders_and_macos_dot_underscore_files_are_skipped(tmp_path):
    save_images(tmp_path / "faces", 2)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / "faces" / "._000.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    dataset = load_image_folder(tmp_path, image_size=16)
    assert len(dataset) == 2 and dataset.classes == ["faces"]
    assert all(x.shape == (3, 16, 16) for x, _ in dataset)


def test_sweep_an_empty_class_subfolder_is_named(tmp_path):
    save_images(tmp_path / "faces", 2)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImageFolderError, match="subfolder.s. empty of .* hold no images.*put images in "
                                               "it, or move it out"):
        load_image_folder(tmp_path)


def test_sweep_a_file_or_an_archive_as_root_is_called_a_file(tmp_path):
    archive = tmp_path / "celeba.zip"
    archive.write_bytes(b"PK\x03\x04")
    with pytest.raises(ImageFolderError, match=r"celeba.zip is a file, not a folder.*unpack it first"):
        load_image_folder(archive)


def test_sweep_root_none_is_refused_and_a_home_relative_root_is_expanded(tmp_path, monkeypatch):
    with pytest.raises(ImageFolderError, match="root should be the path of your image folder.*None"):
        load_image_folder(None)
    save_images(tmp_path / "celeba" / "faces", 1)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert len(load_image_folder("~/celeba", image_size=16)) == 1


def test_sweep_a_broken_link_is_named_as_one(tmp_path):
    save_images(tmp_path / "faces", 1)
    os.symlink(tmp_path / "gone.png", tmp_path / "faces" / "link.png")
    dataset = load_image_folder(tmp_path, image_size=16)
    with pytest.raises(ImageFolderError, match=r"link.png: No such file or directory \(a link whose "
                                               r"target is gone\). Remove or replace"):
        [item for item in dataset]


def test_sweep_an_unreadable_image_is_named_with_the_reason(tmp_path, monkeypatch):
    save_images(tmp_path / "faces", 1)

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))
    dataset = load_image_folder(tmp_path, image_size=16)
    monkeypatch.setattr(Image, "open", denied)
    with pytest.raises(ImageFolderError, match=r"000.png: Permission denied. Remove or replace"):
        dataset[0]


def test_sweep_a_16_bit_grayscale_png_keeps_its_range_instead_of_turning_white(tmp_path):
    (tmp_path / "scans").mkdir()
    ramp = np.linspace(0, 65535, 32 * 32).reshape(32, 32).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "scans" / "ramp.png")
    x, _ = load_image_folder(tmp_path, image_size=32, channels=1)[0]
    assert x.min() < -0.95 and x.max() > 0.95 and x.mean().abs() < 0.05


def test_sweep_channels_true_and_absurd_image_sizes_are_refused(tmp_path):
    save_images(tmp_path / "faces", 1)
    with pytest.raises(ImageShapeError, match=r"channels should be 1 \(grayscale\) or 3 \(RGB\), got True"):
        load_image_folder(tmp_path, channels=True)
    with pytest.raises(ImageShapeError, match="image_size=100000 pixels a side .* from 8 to 1024"):
        load_image_folder(tmp_path, image_size=100_000)
    with pytest.raises(ValueError, match="image_size should be a whole number.*-64"):
        load_image_folder(tmp_path, image_size=-64)


# ---- the sweep: metrics and pretrained -----------------------------------------------------------

def test_sweep_the_scores_refuse_an_empty_batch_clearly():
    for score in (classify, class_histogram):
        with pytest.raises(ImageShapeError, match=r"images is empty, shape \(0, 1, 28, 28\)"):
            score(digits(2)[:0])


def test_sweep_real_floor_refuses_too_small_n_and_zero_repeats():
    with pytest.raises(ValueError, match="n should be a whole number.*2.*got 1"):
        real_floor(digits(8), 1)
    with pytest.raises(ValueError, match="repeats should be a whole number.*got 0"):
        real_floor(digits(8), 2, repeats=0)


def test_sweep_score_generator_refuses_what_is_not_a_generator_or_too_few_images():
    with pytest.raises(TypeError, match=r"G should be a generator.*got Linear.*Pass G"):
        score_generator(torch.nn.Linear(3, 1), digits(8), n=4)
    with pytest.raises(ValueError, match="reference has 3 and train 4000 image.s.; the scores need at least 4"):
        score_generator(MLPGenerator(), digits(3), n=4)
    with pytest.raises(ValueError, match="n should be a whole number.*got 1"):
        score_generator(MLPGenerator(), digits(8), n=1)


@pytest.mark.parametrize("labels, message", [
    (torch.arange(8) + 10, "labels should be digits 0..9.*up to 17"),
    (torch.arange(8) + 0.7, "whole class numbers"),
    (torch.eye(8, 10), "looks one-hot"),
])
def test_sweep_conditional_accuracy_refuses_labels_that_are_not_digits(labels, message):
    with pytest.raises(ValueError, match=message):
        conditional_accuracy(digits(8), labels)


def test_sweep_frechet_distance_on_numpy_says_how_to_convert():
    with pytest.raises(ImageShapeError, match=r"images_a should be a torch.Tensor, got ndarray. "
                                              r"Convert it with torch.from_numpy"):
        frechet_distance(digits(4).numpy(), digits(4))


def test_sweep_pretrained_names_in_capitals_or_not_strings_list_the_valid_ones():
    with pytest.raises(PretrainedError, match="'DCGAN' .names are lower case: 'dcgan'.*\"mlp_gan\""):
        load_pretrained("DCGAN")
    with pytest.raises(PretrainedError, match=r"called \['dcgan'\]; the valid names"):
        load_pretrained(["dcgan"])
