"""The lessons as an nbgrader course. Each solution cell becomes a solution region whose released
version is the course's own placeholders (so the check still says "Not yet"), and each check cell
a locked, autograded cell worth ``POINTS_PER_CHECK``. A check whose code names the answer (a
letter, a number) becomes a hidden test: graded, but not shown in the released copy."""
import copy
import re
from pathlib import Path

import nbformat

from .notebooks import notebook_text, write_atomically
from .student import is_solution, placeholder_source

POINTS_PER_CHECK = 1
TIMEOUT = {"fast": 600, "full": 3600}   # seconds per cell: nbgrader's default of 30 s stops a training cell
CHECK_CALL = re.compile(r"\b(checks\.check_\w+|check_mystery)\(")
# a check whose expected answer the cell holds, in plain sight or sealed (base64 is no secret to a
# student who is graded): the nbgrader copy moves it into a hidden test
ANSWER_IN_CELL = re.compile(r"""check_(?:choice|value)\(\s*(\w+)\s*,\s*"""
                            r"""(?:["']\w["']|-?[\d.]+\s*[,)]|(?:checks\.)?sealed\()""")
HIDDEN_NOTE = {"en": "# The answer is checked when your work is graded; this cell only checks that you gave one.",
               "zh": "# 答案在评分时检查；这个单元格只检查你是否已经作答。"}
ANSWERED = {"en": "replace the ... with your answer, run that cell, then run this one again",
            "zh": "把 ... 换成你的答案，运行那个单元格，再运行这个单元格"}
CONFIG = '''\
"""nbgrader configuration for the GAN course, written by `gan-course assignments` (edit freely)."""
import os

os.environ["GAN_COURSE_GRADING"] = "1"   # a check that says "Not yet" raises: that cell earns no points
os.environ["GAN_COURSE_FAST"] = "{fast}"      # {mode} mode for every lesson nbgrader runs
c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = {course!r}
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.Exchange.root = {exchange!r}
c.Execute.timeout = {timeout}   # seconds per cell ({mode} mode); nbgrader's default of 30 stops training cells
c.ClearSolutions.code_stub = {{"python": "# ✍️"}}   # the course's placeholders above the region stay
'''


def solution_region(source: str, lang: str = "en") -> str:
    """A solution cell as nbgrader's solution region: the course's placeholders (what the learner's
    copy keeps) above the worked solution, which the release removes."""
    header, _, rest = source.partition("\n") if source.startswith("%%") else ("", "", source)
    return f"{placeholder_source(source, lang)}\n### BEGIN SOLUTION\n{rest if header else source}\n### END SOLUTION"


def nbgrader_notebook(notebook, lang: str = "en"):
    """A copy of a lesson with nbgrader's cell metadata: solution cells, and after each the first
    cell that calls a check, graded (hidden when it shows the answer); outputs cleared."""
    lesson = nbformat.from_dict(copy.deepcopy(notebook))
    awaiting_check = None
    for index, cell in enumerate(lesson.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        if is_solution(cell):
            cell.source = solution_region(cell.source, lang)
            cell.metadata.pop("jupyter", None)   # unfolded: the learner writes here
            cell.metadata["nbgrader"] = _cell_kind(f"answer_{index}", solution=True)
            awaiting_check = index
        elif awaiting_check is not None and CHECK_CALL.search(cell.source):
            answers = dict.fromkeys(ANSWER_IN_CELL.findall(cell.source))
            if answers:
                visible = "\n".join(f"assert {name} is not ..., {ANSWERED[lang]!r}" for name in answers)
                cell.source = (f"{HIDDEN_NOTE[lang]}\n{visible}\n### BEGIN HIDDEN TESTS\n{cell.source}\n"
                               f"### END HIDDEN TESTS")
            cell.metadata["nbgrader"] = _cell_kind(f"check_{index}", grade=True, points=POINTS_PER_CHECK)
            awaiting_check = None
    return lesson


def _cell_kind(grade_id: str, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    kind = {"grade": grade, "grade_id": grade_id, "locked": grade, "schema_version": 3,
            "solution": solution, "task": False}
    return kind | ({"points": points} if grade else {})


def points(notebook) -> int:
    """The points an nbgrader copy of a lesson is worth."""
    return sum(cell.metadata.get("nbgrader", {}).get("points", 0) for cell in notebook.cells)


def write_nbgrader_course(folder: Path, lessons: dict[str, tuple], exchange: Path, mode: str = "fast",
                          course: str = "gan-course") -> dict[str, int]:
    """Write an nbgrader course into ``folder``: ``source/<lesson>/<lesson>.ipynb`` for each of
    ``lessons`` ({name: (notebook, lang)}) and nbgrader_config.py (the exchange, the mode's per-cell
    timeout, the grading switch). Returns the points per lesson."""
    folder = Path(folder)
    worth = {}
    for name, (notebook, lang) in lessons.items():
        graded = nbgrader_notebook(notebook, lang)
        (folder / "source" / name).mkdir(parents=True, exist_ok=True)
        write_atomically(folder / "source" / name / f"{name}.ipynb", notebook_text(graded))
        worth[name] = points(graded)
    write_atomically(folder / "nbgrader_config.py", CONFIG.format(
        fast="1" if mode == "fast" else "0", mode=mode, course=course, exchange=str(exchange), timeout=TIMEOUT[mode]))
    return worth
