"""Save and restore a training run (models, optimizers, counters, history, random state): the file
format, the refusals of a file that does not fit, and which files a run may write over."""
import os
import pickletools
import uuid
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
    check_same_model(model, stored, name, path)
    load_weights(model, stored, name, path)


def load_weights(model: nn.Module, stored: dict, name: str, path: str | Path = "checkpoint") -> None:
    """Load the stored weights of a model already checked to be the same (``check_same_model``)."""
    try:
        model.load_state_dict(stored["state"])
    except RuntimeError as err:
        first = str(err).splitlines()[1].strip() if len(str(err).splitlines()) > 1 else str(err)
        raise CheckpointError(f"the weights of {name} in {path} do not fit your model ({first}).") from None


def check_same_model(model: nn.Module, stored: dict, name: str, path: str | Path = "checkpoint") -> None:
    """Refuse a stored model of another class or configuration, with both described."""
    mine = {"class": type(model).__name__, "config": dict(getattr(model, "config", {}))}
    theirs = {"class": stored.get("class"), "config": stored.get("config")}
    if theirs["class"] == mine["class"] and isinstance(theirs["config"], dict):
        theirs["config"] = full_config(type(model), theirs["config"])  # options added since it was saved
    if mine != theirs:
        raise CheckpointError(
            f"{path} holds a different {name}: it was saved from {_show(theirs)}, but yours is "
            f"{_show(mine)}. Build {name} with the saved arguments, or use load_model() to "
            f"rebuild it from the checkpoint.")


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


# --- a run's files: what a trainer saves and resumes ----------------------------------------------

RUN_PARTS = ("G", "D", "opt_G", "opt_D", "epoch", "step", "history", "fixed_noise", "rng")


class RunFiles:
    """The checkpoint files of one run. It saves over its own files; before its first save over
    a file it did not write, it keeps that file aside if it holds a run that trained longer."""

    def __init__(self):
        self.run_id = uuid.uuid4().hex      # tells this run's checkpoints from another run's
        self._written: dict[Path, tuple] = {}   # path -> (mtime, size) of our last save

    def save(self, path: Path, parts: dict) -> Path:
        path = Path(path)
        self._keep_other_run(path, parts["step"])
        save_checkpoint(path, **parts)
        self._written[path.resolve()] = _stamp(path)
        return path

    def continue_run(self, path: Path, payload: dict) -> None:
        """After a resume: this is that run, and its file is ours to save over."""
        self.run_id = payload["run"].get("id") or self.run_id
        self._written[Path(path).resolve()] = _stamp(Path(path))

    def _keep_other_run(self, path: Path, step: int) -> None:
        if not path.exists() or self._written.get(path.resolve()) == _stamp(path):
            return
        try:
            theirs = read_checkpoint(path)
        except CheckpointError:
            kept = keep_aside(path, "unreadable")
            print(f"{path} was not a checkpoint this course can read; kept it as {kept.name}.")
            return
        if theirs.get("run", {}).get("id") == self.run_id:
            return
        if theirs.get("step", 0) > step:
            kept = keep_aside(path, f"epoch{theirs.get('epoch', 0)}")
            print(f"{path} held another run, trained for {theirs.get('epoch')} epochs "
                  f"({theirs.get('step')} steps), more than this one: kept it as {kept.name} "
                  f"(load_model({str(kept)!r}) reads it).")
        else:
            print(f"{path} held another run of {theirs.get('step')} steps (this one has "
                  f"{step}): replacing it.")


def _stamp(path: Path) -> tuple:
    """What tells a file we wrote from one someone else wrote since: modification time and size."""
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def read_run(path: str | Path, kind: str) -> dict:
    """A checkpoint a trainer of ``kind`` (e.g. "GANTrainer (non-saturating)") can resume, refused
    by name before anything is restored: another trainer or loss family, or a file without a
    whole run in it. A switch between the two BCE losses is allowed (lesson 07 does it)."""
    path = Path(path)
    payload = read_checkpoint(path)
    payload.setdefault("run", _old_run_info(payload))
    stored = payload["run"]["kind"]
    if stored is not None and not (stored.split()[0] == kind.split()[0]
                                   and _loss_family(stored) == _loss_family(kind)):
        raise CheckpointError(f"{path} was saved by a {stored}, but this trainer is a {kind}: its "
                              f"optimizer state and figures would not fit. Resume it with a "
                              f"{stored.split()[0]} and the same loss.")
    missing = [part for part in RUN_PARTS if part not in payload]
    if "world_size" in payload and "rng" in missing:
        raise CheckpointError(f"{path} was saved by an earlier scripts/train_dcgan.py, whose "
                              f"checkpoints kept no random state, so its run cannot go on exactly. "
                              f"Its G still loads with load_model({str(path)!r}); to train on, "
                              f"start a new run.")
    if missing:
        raise CheckpointError(f"{path} holds models but not a whole run (it lacks "
                              f"{', '.join(missing)}), so a trainer cannot resume it; load_model() "
                              f"reads its models.")
    return payload


def _loss_family(kind: str) -> str:
    """Which losses a run can switch between on resuming: the two BCE losses are one family."""
    return "wgan" if "wgan" in kind else "hinge" if "hinge" in kind else "bce"


def _old_run_info(payload: dict) -> dict:
    """For checkpoints written before they recorded their run: the kind, told by the history."""
    columns = payload.get("history", {}).get("columns") or payload.get("history", {})
    return {"id": None, "kind": "WGANTrainer (wgan-gp)" if "wasserstein" in columns else None,
            "settings": None}


def resume_report(path: Path, epoch: int, step: int, settings: dict, stored: dict | None) -> str:
    """What a resumed run took from the checkpoint and what from the caller, differences named."""
    mine = {key: settings[key] for key in ("lr", "lr_D", "betas", "d_steps", "loss")}
    changed = [f"{key}: {stored[key]!r} -> {value!r}" for key, value in mine.items()
               if stored and key in stored and _as_tuple(stored[key]) != value]
    yours = ", ".join(f"{key}={value!r}" for key, value in mine.items())
    report = (f"Resumed {path} at epoch {epoch} (step {step}). From the checkpoint: the weights "
              f"of G and D, Adam's moments, the history, the fixed noise and the random state. "
              f"From your arguments: {yours}.")
    if changed:
        report += " Changed from the saved run: " + "; ".join(changed) + "."
    return report


def _as_tuple(value):
    return tuple(value) if isinstance(value, list) else value
