"""Build student copies of the lessons for a class: every cell tagged ``solution`` becomes a "your
turn" cell whose answers are ``...`` placeholders, and every output is cleared (the conversion
itself is gan_utils/course/student.py, which ``gan-course copy --student`` uses too). The checks
then say "Not yet" until the learner fills them in. The Chinese edition (notebooks/zh/) becomes
<out>/zh/, so its links to ../GLOSSARY.md still work.

The whole folder is written at once: built in a temporary folder beside ``--out`` and renamed
into place, so a problem never leaves half a folder. Every lesson is read and converted before
anything is written; a solution that is not valid Python is reported with its notebook, cell
number (counting every cell from 1) and line. A folder from an earlier build is replaced only
if nobody changed it since; if a teacher edited or added files there, the build stops and says
which, and ``--force`` keeps that folder renamed to ``<out>.old-<date>`` before writing the new one.

Exit status: 0 written; 1 nothing written (a lesson to fix, or a folder with edits to keep);
2 a bad option (e.g. --out inside the lessons folder).

Usage:  python tools/student_copies.py [--out student] [--notebooks notebooks] [--force]
        (or: make student, or make student STUDENT_ARGS=--force)
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

from gan_utils.course.notebooks import NotebookError, find_lessons, notebook_text, read_notebook
from gan_utils.course.student import (YOUR_TURN, SolutionError, is_solution,  # noqa: F401 (tests use them here)
                                      placeholder_source, student_copy)

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ".student_copies.json"   # what the last build wrote, to tell a teacher's edits from it


def check_out_folder(out: Path, lessons: Path) -> None:
    """Refuse an --out that would replace, sit among or contain the lessons, or that is a file."""
    out_real, lessons_real = out.resolve(), lessons.resolve()
    if out_real == lessons_real or lessons_real in out_real.parents:
        where = "is the lessons folder" if out_real == lessons_real else f"is inside the lessons folder {lessons}"
        raise ValueError(f"--out {out} {where}: the copies would replace the lessons or sit among "
                         f"them. Pick a folder outside it, e.g. --out student.")
    if out_real in lessons_real.parents:
        raise ValueError(f"--out {out} contains the lessons folder {lessons}: replacing it would "
                         f"move the lessons away. Pick a folder of its own, e.g. --out student.")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder. Pick a folder name, e.g. --out student.")


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (but the manifest and Jupyter's checkpoints)."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != MANIFEST and ".ipynb_checkpoints" not in path.parts}


def changes_since_build(out: Path) -> list[str]:
    """What someone changed in ``out`` since this tool wrote it ([] if it is absent, empty or as
    built); files that were deleted do not count, since a new build brings them back."""
    if not out.is_dir():
        return []
    try:
        built = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):   # not our folder: name what is there, read nothing
        names = sorted(path.name for path in out.iterdir())
        more = [f"... and {len(names) - 10} more"] if len(names) > 10 else []
        return [f"{name} (not written by this tool)" for name in names[:10]] + more
    now = file_hashes(out)
    return ([f"{name} (edited)" for name in now if name in built and now[name] != built[name]]
            + [f"{name} (added)" for name in now if name not in built])


def write_folder(out: Path, files: dict[str, str], keep_old: bool) -> Path | None:
    """Write ``files`` (name -> text) as the folder ``out`` in one step: built beside it, then
    renamed into place. The folder it replaces is kept (renamed; its new path is returned) when
    ``keep_old``, else deleted. On any error ``out`` is left as it was."""
    out.parent.mkdir(parents=True, exist_ok=True)
    building = _free_name(out.parent / f".{out.name}", f"building-{os.getpid()}")
    building.mkdir()   # not mkdtemp: the folder gets the usual permissions, not owner-only
    old = None
    try:
        for name, text in files.items():
            (building / name).parent.mkdir(parents=True, exist_ok=True)   # zh/ for the Chinese edition
            (building / name).write_text(text, encoding="utf-8")
        (building / MANIFEST).write_text(json.dumps({"made_by": "tools/student_copies.py",
                                                     "files": file_hashes(building)}, indent=1))
        if out.exists():
            old = _free_name(out, "old-" + time.strftime("%Y%m%d-%H%M%S")) if keep_old else \
                _free_name(out.parent / f".{out.name}", "replaced")
            os.rename(out, old)
        try:
            os.rename(building, out)
        except OSError:
            if old is not None:
                os.rename(old, out)
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    if old is not None and not keep_old:
        shutil.rmtree(old, ignore_errors=True)   # the untouched earlier build; the new one is in place
        return None
    return old


def _free_name(path: Path, suffix: str) -> Path:
    """``<path>.<suffix>``, or with -2, -3 ... added until no file has that name."""
    candidate, count = path.with_name(f"{path.name}.{suffix}"), 1
    while candidate.exists():
        count += 1
        candidate = path.with_name(f"{path.name}.{suffix}-{count}")
    return candidate


def _shown(path: Path) -> str:
    """``path`` as a reader finds it: relative to the current folder when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("Usage:")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "student",
                        help="folder for the copies (default: student/ in the repository); must not be "
                             "or lie inside the lessons folder")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks",
                        help="folder of the lessons to copy (default: notebooks/); the Chinese edition in its "
                             "zh/ folder is copied to <out>/zh")
    parser.add_argument("--force", action="store_true",
                        help="if --out holds files someone changed since the last build, keep that folder "
                             "renamed to <out>.old-<date> and write the new copies (without --force the build stops)")
    args = parser.parse_args(argv)
    try:
        check_out_folder(args.out, args.notebooks)
        lessons = find_lessons(args.notebooks)
        chinese = args.notebooks / "zh"   # the Chinese edition goes to <out>/zh, beside the English
        lessons += find_lessons(chinese) if chinese.is_dir() else []
    except ValueError as err:
        parser.error(str(err))
    try:
        originals = {path: read_notebook(path) for path in lessons}
        copies = {path.relative_to(args.notebooks).as_posix():
                  student_copy(notebook, _shown(path), "zh" if path.parent == chinese else "en")
                  for path, notebook in originals.items()}
    except (NotebookError, SolutionError) as err:
        print(f"error: {err}\nNothing was written.", file=sys.stderr)
        return 1
    changes = changes_since_build(args.out)
    if changes and not args.force:
        print(f"error: {_shown(args.out)} holds work that a new build would replace:\n  "
              + "\n  ".join(changes) + f"\nNothing was written. Move what you want to keep, or run "
              f"again with --force to keep the whole folder as {args.out.name}.old-<date> "
              f"(make student STUDENT_ARGS=--force).", file=sys.stderr)
        return 1
    files = {name: notebook_text(copy) for name, copy in copies.items()}
    # the lessons link to them (the Chinese edition to its own zh/SYMPTOMS.md); the teacher guide stays behind
    for page in ("GLOSSARY.md", "SYMPTOMS.md", "zh/SYMPTOMS.md"):
        if (args.notebooks / page).exists():
            files[page] = (args.notebooks / page).read_text(encoding="utf-8")
    try:
        kept = write_folder(args.out, files, keep_old=bool(changes))
    except OSError as err:
        print(f"error: could not write {_shown(args.out)}: {err.strerror or err}. Nothing was changed; "
              f"pick a folder you can write to with --out.", file=sys.stderr)
        return 1
    report(args.out, originals, kept)
    return 0


def report(out: Path, originals: dict, kept: Path | None) -> None:
    """Say what was written, which lessons had no exercise, and where an older folder was kept."""
    solutions = {path.name: sum(map(is_solution, notebook.cells)) for path, notebook in originals.items()}
    print(f"Wrote {len(originals)} student notebooks to {_shown(out)} ({sum(solutions.values())} solutions "
          f"replaced by placeholders). They import gan_utils, so open them from the course's environment.")
    for name, count in solutions.items():
        if count == 0:
            print(f"note: {name} has no solution cells; its copy is the lesson with outputs cleared.")
    if kept is not None:
        print(f"The folder that was there before (with the changes listed above) is kept as {_shown(kept)}.")


if __name__ == "__main__":
    sys.exit(main())
