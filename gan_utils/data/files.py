"""The files the course ships: reading them, their sha256, and what to do when one is missing or
was changed (git restores it, or its script rebuilds it)."""
import hashlib
import os
from pathlib import Path

from ..settings import COURSE_DATA, DATA_ENV_VAR, DataFileError

BUILD_SUBSET = "python data/build_mnist_subset.py"


def display_path(path: Path) -> str:
    """A path as the learner knows it (``data/...``) when it lies in the course's folder."""
    try:
        return str(Path(path).relative_to(COURSE_DATA.parent))
    except ValueError:
        return str(path)


def restore_hint(path: Path, rebuild: str) -> str:
    """How to get a shipped file back: git restores the course's own copy; a copy elsewhere
    (``root=`` or $GAN_COURSE_DATA) is copied again from it; ``rebuild`` remakes it."""
    path = Path(path).resolve()
    if COURSE_DATA.resolve() in path.parents:
        folder = path.parent.relative_to(COURSE_DATA.parent.resolve()).as_posix()
        return f"Restore it with `git checkout -- {folder}/`, or rebuild it with `{rebuild}`."
    override = Path(os.environ.get(DATA_ENV_VAR) or COURSE_DATA).resolve()
    under_override = override in path.parents
    original = COURSE_DATA / (path.relative_to(override) if under_override else path.name)
    note = (f" ({DATA_ENV_VAR} points to {override}; unset it to use the course's own data/ folder)"
            if under_override else "")
    return (f"Copy it again from the course's {display_path(original)}{note}, restoring that one "
            f"first if needed with `git checkout -- {display_path(original.parent)}/`; or rebuild it "
            f"with `{rebuild}`.")


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
