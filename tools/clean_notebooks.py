"""Strip heavy outputs from lesson notebooks before they are committed.

Keeps the text outputs (and execution counts) of cells marked ``# NBVAL_CHECK_OUTPUT``,
which nbval compares; clears every other output and the widget state. Only outputs change:
the cells' sources are never touched, and each file is replaced in one step (a crash or Ctrl-C
leaves the old file whole). A file that changed on disk while it was being cleaned (saved from
an open Jupyter tab, say) is left as it is and reported. Files that cannot be cleaned are
reported together at the end (exit status 1); the others are still cleaned.

Usage:  python tools/clean_notebooks.py NOTEBOOK.ipynb [NOTEBOOK.ipynb ...]
        (or: make clean-notebooks, which cleans notebooks/*.ipynb)
"""
import argparse
import sys
from pathlib import Path

from gan_utils.course.notebooks import NotebookError, notebook_bytes, notebook_text, parse_notebook, write_atomically

TEXT_TYPES = {"text/plain"}


def is_checked(cell) -> bool:
    return "NBVAL_CHECK_OUTPUT" in cell.source or "nbval-check-output" in cell.metadata.get("tags", [])


def keep_text(output) -> bool:
    """Keep streams and plain-text results; drop images, HTML animations and widget views."""
    if output.output_type in ("stream", "error"):
        return True
    data = output.get("data", {})
    for key in list(data):
        if key not in TEXT_TYPES:
            del data[key]
    return bool(data)


def strip_outputs(nb) -> None:
    """Clear the outputs ``nb`` should not keep (in place); sources stay as they are."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            cell.outputs = [o for o in cell.outputs if keep_text(o)]
        else:
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)


def clean(path) -> bool:
    """Clean one notebook file; True if it changed. Raises ``NotebookError`` if it cannot be read,
    or if it changed on disk while it was being cleaned (nothing is written then)."""
    path = Path(path)
    before = notebook_bytes(path)
    nb = parse_notebook(path, before)
    strip_outputs(nb)
    text = notebook_text(nb)
    if text.encode("utf-8") == before:
        return False
    if path.read_bytes() != before:
        raise NotebookError(f"{path} changed on disk while it was being cleaned (is it open in "
                            f"Jupyter and saving?). It was left as it is: save and close it, then "
                            f"clean it again.")
    write_atomically(path, text)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("Usage:")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK.ipynb",
                        help="notebook files to clean, e.g. notebooks/*.ipynb")
    args = parser.parse_args(argv)
    problems = []
    for path in args.notebooks:
        try:
            print(f"cleaned {path}" if clean(path) else f"already clean: {path}")
        except NotebookError as err:
            problems.append(str(err))
    for problem in problems:
        print(f"not cleaned: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
