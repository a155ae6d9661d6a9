"""Lessons as an nbgrader course (gan_utils/course/grading.py, gan-course assignments), and the
whole nbgrader cycle with nbgrader itself: generate, validate, release, fetch and submit for two
students, collect, autograde, read the gradebook, generate feedback."""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gan_utils import checks
from gan_utils.course import command
from gan_utils.course.grading import HIDDEN_NOTE, POINTS_PER_CHECK, nbgrader_notebook, points

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ("00_welcome", "02_bce_and_the_gan_objective", "03_mlp_gan")
AS_STUDENT = ("import sys, nbgrader.utils as utils; student = sys.argv.pop(1); "
              "utils.get_osusername = lambda: student; "
              "from nbgrader.apps.nbgraderapp import main; sys.argv[0] = 'nbgrader'; main()")


def lesson(name: str, lang: str = "en"):
    return nbformat.read(ROOT / "notebooks" / ("zh" if lang == "zh" else "") / f"{name}.ipynb", as_version=4)


def test_solutions_become_regions_under_the_placeholders_and_checks_become_graded_cells():
    graded = nbgrader_notebook(lesson("03_mlp_gan"))
    kinds = [cell.metadata["nbgrader"] for cell in graded.cells if "nbgrader" in cell.metadata]
    solutions = [kind for kind in kinds if kind["solution"]]
    assert len(solutions) == 3 and len(kinds) == 6 and points(graded) == 3 * POINTS_PER_CHECK
    answer = next(cell for cell in graded.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer_35")
    assert answer.source.splitlines()[1:] == ['answer_detach = ...', '### BEGIN SOLUTION', 'answer_detach = "b"',
                                              '### END SOLUTION']
    hidden = next(cell for cell in graded.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "check_36")
    visible = hidden.source.split("### BEGIN HIDDEN TESTS")[0]
    assert "sealed(" not in visible and "sealed(" in hidden.source   # not even the sealed answer in the student's copy
    assert "assert answer_detach is not ..." in visible and hidden.metadata["nbgrader"]["locked"]
    chinese = nbgrader_notebook(lesson("03_mlp_gan", "zh"), "zh")
    assert "轮到你了" in chinese.cells[[i for i, c in enumerate(graded.cells) if c is answer][0]].source


def test_checks_raise_while_grading_and_only_then(monkeypatch):
    assert not checks.check_value(..., 3)
    monkeypatch.setenv(checks.GRADING_ENV_VAR, "1")
    assert checks.check_value(3, 3)
    with pytest.raises(AssertionError, match="Not yet"):
        checks.check_choice("a", "b")


def nbgrader(*argv, cwd: Path, student: str | None = None) -> str:
    """Run an nbgrader command (as ``student`` when given: nbgrader names a submission by its Unix
    user, and this test has one); return what it printed, failing on a non-zero exit."""
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    command_line = ([sys.executable, "-c", AS_STUDENT, student, *argv] if student
                    else [sys.executable, "-m", "nbgrader", *argv])
    done = subprocess.run(command_line, cwd=cwd, env=environment, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"nbgrader {' '.join(argv)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def test_the_whole_nbgrader_cycle_gives_a_solved_copy_every_point_and_an_untouched_one_none(tmp_path, capsys):
    pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook
    course, exchange = tmp_path / "course", tmp_path / "exchange"
    assert command.main(["assignments", str(course), "--exchange", str(exchange), "--lessons", "00,02,03"]) == 0
    worth = dict(line.strip().split(": ") for line in capsys.readouterr().out.splitlines() if line.endswith(" points"))
    assert set(worth) == set(LESSONS)
    for name in LESSONS:
        nbgrader("generate_assignment", name, "--force", cwd=course)
        nbgrader("release_assignment", name, "--force", cwd=course)
    # nbgrader validate, both ways, on lesson 00 (plain and hidden checks, a few seconds to run):
    # lesson 03 trains, and its autograding below already runs its solved copy (every point) and its
    # untouched one (none); validating it too would train it twice more
    said = nbgrader("validate", f"source/{LESSONS[0]}/{LESSONS[0]}.ipynb", cwd=course)
    assert "Success! Your notebook passes all the tests." in said
    said = nbgrader("validate", "--invert", f"release/{LESSONS[0]}/{LESSONS[0]}.ipynb", cwd=course)
    assert "Success! The notebook does not pass any tests." in said
    released = (course / "release" / LESSONS[2] / f"{LESSONS[2]}.ipynb").read_text(encoding="utf-8")
    assert 'answer_detach = \\"b\\"' not in released and "BEGIN HIDDEN TESTS" not in released
    # what lesson 03's student runs to validate: each hidden check's visible part asserts an answer
    # that the released placeholder above it leaves as ..., so it cannot pass untouched
    placeholder, hidden = None, 0
    for cell in nbformat.reads(released, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            placeholder = cell.source
        elif cell.source.startswith(HIDDEN_NOTE["en"]):
            names, hidden = re.findall(r"^assert (\w+) is not \.\.\.,", cell.source, flags=re.M), hidden + 1
            assert names and all(re.search(rf"^{name} = \.\.\.", placeholder, flags=re.M) for name in names), \
                (placeholder, cell.source)
    assert hidden, "lesson 03's release has no hidden check"

    for student in ("alice", "bob"):
        home = tmp_path / student
        home.mkdir()
        (home / "nbgrader_config.py").write_text((course / "nbgrader_config.py").read_text())
        for name in LESSONS:
            nbgrader("fetch_assignment", name, "--course", "gan-course", cwd=home, student=student)
            if student == "alice":   # she solves every exercise: the source's solutions in her copy
                solve(home / name / f"{name}.ipynb", course / "source" / name / f"{name}.ipynb")
            nbgrader("submit", name, "--course", "gan-course", cwd=home, student=student)
    for name in LESSONS:
        nbgrader("collect", name, cwd=course)
        nbgrader("autograde", name, "--create", cwd=course)
        nbgrader("generate_feedback", name, cwd=course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {(name, student): (gradebook.find_submission(name, student).score,
                                    gradebook.find_submission(name, student).max_score)
                  for name in LESSONS for student in ("alice", "bob")}
    for name in LESSONS:
        assert scores[name, "alice"] == (float(worth[name].split()[0]),) * 2, scores
        assert scores[name, "bob"][0] == 0, scores   # no check passes on the untouched placeholders
        assert (course / "feedback" / "bob" / name / f"{name}.html").is_file()
    assert "Not yet" in (course / "feedback" / "bob" / LESSONS[0] / f"{LESSONS[0]}.html").read_text(encoding="utf-8")


def solve(fetched: Path, source: Path) -> None:
    """Put the source's worked solutions into a student's fetched copy."""
    answers = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in nbformat.read(source, 4).cells
               if cell.metadata.get("nbgrader", {}).get("solution")}
    copy = nbformat.read(fetched, 4)
    for cell in copy.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(copy, fetched)
