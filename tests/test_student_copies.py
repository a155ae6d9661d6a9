"""Student copies (tools/student_copies.py): solutions become placeholders, and every lesson's
student copy runs up to its first exercise, whose check says "Not yet" instead of crashing."""
import ast
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from student_copies import is_solution, placeholder_source, student_copy  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_placeholders_keep_names_and_signatures_but_no_answers():
    source = ('x_hat = eps * x_real\nmy_penalty, other = 1.5, 2\n'
              'def my_bce(p, y):\n    """Mean BCE."""\n    return -(y * p.log()).mean()\nprint(x_hat)\n')
    student = placeholder_source(source)
    assert "x_hat = ...\nmy_penalty = ...\nother = ..." in student
    assert 'def my_bce(p, y):\n    """Mean BCE."""\n    ...  # your code here' in student
    assert "return" not in student and "print" not in student and "1.5" not in student
    ast.parse(student)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_solution_cell_becomes_a_runnable_placeholder(path):
    lesson = nbformat.read(path, as_version=4)
    copy = student_copy(lesson)
    solutions = [i for i, cell in enumerate(lesson.cells) if is_solution(cell)]
    assert solutions, "every lesson has at least one exercise"
    for index in solutions:
        cell = copy.cells[index]
        assert "your-turn" in cell.metadata["tags"] and "solution" not in cell.metadata["tags"]
        assert "..." in cell.source and cell.source != lesson.cells[index].source
        ast.parse(cell.source)
    assert all(not cell.get("outputs") for cell in copy.cells if cell.cell_type == "code")
    assert lesson.cells[solutions[0]].metadata["tags"] == ["solution"]  # the original is untouched


def first_exercise_check(notebook) -> tuple[int, int]:
    """(index of the first your-turn cell, index of the first check cell after it)."""
    turn = next(i for i, cell in enumerate(notebook.cells) if "your-turn" in cell.metadata.get("tags", []))
    check = next(i for i in range(turn + 1, len(notebook.cells))
                 if notebook.cells[i].cell_type == "code" and "checks." in notebook.cells[i].source)
    return turn, check


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_student_copy_runs_to_its_first_exercise_and_says_not_yet(path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_FAST", "1")
    copy = student_copy(nbformat.read(path, as_version=4))
    _, check = first_exercise_check(copy)
    client = NotebookClient(copy, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(copy.cells[:check + 1]):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)      # raises on the first error
    printed = "".join(output.get("text", "") + output.get("data", {}).get("text/plain", "")
                      for output in copy.cells[check].outputs)
    assert "Not yet" in printed, printed
