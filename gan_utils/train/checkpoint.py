"""Save and restore a training run (models, optimizers, counters, history, random state)."""
import os
import pickletools
import zipfile
from pathlib import Path

import torch
from torch import nn

from ..models import MODEL_CLASSES, build_model
from ..models.config import full_config

FORMAT = "gan-course-checkpoint/1"


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, damaged, or saved from a different model."""


def describe_model(model: nn.Module) -> dict:
    """What rebuilds a model: its class name, its constructor arguments and its weights."""
    return {"class": type(model).__name__, "config": dict(getattr(model, "config", {})),
            "state": model.state_dict()}


def save_checkpoint(path: str | Path, **parts) -> Path:
    """Write ``parts`` (models become class + config + weights) to ``path`` atomically.

    The file is written next to its final name and then renamed, so an interruption while
    saving never leaves a half-written checkpoint in place of a good one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT}
    for name, value in parts.items():
        if isinstance(value, nn.Module):
            value = describe_model(value)
        elif isinstance(value, torch.optim.Optimizer):
            value = value.state_dict()
        payload[name] = value
    temporary = path.with_name(f"{path.name}.{os.getpid()}.partial")  # one per process: no clash
    try:
        torch.save(payload, temporary)
        os.replace(temporary, path)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise CheckpointError(f"could not write the checkpoint {path} ({err.strerror or err}). "
                              f"Nothing in memory is lost: free some space or pick another "
                              f"checkpoint_path, then save again.") from None
    return path


def check_checkpoint_path(path: str | Path) -> Path:
    """Refuse, before any training, a checkpoint path that is a folder or cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"checkpoint_path {path} is a folder; give a file name inside it, "
                              f"e.g. {path / 'checkpoint.pt'}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CheckpointError(f"cannot create the folder {path.parent} for checkpoint_path "
                              f"({err.strerror or err}); pick a folder you can write to.") from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CheckpointError(f"checkpoint_path {path} cannot be written (no permission); pick a "
                              f"folder you can write to, such as output_dir('my_run').")
    return path


def keep_aside(path: Path, label: str) -> Path:
    """Rename ``path`` to a free name with ``label`` in it (checkpoint.epoch50.pt) and return it."""
    for n in range(1, 10_000):
        suffix = f".{label}" if n == 1 else f".{label}-{n}"
        kept = path.with_name(f"{path.stem}{suffix}{path.suffix}")
        if not kept.exists():
            os.replace(path, kept)
            return kept
    raise CheckpointError(f"too many kept copies of {path}; delete the ones you do not need.")


def read_checkpoint(path: str | Path) -> dict:
    """Load a checkpoint file into a dict, with a clear error if it is missing or damaged."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}: train first, or check the file name.")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        if _pickled_module(path):
            raise CheckpointError(
                f"{path} holds a whole model saved with torch.save(model), not a gan_utils "
                f"checkpoint. Load it with torch.load(path, weights_only=False) (only for files you "
                f"trust), and save runs with trainer.save_checkpoint(path) from now on.") from None
        raise CheckpointError(f"{path} is not a readable checkpoint (it may be damaged or "
                              f"incomplete: {type(err).__name__}). Delete it and train again, or "
                              f"restore a good copy.") from None
    if isinstance(payload, dict) and payload and all(isinstance(v, torch.Tensor) for v in payload.values()):
        raise CheckpointError(f"{path} holds a state_dict (weights only, saved with "
                              f"torch.save(model.state_dict())), not a gan_utils checkpoint: load it "
                              f"with model.load_state_dict(torch.load(path)) into a model you built.")
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint written by gan_utils "
                              f"(expected format {FORMAT!r}).")
    return payload


def _pickled_module(path: Path) -> bool:
    """True when a torch.save file pickles an nn.Module (read from its opcodes, nothing is run)."""
    try:
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.endswith("data.pkl"))
            opcodes = list(pickletools.genops(archive.read(name)))
    except Exception:
        return False
    strings = [arg for _, arg, _ in opcodes if isinstance(arg, str)]
    return any("torch.nn.modules" in s or "gan_utils.models" in s for s in strings)


def restore_model(model: nn.Module, stored: dict, name: str, path: str | Path = "checkpoint") -> None:
    """Load stored weights into ``model``, refusing a different architecture with both described."""
    mine = {"class": type(model).__name__, "config": dict(getattr(model, "config", {}))}
    theirs = {"class": stored.get("class"), "config": stored.get("config")}
    if theirs["class"] == mine["class"] and isinstance(theirs["config"], dict):
        theirs["config"] = full_config(type(model), theirs["config"])  # options added since it was saved
    if mine != theirs:
        raise CheckpointError(
            f"{path} holds a different {name}: it was saved from {_show(theirs)}, but yours is "
            f"{_show(mine)}. Build {name} with the saved arguments, or use load_model() to "
            f"rebuild it from the checkpoint.")
    try:
        model.load_state_dict(stored["state"])
    except RuntimeError as err:
        first = str(err).splitlines()[1].strip() if len(str(err).splitlines()) > 1 else str(err)
        raise CheckpointError(f"the weights of {name} in {path} do not fit your model ({first}).") from None


def load_model(path: str | Path, name: str = "G", device: str | torch.device = "cpu") -> nn.Module:
    """Rebuild a saved model (by default the generator) from a checkpoint, in eval mode."""
    payload = read_checkpoint(path)
    if name not in payload:
        raise CheckpointError(f"{path} has no model called {name!r}; it holds "
                              f"{', '.join(k for k in payload if k != 'format')}.")
    stored = payload[name]
    if stored.get("class") not in MODEL_CLASSES:
        raise CheckpointError(f"{path}: unknown model class {stored.get('class')!r} for {name}.")
    model = build_model(stored["class"], stored["config"])
    restore_model(model, stored, name, path)
    return model.to(device).eval()


def _show(description: dict) -> str:
    arguments = ", ".join(f"{k}={v!r}" for k, v in (description["config"] or {}).items())
    return f"{description['class']}({arguments})"
