"""Fast/full mode, the compute device, seeding, and where the course's files are: the few knobs
every lesson shares."""
import importlib.resources
import os
import random
from pathlib import Path

# torch and numpy load in the functions that use them, so that the gan-course command and a class's
# hub (which only copy lessons) start in a second instead of waiting for torch

FAST_ENV_VAR = "GAN_COURSE_FAST"
OUTPUTS_ENV_VAR = "GAN_COURSE_OUTPUTS"
DATA_ENV_VAR = "GAN_COURSE_DATA"
SHIPPED_PACKAGE = "gan_utils.course_data"   # data/ in a clone, gan_utils/course_data/ in a wheel (pyproject.toml)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_fast() -> bool:
    """True when fast mode is on (``GAN_COURSE_FAST=1``): fewer epochs and less data, for CI."""
    value = os.environ.get(FAST_ENV_VAR, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{FAST_ENV_VAR}={os.environ[FAST_ENV_VAR]!r} is not understood: "
                     f"set it to 1 for fast mode or 0 (or leave it unset) for full mode.")


def mode_name() -> str:
    """'fast' or 'full', for printing."""
    return "fast" if is_fast() else "full"


def scaled(full, fast):
    """Pick the full-mode value or the fast-mode one, e.g. ``num_epochs = scaled(20, 1)``."""
    return fast if is_fast() else full


def get_device(prefer: str | None = None) -> "torch.device":
    """The best device here: CUDA, then Apple's MPS, then the CPU (or ``prefer`` if it exists)."""
    import torch
    if prefer is not None:
        try:
            device = torch.device(prefer)
        except (RuntimeError, TypeError):
            raise ValueError(f"device {prefer!r} is not a device name; use 'cpu', 'cuda', 'cuda:1' "
                             f"or 'mps', or get_device() to pick what this machine has.") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"device {prefer!r} was asked for but CUDA is not available here; "
                             f"use get_device() to pick what this machine has.")
        if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"device {prefer!r} was asked for but this machine has "
                             f"{torch.cuda.device_count()} GPU(s), numbered from 0.")
        if device.type == "mps" and not _mps_available():
            raise ValueError(f"device {prefer!r} was asked for but Apple MPS is not available here; "
                             f"use get_device() to pick what this machine has.")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available() -> bool:
    import torch
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def seed_everything(seed: int = 0) -> int:
    """Seed Python, NumPy and PyTorch so a lesson draws the same numbers every run."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    import numpy as np
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return seed


def clone_root() -> Path | None:
    """The course's clone when ``gan_utils`` is used from one (its pyproject.toml and notebooks/
    beside the package), else None (an installed wheel)."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() else None


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies inside it (both resolved)."""
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def course_folder() -> Path:
    """The learner's own course folder: the clone's root while working inside the clone (a lesson
    in notebooks/, a script run from the root), else the working folder, which for a lesson is
    the folder it sits in (``gan-course copy`` puts the lessons there)."""
    try:
        here = Path.cwd().resolve()
    except FileNotFoundError:
        raise OSError("the folder this notebook or script runs in no longer exists (deleted or moved): "
                      "restart the kernel from the lesson's folder, or cd into an existing one.") from None
    clone = clone_root()
    return clone if clone is not None and is_inside(here, clone) else here


def output_dir(*parts: str) -> Path:
    """A folder for what lessons write: ``outputs/<parts>`` in the course folder (beside the
    lessons; the clone's outputs/, git-ignored), never inside the installed package, so two
    learners or two folders never share a file. ``$GAN_COURSE_OUTPUTS`` overrides the root.
    Created if missing."""
    override = os.environ.get(OUTPUTS_ENV_VAR)
    root = Path(override) if override else course_folder() / "outputs"
    package = Path(__file__).resolve().parent
    if clone_root() is None and is_inside(root, package):
        raise OSError(f"this lesson runs inside the installed course package ({package}), which is "
                      f"shared and must not be written to. Copy the lessons into a folder of your own "
                      f"and open them there: gan-course copy my-gan-course; gan-course lab my-gan-course")
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class DataFileError(RuntimeError):
    """A data file is missing, corrupted or not in the expected format."""


def shipped_data() -> Path:
    """The files the course ships (the digit subset, the classifier, the pretrained generators, their
    cards), found through importlib.resources as the package ``gan_utils.course_data``: the clone's
    data/ folder, or gan_utils/course_data/ inside an installed wheel. Read-only to the course."""
    try:
        folder = importlib.resources.files(SHIPPED_PACKAGE)
    except ModuleNotFoundError:   # a clone imported without its current install (PYTHONPATH, an old one)
        clone = clone_root()
        if clone is not None:
            return clone / "data"
        raise DataFileError(
            "the course's data files are not installed with gan_utils (an install made before they "
            "became part of the package). Install the course package again, from where it came.") from None
    if not isinstance(folder, Path):   # e.g. the package imported from inside a zip file
        raise DataFileError(f"the course's data files are inside {folder}, not in a folder on disk; "
                            f"install the course with pip so that they are unpacked.")
    return folder


def data_dir() -> Path:
    """The folder of the shipped files the lessons read: $GAN_COURSE_DATA if set, else
    ``shipped_data()``. A variable pointing to no folder is refused here, before it looks like a
    missing file."""
    override = os.environ.get(DATA_ENV_VAR)
    if not override:
        return shipped_data()
    folder = Path(override)
    if not folder.is_dir():
        where = "" if folder.is_absolute() else f" (relative to {Path.cwd()})"
        raise DataFileError(
            f"the environment variable {DATA_ENV_VAR} is set to {override!r}{where}, but there is no "
            f"folder there. Fix the path (it should be a folder holding the course's data files), or "
            f"unset it to use the files the course ships: `del os.environ['{DATA_ENV_VAR}']` in a "
            f"notebook, `unset {DATA_ENV_VAR}` in a shell.")
    return folder


def downloads_dir() -> Path:
    """Where the full MNIST is looked for and downloaded to: $GAN_COURSE_DATA if set, else data/ in
    the course folder (the clone's data/; beside the lessons of an installed course)."""
    return data_dir() if os.environ.get(DATA_ENV_VAR) else course_folder() / "data"
