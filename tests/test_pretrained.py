import shutil

import pytest
import torch
from PIL import Image

from gan_utils import load_pretrained
from gan_utils.data.files import sha256_of
from gan_utils.settings import data_dir
from gan_utils.pretrained import PRETRAINED, PretrainedError, pretrained_card


@pytest.mark.parametrize("name", list(PRETRAINED))
def test_each_pretrained_generator_loads_and_draws_images_of_its_shape(name):
    G = load_pretrained(name)
    assert not G.training and next(G.parameters()).device.type == "cpu"
    z = torch.randn(4, G.latent_dim)
    images = G(z, torch.tensor([0, 1, 2, 3])) if name == "cgan" else G(z)
    shape = (4, 3, 64, 64) if name == "dcgan64_faces" else (4, 1, 28, 28)
    assert images.shape == shape and images.abs().max() <= 1
    card = pretrained_card(name)
    assert card["command"].endswith(name) and card["wall_time_seconds"] < 60 * 60


def test_the_face_generator_card_names_its_training_command_and_its_progress_gif():
    card = pretrained_card("dcgan64_faces")
    assert card["train_command"].startswith("python scripts/train_dcgan.py --dataset faces")
    assert f"--epochs {card['epochs']}" in card["train_command"]
    assert card["steps"] == card["epochs"] * (16000 // card["batch_size"])
    gif = data_dir() / "pretrained" / card["progress_gif"]["file"]
    assert sha256_of(gif) == card["progress_gif"]["sha256"]
    with Image.open(gif) as animation:
        assert animation.n_frames >= 10 and animation.size == (200, 200)


def test_the_face_generator_uses_its_latent_code():
    """Different z, different faces: not one face for every code (mode collapse)."""
    G = load_pretrained("dcgan64_faces")
    with torch.no_grad():
        faces = G(torch.randn(64, G.latent_dim, generator=torch.Generator().manual_seed(0)))
    per_pixel_spread = faces.std(dim=0).mean().item()
    assert per_pixel_spread > 0.25, per_pixel_spread


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
