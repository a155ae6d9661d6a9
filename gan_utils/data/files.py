"""The files the course ships: reading them, their sha256, and what to do when one is missing or
was changed (git restores it, or its script rebuilds it)."""
import hashlib
import os
from pathlib import Path

from ..course.source import PACKAGE
from ..settings import DATA_ENV_VAR, DataFileError, clone_root, course_folder, is_inside, shipped_data

BUILD_SUBSET = "python data/build_mnist_subset.py"
REINSTALL = f'python -m pip install --force-reinstall --no-deps "{PACKAGE}"'


def display_path(path: Path) -> str:
    """A path as the learner knows it: relative to their course folder (``data/...``,
    ``outputs/...``), or inside the installed package (``gan_utils/course_data/...``)."""
    path = Path(path)
    for base, prefix in ((course_folder(), ""), (_installed_data(), "gan_utils/course_data/")):
        if base is not None and is_inside(path, base):
            inside = path.resolve().relative_to(base.resolve()).as_posix()
            return prefix + inside if inside != "." else prefix.rstrip("/") or "."
    return str(path)


def restore_hint(path: Path, rebuild: str) -> str:
    """How to get a shipped file back: git restores the clone's copy, pip reinstalls an installed
    one; a copy elsewhere (``root=`` or $GAN_COURSE_DATA) is copied again from the shipped one;
    ``rebuild`` (a clone's script) remakes it."""
    path, shipped = Path(path).resolve(), shipped_data().resolve()
    if shipped in path.parents:
        return _restore_shipped(path.parent, rebuild)
    override = Path(os.environ.get(DATA_ENV_VAR) or shipped).resolve()
    under_override = override in path.parents
    original = shipped / (path.relative_to(override) if under_override else path.name)
    note = (f" ({DATA_ENV_VAR} points to {override}; unset it to use the files the course ships)"
            if under_override else "")
    return (f"Copy it again from the course's {display_path(original)}{note}. If that one is missing "
            f"or damaged as well: {_restore_shipped(original.parent, rebuild)}")


def _restore_shipped(folder: Path, rebuild: str) -> str:
    """The sentence that brings back a shipped file in ``folder``: git in a clone, pip otherwise."""
    clone = clone_root()
    if clone is None:
        return (f"Reinstall the course package to get it back: `{REINSTALL}` (or from the wheel or address "
                f"you installed it from), or ask whoever installed the course to do it.")
    where = folder.resolve().relative_to(clone.resolve()).as_posix()
    return f"Restore it with `git checkout -- {where}/`, or rebuild it with `{rebuild}`."


def _installed_data() -> Path | None:
    """The shipped files' folder inside an installed wheel (None in a clone)."""
    return None if clone_root() is not None else shipped_data()


def read_bytes(path: Path) -> bytes:
    """A file's bytes; one that cannot be read (permissions, a folder in its place) raises
    DataFileError naming it, instead of a bare OSError."""
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise DataFileError(f"could not read {path} ({err.strerror or err}): check that it is a file "
                            f"you may read (its permissions).") from None


def sha256_of(path: Path) -> str:
    """The file's sha256 in hex, as recorded in data/README.md and on the pretrained cards."""
    return hashlib.sha256(read_bytes(path)).hexdigest()


def verify_file(path: Path, expected_sha256: str, rebuild: str = BUILD_SUBSET) -> None:
    """Raise DataFileError with what to do if ``path`` is missing or its sha256 differs."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"data file {path} is missing. {restore_hint(path, rebuild)}")
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise DataFileError(f"data file {path} is corrupted or was changed: its sha256 starts "
                            f"{actual[:12]}, not {expected_sha256[:12]} as recorded. "
                            f"{restore_hint(path, rebuild)}")
