"""Reading and writing notebook files (for ``gan-course copy`` and the course's tools): clear errors
for files that are not notebooks, and writes that are all or nothing."""
import os
import tempfile
from pathlib import Path

import nbformat


class NotebookError(ValueError):
    """A file that a tool was given as a notebook but cannot use as one; the message says why."""


def read_notebook(path: Path):
    """Read a notebook (as nbformat 4), or raise ``NotebookError`` naming the file and what to do."""
    return parse_notebook(Path(path), notebook_bytes(Path(path)))


def notebook_bytes(path: Path) -> bytes:
    """The bytes of a file given as a notebook; a missing, folder or empty one is a ``NotebookError``."""
    if not path.exists():
        raise NotebookError(f"{path}: no such file. Check the name (lessons are named like "
                            f"notebooks/03_mlp_gan.ipynb).")
    if path.is_dir():
        raise NotebookError(f"{path} is a folder, not a notebook; pass the .ipynb files in it "
                            f"(e.g. {path}/*.ipynb).")
    data = path.read_bytes()
    if not data:
        raise NotebookError(f"{path} is empty (0 bytes), not a notebook. Restore it "
                            f"(git checkout -- {path}) or save it again from Jupyter.")
    return data


def parse_notebook(path: Path, data: bytes):
    """The notebook in ``data`` (read from ``path``), or a ``NotebookError`` saying what is wrong."""
    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as err:  # nbformat raises JSON, Unicode and schema errors of several kinds
        reason = str(err).strip().splitlines()[0][:200]
        raise NotebookError(f"{path} is not a readable Jupyter notebook (expected .ipynb JSON; "
                            f"got: {reason}). If it was cut short, restore it (git checkout -- "
                            f"{path}) or save it again from Jupyter.") from None


def notebook_text(nb) -> str:
    """The file text of a notebook, exactly as ``nbformat.write`` would save it."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def find_lessons(folder: Path) -> list[Path]:
    """The lessons in ``folder`` (files named like 03_mlp_gan.ipynb), in course order; a
    ValueError saying what was expected if the folder is missing or holds none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"the lessons folder {folder} does not exist or is not a folder; "
                         f"expected a folder of lessons such as notebooks/.")
    lessons = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not lessons:
        raise ValueError(f"no lessons in {folder}: expected files named like 03_mlp_gan.ipynb "
                         f"(two digits, an underscore, a name).")
    return lessons


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (write a temporary file beside it, then rename),
    so an interrupted write never leaves half a file."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        else:   # mkstemp makes it owner-only; a new file gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
