import shutil

import pytest
import torch

from gan_utils import load_pretrained
from gan_utils.data.mnist import data_dir
from gan_utils.pretrained import PRETRAINED, PretrainedError, pretrained_card


@pytest.mark.parametrize("name", list(PRETRAINED))
def test_each_pretrained_generator_loads_and_draws_digits_shaped_images(name):
    G = load_pretrained(name)
    assert not G.training and next(G.parameters()).device.type == "cpu"
    z = torch.randn(4, G.latent_dim)
    images = G(z, torch.tensor([0, 1, 2, 3])) if name == "cgan" else G(z)
    assert images.shape == (4, 1, 28, 28) and images.abs().max() <= 1
    card = pretrained_card(name)
    assert card["command"].endswith(name) and card["wall_time_seconds"] < 15 * 60


def test_an_unknown_name_lists_the_valid_ones():
    with pytest.raises(PretrainedError, match='"mlp_gan".*"dcgan".*"cgan"'):
        load_pretrained("stylegan")


@pytest.fixture
def copied_data(tmp_path, monkeypatch):
    shutil.copytree(data_dir() / "pretrained", tmp_path / "pretrained")
    monkeypatch.setenv("GAN_COURSE_DATA", str(tmp_path))
    return tmp_path / "pretrained"


def test_a_corrupted_file_gets_a_clear_error(copied_data):
    weights = copied_data / "dcgan.pt"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(PretrainedError, match="dcgan.pt is corrupted or was changed"):
        load_pretrained("dcgan")
    (copied_data / "dcgan.json").unlink()  # no card, no checksum: refused, not loaded unchecked
    with pytest.raises(PretrainedError, match="card .*dcgan.json is missing, so dcgan.pt cannot be checked"):
        load_pretrained("dcgan")


def test_a_missing_file_says_how_to_restore_it(copied_data):
    (copied_data / "cgan.pt").unlink()
    with pytest.raises(PretrainedError, match="git checkout -- data/pretrained"):
        load_pretrained("cgan")


def test_the_pretrained_cgan_draws_the_requested_digit():
    scores = pretrained_card("cgan")["scores"]
    assert scores["conditional_accuracy"] >= 0.95 and min(scores["per_class_accuracy"]) >= 0.85
