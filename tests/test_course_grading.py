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
# one process runs a person's nbgrader commands one after another (importing nbgrader takes seconds
# each time); each command gets a fresh app, as from its own command line. nbgrader names a
# submission by its Unix user, so for a student the test's one user is given the student's name.
IN_ONE_PROCESS = """
import sys, nbgrader.utils as utils
from nbgrader.apps.nbgraderapp import NbGraderApp
from traitlets.config import SingletonConfigurable
student, commands = sys.argv[1], [line.split(" ") for line in sys.argv[2:]]
if student:
    utils.get_osusername = lambda: student
for command in commands:
    for app in [NbGraderApp, *(sub[0] for sub in NbGraderApp.subcommands.values())]:
        if isinstance(app, type) and issubclass(app, SingletonConfigurable):
            app.clear_instance()
    sys.argv = ["nbgrader", *command]
    NbGraderApp.launch_instance()
"""


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


def run(command_line: list[str], cwd: Path, what: str) -> str:
    """Run ``command_line`` with this Python's scripts on PATH; return what it printed, failing on a
    non-zero exit."""
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(command_line, cwd=cwd, env=environment, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def nbgrader(*argv, cwd: Path) -> str:
    """Run an nbgrader command as the teacher."""
    return run([sys.executable, "-m", "nbgrader", *argv], cwd, f"nbgrader {' '.join(argv)}")


def nbgrader_commands(commands: list[str], cwd: Path, student: str = "") -> str:
    """Run nbgrader ``commands`` (each a command line without "nbgrader") in order, in one process:
    as ``student`` when given, else as the teacher."""
    return run([sys.executable, "-c", IN_ONE_PROCESS, student, *commands], cwd, f"nbgrader {commands}")


def test_the_whole_nbgrader_cycle_gives_a_solved_copy_every_point_and_an_untouched_one_none(tmp_path, capsys):
    pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook
    course, exchange = tmp_path / "course", tmp_path / "exchange"
    assert command.main(["assignments", str(course), "--exchange", str(exchange), "--lessons", "00,02,03"]) == 0
    worth = dict(line.strip().split(": ") for line in capsys.readouterr().out.splitlines() if line.endswith(" points"))
    assert set(worth) == set(LESSONS)
    # nbgrader's converters take a pattern ("*": every assignment); the exchange, one at a time
    nbgrader_commands(["generate_assignment * --force",
                       *(f"release_assignment {name} --force" for name in LESSONS)], cwd=course)
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
        nbgrader_commands([f"fetch_assignment {name} --course gan-course" for name in LESSONS], home, student)
        if student == "alice":   # she solves every exercise: the source's solutions in her copy
            for name in LESSONS:
                solve(home / name / f"{name}.ipynb", course / "source" / name / f"{name}.ipynb")
        nbgrader_commands([f"submit {name} --course gan-course" for name in LESSONS], home, student)
    nbgrader_commands([*(f"collect {name}" for name in LESSONS), "autograde * --create", "generate_feedback *"],
                      cwd=course)
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
