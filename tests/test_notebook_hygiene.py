"""Committed notebooks stay light: no images, animations or widget state, at most 200 KB."""
from pathlib import Path

import nbformat
import pytest

LESSONS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(LESSONS.glob("*.ipynb")) + sorted(LESSONS.glob("zh/*.ipynb"))  # zh: the Chinese edition
HEAVY = ("image/png", "image/jpeg", "image/svg+xml", "application/vnd.jupyter.widget-view+json",
         "text/html")
FIX = "run `make clean-notebooks` (python tools/clean_notebooks.py notebooks/*.ipynb notebooks/zh/*.ipynb)"


def test_there_are_lessons():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_notebook_is_committed_clean(path):
    assert path.stat().st_size <= 200 * 1024, f"{path.name} is over 200 KB: {FIX}"
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, f"{path.name} carries widget state: {FIX}"
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            heavy = [k for k in output.get("data", {}) if k in HEAVY]
            assert not heavy, f"{path.name} cell {index} carries {heavy} output: {FIX}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_notebook_has_no_leftover_todo_and_runs_on_the_course_kernel(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for cell in nb.cells:
        assert "TODO" not in cell.source, f"{path.name} has a TODO left in a cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_every_solution_is_folded_away(path):
    """Lesson 00 promises that a worked solution waits folded, so an answer is not read by accident."""
    nb = nbformat.read(path, as_version=4)
    unfolded = [index + 1 for index, cell in enumerate(nb.cells) if "solution" in cell.metadata.get("tags", [])
                and not cell.metadata.get("jupyter", {}).get("source_hidden")]
    assert not unfolded, (f"{path.name}: solution cells {unfolded} (counting from 1) are not folded; "
                          f"set metadata.jupyter.source_hidden = true (in JupyterLab: View > Collapse Selected Code)")
