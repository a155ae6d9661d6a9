"""The check cells of multiple-choice and numeric exercises keep their answers out of sight (sealed),
and each still says "Not yet" to a placeholder and "Correct" to its answer."""
import ast
import json
import math
import re
from pathlib import Path

import pytest

from gan_utils import checks
from gan_utils import language

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) + sorted((NOTEBOOKS / "zh").glob("[0-9][0-9]_*.ipynb"))
CHECKS = {"check_choice", "check_value"}


def code_cells(path: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in code_cells_with_outputs(path)]


def code_cells_with_outputs(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]


def saved_text(cell: dict) -> str:
    """What the notebook shows under a cell before anyone runs it."""
    return "".join("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
                   for out in cell.get("outputs", []))


def python_of(source: str) -> ast.Module:
    """A cell's Python, without its IPython magics and shell lines."""
    return ast.parse("\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()))


def check_calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) in CHECKS]


def expected_of(call: ast.Call) -> ast.expr:
    return call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg == "expected")


def sealed_token(node: ast.expr) -> str | None:
    """The token of a ``checks.sealed("...")`` expression, or None for anything else."""
    if (isinstance(node, ast.Call) and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) == "sealed"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)):
        return node.args[0].value
    return None


def is_constant(node: ast.expr) -> bool:
    """A literal such as 4, -0.5, 2 ** 6 or "b": an answer written out."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return is_constant(node.operand)
    if isinstance(node, ast.BinOp):
        return is_constant(node.left) and is_constant(node.right)
    return False


def literals(tree: ast.Module, skip: ast.expr) -> list[object]:
    """Every constant in the cell except the sealed token itself."""
    inside = {id(node) for node in ast.walk(skip)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and id(node) not in inside]


def gives_away(answer: str, is_choice: bool, values: list[object]) -> list[object]:
    """The literals of a cell that spell out its sealed answer."""
    if is_choice:
        quoted = re.compile(rf"""["'(（]{re.escape(answer)}["')）]""", re.IGNORECASE)
        return [v for v in values if isinstance(v, str) and (v.strip().lower() == answer.lower() or quoted.search(v))]
    number = float(answer)
    as_text = re.compile(rf"(?<![\d.]){re.escape(answer)}(?![\d])")
    return [v for v in values if (isinstance(v, (int, float)) and not isinstance(v, bool) and v == number)
            or (isinstance(v, str) and as_text.search(v))]


def sealed_checks(path: Path) -> list[tuple[str, str, dict]]:
    """(kind, token, constant keyword arguments) for every sealed check of a lesson."""
    found = []
    for source in code_cells(path):
        for call in check_calls(python_of(source)):
            token = sealed_token(expected_of(call))
            if token is not None:
                kwargs = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
                found.append((getattr(call.func, "attr", None) or call.func.id, token, kwargs))
    return found


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_no_check_cell_shows_its_answer(path):
    problems = []
    for number, source in enumerate(code_cells(path)):
        tree = python_of(source)
        for call in check_calls(tree):
            kind = getattr(call.func, "attr", None) or call.func.id
            expected = expected_of(call)
            token = sealed_token(expected)
            where = f"code cell {number + 1}: {ast.get_source_segment(source, call) or kind}"[:160]
            if kind == "check_choice" and token is None:
                problems.append(f"{where}: seal the letter (python tools/seal_answer.py LETTER)")
            elif kind == "check_value" and token is None and is_constant(expected):
                problems.append(f"{where}: seal the number, or compare with a value the cell computes")
            if token is not None:
                answer = checks.sealed(token).text()
                leaks = gives_away(answer, kind == "check_choice", literals(tree, expected))
                if leaks:
                    problems.append(f"{where}: the cell spells out its sealed answer in {leaks!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_no_saved_output_of_a_numeric_check_shows_the_number(path):
    """A lesson opens with its check cells' saved outputs in view: "Correct! (78)" would give it away."""
    shown = [f"code cell {number + 1}: {saved_text(cell)!r}" for number, cell in enumerate(code_cells_with_outputs(path))
             if "check_value" in "".join(cell["source"]) and re.search(r"(Correct!|正确！)\s*\(\s*-?[\d.]", saved_text(cell))]
    assert not shown, "\n".join(shown)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_each_sealed_check_says_not_yet_to_a_placeholder_and_correct_to_its_answer(path, monkeypatch):
    lang = "zh" if path.parent.name == "zh" else "en"
    monkeypatch.setattr(language, "_chosen", lang)
    not_yet, correct = {"en": ("Not yet", "Correct"), "zh": ("还不对", "正确")}[lang]
    for kind, token, kwargs in sealed_checks(path):
        check, expected, answer = getattr(checks, kind), checks.sealed(token), checks.sealed(token).text()
        settings = {key: kwargs[key] for key in ("options", "tol") if key in kwargs}
        if kind == "check_choice":
            options = kwargs.get("options", "abcd")
            assert len(answer) == 1 and answer in options, (path.name, answer)
            wrong = next(option for option in options if option != answer)
        else:
            answer = float(answer)
            wrong = answer + 1 + 10 * abs(answer) if math.isfinite(answer) else 0.0
        assert not_yet in repr(check(..., expected, **settings))
        assert not_yet in repr(check(wrong, expected, **settings))
        assert correct in repr(check(answer, expected, **settings))


def test_the_lessons_do_have_sealed_checks_and_both_editions_the_same_ones():
    english = {p.name: sealed_checks(p) for p in LESSONS if p.parent == NOTEBOOKS}
    chinese = {p.name: sealed_checks(p) for p in LESSONS if p.parent.name == "zh"}
    assert sum(map(len, english.values())) >= 20
    for name, found in english.items():
        assert [(kind, token) for kind, token, _ in found] == [(k, t) for k, t, _ in chinese[name]], name
