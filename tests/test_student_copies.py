"""Student copies (tools/student_copies.py): solutions become placeholders, and in every lesson's
student copy the first exercise's check says "Not yet" instead of crashing. The Chinese lessons are
the same programs (tools/translation_status.py compares them), so one of them is run here, to see
its check answer in Chinese."""
import ast
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from student_copies import is_solution, placeholder_source, student_copy  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHINESE = sorted((ROOT / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))
NOT_YET = {"notebooks": "Not yet", "zh": "还不对"}   # the check's words, by the lesson's folder


def test_placeholders_keep_names_and_signatures_but_no_answers():
    source = ('x_hat = eps * x_real\nmy_penalty, other = 1.5, 2\n'
              'def my_bce(p, y):\n    """Mean BCE."""\n    return -(y * p.log()).mean()\nprint(x_hat)\n')
    student = placeholder_source(source)
    assert "x_hat = ...\nmy_penalty = ...\nother = ..." in student
    assert 'def my_bce(p, y):\n    """Mean BCE."""\n    ...  # your code here' in student
    assert "return" not in student and "print" not in student and "1.5" not in student
    ast.parse(student)


@pytest.mark.parametrize("path", LESSONS + CHINESE, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
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


def names_in(source: str) -> tuple[set[str], set[str]]:
    """(names a cell defines, names it reads), from its Python source (IPython magics allowed)."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    defined, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return defined, read


def cells_the_exercise_needs(notebook, turn: int, check: int) -> list[int]:
    """The lesson's first code cell (its setup), the exercise's cells, and every earlier code cell
    that defines a name they read (followed back through what those cells read in turn). The setup
    cell comes first, so what it reads is no reason to run a later cell: its own helper names (the
    install cell's ``name``, ``folder``...) would otherwise pull in every cell that reuses them."""
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    chosen = {code[0], turn, check}
    needed = set().union(*(names_in(notebook.cells[i].source)[1] for i in (turn, check)))
    for index in reversed([i for i in code if i < turn]):
        defined, read = names_in(notebook.cells[index].source)
        if defined & needed:
            chosen.add(index)
            needed |= read
    return sorted(chosen)


@pytest.fixture(scope="module")
def kernel():
    """One kernel for every lesson's check below. Each lesson starts from an emptied namespace in its
    own folder; what a fresh kernel would redo is importing torch (seconds each time), and nbval
    already runs every lesson in a fresh kernel of its own."""
    client = NotebookClient(nbformat.v4.new_notebook(), timeout=600, kernel_name="python3")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GAN_COURSE_FAST", "1")   # the kernel's environment: fast mode, whatever the run's
        with client.setup_kernel():
            yield client


def run_in(kernel: NotebookClient, notebook, folder: Path, indices: list[int]) -> None:
    """Empty the kernel's namespace, move it to ``folder`` and run ``notebook``'s cells ``indices``."""
    kernel.nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"%reset -f\nimport os, sys\nos.chdir({str(folder)!r})\n"
        "if 'matplotlib.pyplot' in sys.modules: sys.modules['matplotlib.pyplot'].close('all')")])
    kernel.execute_cell(kernel.nb.cells[0], 0)
    kernel.nb = notebook
    for index in indices:
        kernel.execute_cell(notebook.cells[index], index)      # raises on the first error


@pytest.mark.parametrize("path", LESSONS + CHINESE[2:3], ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_student_copys_first_exercise_check_says_not_yet(path, kernel):
    """The student copy's first check says "Not yet" on the placeholders instead of crashing. The
    cells before the exercise are the lesson's own (nbval runs them all); here the kernel runs only
    the ones the exercise needs, so a long lesson is not trained twice."""
    copy = student_copy(nbformat.read(path, as_version=4))
    turn, check = first_exercise_check(copy)
    run_in(kernel, copy, path.parent, cells_the_exercise_needs(copy, turn, check))
    printed = "".join(output.get("text", "") + output.get("data", {}).get("text/plain", "")
                      for output in copy.cells[check].outputs)
    assert NOT_YET[path.parent.name] in printed, printed
