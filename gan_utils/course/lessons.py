"""The lessons shipped inside the package (the clone's notebooks/, ``gan_utils.lessons`` in a wheel),
and writing them into a learner's folder without ever overwriting the learner's work."""
import importlib.resources
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import clone_root
from .notebooks import NotebookError, notebook_text, parse_notebook, write_atomically
from .student import SolutionError, student_copy

LESSONS_PACKAGE = "gan_utils.lessons"
EDITIONS = {"en": "", "zh": "zh"}   # each edition's subfolder, as in the clone's notebooks/
LANGUAGES = ("en", "zh", "all")
PAGES = ("GLOSSARY.md", "SYMPTOMS.md")   # the lessons link to them (the Chinese edition as ../)
EDITION_PAGES = ("SYMPTOMS.md",)   # translated: each edition's own beside its lessons (zh/SYMPTOMS.md)
TEACHER_PAGE = "TEACHER_GUIDE.md"   # it holds the answers, so student copies leave it out
LESSON_NAME = re.compile(r"\d\d_\w+\.ipynb")


class CourseFilesError(RuntimeError):
    """The course's own lessons could not be read or converted; the message says how to get them back."""


def shipped_lessons():
    """The folder of lessons: inside an installed wheel, ``gan_utils.lessons`` through
    importlib.resources; in a clone, its notebooks/ (an editable install cannot import a folder
    without ``__init__.py`` under a package, and the lessons' folder should not need one)."""
    clone = clone_root()
    return clone / "notebooks" if clone is not None else importlib.resources.files(LESSONS_PACKAGE)


def editions(lang: str) -> list[str]:
    """The editions ``lang`` names: ["en"], ["zh"] or both for "all"."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    return list(EDITIONS) if lang == "all" else [lang]


def course_files(lang: str = "en", student: bool = False) -> dict[str, str]:
    """What a copy of the course holds, as {relative path: text}: each edition's lessons (student
    copies when ``student``: solutions replaced by placeholders, outputs cleared), the glossary
    and symptoms table they link to (and each edition's own symptoms table beside its lessons), and
    the teacher guide unless ``student``. A lesson that cannot
    be read or converted raises CourseFilesError saying how to restore it."""
    try:
        return _read_course_files(lang, student)
    except (OSError, NotebookError, SolutionError, UnicodeDecodeError) as err:
        clone = clone_root()
        fix = (f"Restore the lessons in {clone / 'notebooks'} (git checkout -- notebooks/), or fix the "
               f"lesson named above." if clone is not None else
               "Reinstall the course package from where it came, or ask whoever installed it.")
        raise CourseFilesError(f"the course's lessons could not be read: {err}. {fix}") from None


def lesson_files(lang: str = "en") -> list[tuple[str, str, object]]:
    """(edition, path inside a copy, shipped file) for each lesson of ``lang``'s editions, in course order."""
    return [(edition, path, item) for edition in editions(lang) for path, item in _edition_files(edition)
            if LESSON_NAME.fullmatch(item.name)]


def _edition_files(edition: str) -> list[tuple[str, object]]:
    """(path inside a copy, shipped file) for each file of one edition's folder, in name order."""
    folder = shipped_lessons().joinpath(EDITIONS[edition]) if EDITIONS[edition] else shipped_lessons()
    return [(_in_edition(edition, item.name), item) for item in sorted(folder.iterdir(), key=lambda item: item.name)]


def _in_edition(edition: str, name: str) -> str:
    """``name`` inside ``edition``'s folder of a copy (zh/ for the Chinese edition)."""
    return f"{EDITIONS[edition]}/{name}" if EDITIONS[edition] else name


def _read_course_files(lang: str, student: bool) -> dict[str, str]:
    files = {}
    for edition, path, item in lesson_files(lang):
        text = item.read_text(encoding="utf-8")
        if student:
            text = notebook_text(student_copy(parse_notebook(Path(path), text.encode("utf-8")), path, edition))
        files[path] = text
    if not student:
        for edition in editions(lang):
            files |= {path: item.read_text(encoding="utf-8")
                      for path, item in _edition_files(edition) if item.name == TEACHER_PAGE}
    for edition in editions(lang):
        files |= {path: item.read_text(encoding="utf-8")
                  for path, item in _edition_files(edition) if item.name in EDITION_PAGES}
    for page in PAGES:
        files[page] = shipped_lessons().joinpath(page).read_text(encoding="utf-8")
    return files


@dataclass
class CopyReport:
    """What ``copy_course`` did with each file: written new, already the same, replaced (the
    learner's version kept beside it), or kept as the learner has it."""
    folder: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def copy_course(folder: Path, lang: str = "en", student: bool = False, force: bool = False) -> CopyReport:
    """Write the course's files into ``folder``. A file already there that differs (the learner's
    edits, or a copy of an older course) is kept as it is; with ``force`` it is renamed to
    ``<name>.old-<date>.<ext>`` (still a notebook) and the new one written. Nothing else in ``folder`` (outputs/) is touched."""
    folder, files = Path(folder), course_files(lang, student)   # all read (and converted) before anything is written
    report = CopyReport(folder)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name, text in files.items():
        target = folder / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, text)
            report.written.append(name)
        elif target.read_text(encoding="utf-8", errors="replace") == text:
            report.unchanged.append(name)
        elif force:
            old = target.with_name(f"{target.stem}.old-{stamp}{target.suffix}")
            os.replace(target, old)
            write_atomically(target, text)
            report.replaced.append((name, old.name))
        else:
            report.kept.append(name)
    return report


def first_lesson(lang: str = "en") -> str:
    """The path, inside a copy, of the lesson JupyterLab opens first."""
    return _in_edition(editions(lang)[0], "00_welcome.ipynb")
