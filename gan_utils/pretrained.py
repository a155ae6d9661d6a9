"""Generators trained by the course (scripts/train_pretrained.py) and shipped in data/pretrained/."""
import json
from pathlib import Path

import torch
from torch import nn

from .data.mnist import data_dir
from .metrics.classifier import file_sha256
from .models import build_model

PRETRAINED = {
    "mlp_gan": "the MLP GAN of lesson 03",
    "dcgan": "the 28x28 DCGAN of lesson 04",
    "cgan": "the 28x28 conditional DCGAN of lesson 05 (call it as G(z, labels))",
}


class PretrainedError(RuntimeError):
    """A pretrained generator that does not exist, is missing, or is damaged."""


def pretrained_path(name: str) -> Path:
    return data_dir() / "pretrained" / f"{name}.pt"


def pretrained_card(name: str) -> dict:
    """The JSON record beside the weights: command, seed, epochs, wall time and scores."""
    _check_name(name)
    return json.loads(pretrained_path(name).with_suffix(".json").read_text())


def load_pretrained(name: str, device: str | torch.device = "cpu") -> nn.Module:
    """A generator the course trained: ``"mlp_gan"``, ``"dcgan"`` or ``"cgan"``.

    Returns it in eval mode on ``device`` (the CPU unless you name another), with ``G.latent_dim``;
    call ``G(z)`` (or ``G(z, labels)`` for the cgan) with z shaped (N, latent_dim) on that device to
    get (N, 1, 28, 28) images.
    """
    _check_name(name)
    path = pretrained_path(name)
    if not path.is_file():
        raise PretrainedError(f"the pretrained weights {path} are missing: restore them from git "
                              f"(git checkout -- data/pretrained) or rebuild them with "
                              f"scripts/train_pretrained.py {name}.")
    card_path = path.with_suffix(".json")
    expected = json.loads(card_path.read_text()).get("sha256") if card_path.is_file() else None
    if expected and file_sha256(path) != expected:
        raise PretrainedError(f"{path} is damaged or was changed (its checksum does not match "
                              f"{card_path.name}): restore it with git checkout -- data/pretrained, "
                              f"or rebuild it with scripts/train_pretrained.py {name}.")
    try:
        stored = torch.load(path, map_location="cpu", weights_only=True)
        G = build_model(stored["class"], stored["config"])
        G.load_state_dict({key: value.float() for key, value in stored["state"].items()})
    except Exception as err:
        raise PretrainedError(f"{path} could not be read as a generator ({type(err).__name__}); "
                              f"restore it with git checkout -- data/pretrained.") from None
    return G.to(device).eval()


def save_pretrained(G: nn.Module, name: str, card: dict) -> Path:
    """Write G in half precision and its card (with the file's sha256); used by the script."""
    path = pretrained_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {key: value.half() if value.is_floating_point() else value
             for key, value in G.state_dict().items()}
    torch.save({"class": type(G).__name__, "config": G.config, "state": state}, path)
    card = {**card, "file": path.name, "bytes": path.stat().st_size, "sha256": file_sha256(path)}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return path


def _check_name(name: str) -> None:
    if name not in PRETRAINED:
        valid = ", ".join(f'"{key}" ({text})' for key, text in PRETRAINED.items())
        raise PretrainedError(f"there is no pretrained generator called {name!r}; the valid names "
                              f"are {valid}.")
