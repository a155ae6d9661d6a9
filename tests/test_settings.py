import random

import numpy as np
import pytest
import torch

from gan_utils import settings


def test_fast_mode_follows_the_environment_variable(monkeypatch):
    monkeypatch.setenv(settings.FAST_ENV_VAR, "1")
    assert settings.is_fast() and settings.mode_name() == "fast"
    assert settings.scaled(full=20, fast=1) == 1
    monkeypatch.setenv(settings.FAST_ENV_VAR, "0")
    assert not settings.is_fast() and settings.mode_name() == "full"
    assert settings.scaled(full=20, fast=1) == 20
    monkeypatch.delenv(settings.FAST_ENV_VAR)
    assert settings.scaled(full="all", fast="some") == "all"


def test_an_unclear_mode_value_says_what_to_use(monkeypatch):
    monkeypatch.setenv(settings.FAST_ENV_VAR, "maybe")
    with pytest.raises(ValueError, match="set it to 1 for fast mode or 0"):
        settings.is_fast()


def test_device_is_a_torch_device_and_cpu_always_works():
    assert isinstance(settings.get_device(), torch.device)
    assert settings.get_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_asking_for_a_missing_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="CUDA is not available"):
        settings.get_device("cuda")


def test_seeding_repeats_every_generator():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()
    settings.seed_everything(3)
    first = draw()
    settings.seed_everything(3)
    assert draw() == first
    with pytest.raises(ValueError, match="non-negative integer"):
        settings.seed_everything(-1)


def test_output_dir_is_created_under_the_override(tmp_path, monkeypatch):
    from gan_utils.settings import output_dir
    monkeypatch.setenv("GAN_COURSE_OUTPUTS", str(tmp_path / "outs"))
    folder = output_dir("03_mlp_gan")
    assert folder == tmp_path / "outs" / "03_mlp_gan" and folder.is_dir()


def test_output_dir_is_outputs_in_the_clone_inside_it_and_beside_the_lessons_elsewhere(tmp_path, monkeypatch):
    monkeypatch.delenv("GAN_COURSE_OUTPUTS", raising=False)
    clone = settings.clone_root()
    assert clone is not None and (clone / "gan_utils" / "settings.py").is_file()
    monkeypatch.chdir(clone / "notebooks" / "zh")   # a lesson of the clone: outputs/ at its root, as always
    assert settings.course_folder() == clone and settings.downloads_dir() == clone / "data"
    monkeypatch.chdir(tmp_path)   # a folder of copied lessons: their own outputs/
    folder = settings.output_dir("03_mlp_gan")
    assert folder == tmp_path.resolve() / "outputs" / "03_mlp_gan" and folder.is_dir()
    assert settings.downloads_dir() == tmp_path.resolve() / "data"


def test_an_installed_package_reads_its_shipped_files_and_refuses_to_write_inside_itself(tmp_path, monkeypatch):
    monkeypatch.delenv("GAN_COURSE_OUTPUTS", raising=False)
    monkeypatch.delenv("GAN_COURSE_DATA", raising=False)
    monkeypatch.setattr(settings, "clone_root", lambda: None)   # as in a wheel in site-packages
    assert settings.data_dir() == settings.shipped_data()
    assert (settings.shipped_data() / "pretrained" / "dcgan.json").is_file()
    monkeypatch.chdir(tmp_path)
    assert settings.output_dir() == tmp_path.resolve() / "outputs"
    monkeypatch.chdir(settings.shipped_data().parent / "gan_utils" / "models")   # a kernel started inside the package
    with pytest.raises(OSError, match="runs inside the installed course package.*gan-course copy"):
        settings.output_dir("03_mlp_gan")


def test_a_deleted_working_folder_is_named_as_such(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(OSError, match="no longer exists.*restart the kernel"):
        settings.course_folder()
