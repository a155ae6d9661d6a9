"""Generators trained by the course (scripts/train_pretrained.py) and shipped in data/pretrained/.

Each ``.pt`` is checked against the sha256 on its ``.json`` card every time it is loaded."""
import json
from pathlib import Path

import torch
from torch import nn

from .data.files import restore_hint, sha256_of
from .metrics.classifier import check_weights, read_card
from .models import build_model
from .settings import DataFileError, data_dir, get_device

PRETRAINED = {
    "mlp_gan": "the MLP GAN of lesson 03",
    "dcgan": "the 28x28 DCGAN of lesson 04",
    "cgan": "the 28x28 conditional DCGAN of lesson 05 (call it as G(z, labels))",
    "dcgan64_faces": "the 64x64 colour DCGAN of lesson 04, trained on the course's drawn faces",
}


class PretrainedError(RuntimeError):
    """A pretrained generator that does not exist, is missing, or is damaged."""


def pretrained_path(name: str) -> Path:
    return data_dir() / "pretrained" / f"{name}.pt"


def rebuild_command(name: str) -> str:
    """The command that retrains and rewrites a shipped generator and its card."""
    return f"python scripts/train_pretrained.py {name}"


def pretrained_card(name: str) -> dict:
    """The JSON record beside the weights: command, seed, epochs, wall time and scores."""
    _check_name(name)
    try:
        return read_card(pretrained_path(name), rebuild_command(name))
    except DataFileError as err:
        raise PretrainedError(str(err)) from None


def load_pretrained(name: str, device: str | torch.device = "cpu") -> nn.Module:
    """A generator the course trained: ``"mlp_gan"``, ``"dcgan"``, ``"cgan"`` or ``"dcgan64_faces"``.

    Returns it in eval mode on ``device`` (the CPU unless you name another), with ``G.latent_dim``;
    call ``G(z)`` (or ``G(z, labels)`` for the cgan) with z shaped (N, latent_dim) on that device to
    get (N, 1, 28, 28) digits, or (N, 3, 64, 64) faces from ``"dcgan64_faces"``.
    """
    _check_name(name)
    device = get_device(device)
    path = pretrained_path(name)
    try:
        check_weights(path, rebuild_command(name))
    except DataFileError as err:
        raise PretrainedError(str(err)) from None
    try:
        stored = torch.load(path, map_location="cpu", weights_only=True)
        G = build_model(stored["class"], stored["config"])
        G.load_state_dict({key: value.float() for key, value in stored["state"].items()})
    except Exception as err:
        raise PretrainedError(f"{path} matches its card but could not be read as a generator "
                              f"({type(err).__name__}). {restore_hint(path, rebuild_command(name))}"
                              ) from None
    return G.to(device).eval()


def save_pretrained(G: nn.Module, name: str, card: dict) -> Path:
    """Write G in half precision and its card (with the file's sha256); used by the script."""
    path = pretrained_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {key: value.half() if value.is_floating_point() else value
             for key, value in G.state_dict().items()}
    torch.save({"class": type(G).__name__, "config": G.config, "state": state}, path)
    card = {**card, "file": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return path


def _check_name(name: str) -> None:
    if not isinstance(name, str) or name not in PRETRAINED:
        valid = ", ".join(f'"{key}" ({text})' for key, text in PRETRAINED.items())
        close = f" (names are lower case: {name.lower()!r})" if (
            isinstance(name, str) and name.lower() in PRETRAINED) else ""
        raise PretrainedError(f"there is no pretrained generator called {name!r}{close}; the valid "
                              f"names are {valid}.")
