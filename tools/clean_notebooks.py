"""Strip heavy outputs from lesson notebooks before they are committed.

Keeps the text outputs (and execution counts) of cells marked ``# NBVAL_CHECK_OUTPUT``,
which nbval compares; clears every other output and the widget state.
Usage:  python tools/clean_notebooks.py notebooks/*.ipynb
"""
import sys

import nbformat

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


def clean(path: str) -> None:
    nb = nbformat.read(path, as_version=4)
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
    nbformat.write(nb, path)


if __name__ == "__main__":
    for notebook in sys.argv[1:]:
        clean(notebook)
        print(f"cleaned {notebook}")
