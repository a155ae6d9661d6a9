"""The gan-course command, installed with the package, for the course without a clone.

    gan-course copy DIR [--lang en|zh|all] [--student] [--force]
        the lessons, glossary and symptoms table into DIR (the Chinese edition into DIR/zh)
    gan-course lab DIR [--lang en|zh] [JupyterLab options, e.g. --no-browser --port=8890]
        JupyterLab in DIR at lesson 00 (the lessons copied there first when DIR is new or empty)
    gan-course assignments DIR --exchange EXCHANGE [--lessons 00,02,03] [--lang en|zh|all] [--full]
        an nbgrader course in DIR: source/<lesson>/ for each lesson, and nbgrader_config.py
    gan-course add-students NAME... [--file NAMES.txt] [--passwords FILE.csv]    (as root, on a class's server)
        Unix accounts with private homes and random passwords, in the group the class's hub lets in
    gan-course student-server --folder DIR [--lang en|zh]    (run by the class's hub, as each student)

What the lessons write goes to DIR/outputs/ (the Chinese edition's to DIR/zh/outputs/), beside the
notebooks. A second copy never overwrites a lesson the learner changed: it keeps it and says so.
Exit status: 0 done; 1 something could not be read, written or opened (the message says why);
2 a bad option.
"""
import argparse
import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path

from ..language import LANG_ENV_VAR
from .classroom import STUDENTS_GROUP, StudentAccountError, add_students, start_student_server
from .lessons import EDITIONS, LANGUAGES, CourseFilesError, copy_course, first_lesson, lesson_files


def main(argv=None) -> int:
    parser = _parser()
    args, jupyter_options = parser.parse_known_args(argv)
    if args.command == "student-server":   # the rest are the hub's options for the student's server
        return start_student_server(args.folder, args.lang, jupyter_options)
    if args.command != "lab" and jupyter_options:
        parser.error(f"unrecognized arguments: {' '.join(jupyter_options)}")
    folder = Path(getattr(args, "folder", "."))
    if folder.exists() and not folder.is_dir():
        parser.error(f"{folder} is a file, not a folder. Name a folder for the lessons, "
                     f"e.g. gan-course {args.command} gan-lessons")
    try:
        if args.command == "copy":
            print("\n".join(describe(copy_course(folder, args.lang, args.student, args.force), args.lang)))
            return 0
        if args.command == "assignments":
            return make_assignments(folder, args)
        if args.command == "add-students":
            return add_student_accounts(args)
        return open_lab(folder, args.lang, jupyter_options)
    except CourseFilesError as err:
        print(f"error: {err}", file=sys.stderr)
    except OSError as err:
        print(f"error: could not write {err.filename or folder} ({err.strerror or err}). Pick a folder "
              f"you can write to, e.g. one in your home folder.", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gan-course", description=__doc__.split("\n\n")[0],
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:3]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{copy,lab,assignments,add-students,student-server}")
    copy = commands.add_parser("copy", help="write the lessons, glossary and symptoms table into a folder")
    copy.add_argument("folder", help="the folder for the lessons (created if missing)")
    copy.add_argument("--lang", choices=LANGUAGES, default="en",
                      help="en: the English lessons in FOLDER; zh: the Chinese ones in FOLDER/zh; all: both")
    copy.add_argument("--student", action="store_true",
                      help="student copies: solutions replaced by placeholders, no teacher guide")
    copy.add_argument("--force", action="store_true",
                      help="replace files that differ from this course's, keeping each as <name>.old-<date>.<ext>")
    lab = commands.add_parser("lab", help="open JupyterLab in a folder of lessons",
                              description="Open JupyterLab in FOLDER at lesson 00. A new or empty FOLDER gets the "
                                          "lessons first. Other options go to JupyterLab; give their values with "
                                          "=, e.g. --port=8890 --no-browser.")
    lab.add_argument("folder", help="the folder of lessons")
    lab.add_argument("--lang", choices=tuple(EDITIONS), default="en", help="which edition to open")
    grading = commands.add_parser("assignments", help="turn lessons into an nbgrader course (autograded exercises)")
    grading.add_argument("folder", help="the nbgrader course folder (created if missing)")
    grading.add_argument("--exchange", required=True, help="nbgrader's exchange folder, shared by teacher and students")
    grading.add_argument("--lessons", default="all", help="lesson numbers, e.g. 00,02,03 (default: all)")
    grading.add_argument("--lang", choices=LANGUAGES, default="en",
                         help="which edition; the Chinese assignments are named zh_<lesson>")
    grading.add_argument("--full", action="store_true", help="full mode (the default is fast mode: short runs)")
    students = commands.add_parser("add-students", help="Unix accounts for a class's hub (as root)",
                                   description="Add each student as a Unix user with a private home and a random "
                                               "password, in the group the class's hub lets in. Existing users "
                                               "join the group and keep their password.")
    students.add_argument("names", nargs="*", help="account names, e.g. ada grace")
    students.add_argument("--file", help="a text file with one name per line (# starts a comment)")
    students.add_argument("--group", default=STUDENTS_GROUP, help=f"the students' group (default {STUDENTS_GROUP})")
    students.add_argument("--passwords", help="write name,password lines to this file (readable by you only) "
                                              "instead of printing them")
    students.add_argument("--home-root", help=argparse.SUPPRESS)   # homes elsewhere than /home (the hub test)
    server = commands.add_parser("student-server", allow_abbrev=False,
                                 help="start a student's server on the class's hub (the hub runs it)")
    server.add_argument("--folder", required=True, help="the student's lessons, e.g. ~/gan-course")
    server.add_argument("--lang", choices=tuple(EDITIONS), default="en", help="the class's edition")
    return parser


def make_assignments(folder: Path, args) -> int:
    """Write the nbgrader course and say what each assignment is worth."""
    import nbformat
    from .grading import write_nbgrader_course
    wanted = None if args.lessons == "all" else {number.strip().zfill(2) for number in args.lessons.split(",")}
    lessons = {}
    for edition, path, item in lesson_files(args.lang):
        if wanted is None or item.name[:2] in wanted:
            name = item.name.removesuffix(".ipynb")
            notebook = nbformat.reads(item.read_text(encoding="utf-8"), as_version=4)
            lessons[f"zh_{name}" if edition == "zh" else name] = (notebook, edition)
    if not lessons:
        print(f"error: no lesson matches --lessons {args.lessons}; give numbers such as 00,02,03.", file=sys.stderr)
        return 1
    worth = write_nbgrader_course(folder, lessons, Path(args.exchange).resolve(), "full" if args.full else "fast")
    print(f"Wrote an nbgrader course to {folder} ({'full' if args.full else 'fast'} mode), one assignment per lesson:")
    print("\n".join(f"  {name}: {points} points" for name, points in worth.items()))
    print(f"Next, in {shlex.quote(str(folder))}: nbgrader generate_assignment LESSON, then nbgrader release_assignment LESSON.")
    return 0


def add_student_accounts(args) -> int:
    """Add the named students; their passwords go to a file only the teacher can read, or to the screen."""
    names = list(args.names)
    if args.file:
        lines = Path(args.file).read_text(encoding="utf-8").splitlines()
        names += [name for name in (line.split("#")[0].strip() for line in lines) if name]
    if not names:
        print("error: name the students, e.g. gan-course add-students ada grace, or --file names.txt", file=sys.stderr)
        return 2
    try:
        passwords = add_students(names, args.group, args.home_root)
    except StudentAccountError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    lines = [f"{name},{password}" for name, password in passwords.items() if password]
    if args.passwords and lines:
        target = Path(args.passwords)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
        print(f"Wrote {len(lines)} new passwords to {target} (readable by you only). Hand each student theirs.")
    elif lines:
        print("name,password\n" + "\n".join(lines))
    old = [name for name, password in passwords.items() if not password]
    if old:
        print(f"Already had accounts (now in {args.group}, passwords unchanged): {', '.join(old)}")
    return 0


def describe(report, lang: str) -> list[str]:
    """What a copy did, in a few lines, the last saying how to open it."""
    count = len(report.written)
    lines = [f"Wrote {count} file{'s' if count != 1 else ''} to {report.folder}"
             + (f" ({len(report.unchanged)} already there and the same)." if report.unchanged else ".")]
    lines += [f"Replaced {name}; the earlier one is kept as {old}." for name, old in report.replaced]
    if report.kept:
        lines.append(f"Kept {len(report.kept)} as they are, since they differ from this course's files (your "
                     f"edits, an older copy, or copies of the other kind, --student or not): "
                     f"{', '.join(report.kept)}. Add --force to replace them (each is kept as <name>.old-<date>.ipynb).")
    edition = " --lang zh" if lang == "zh" else ""
    lines.append(f"Open it: gan-course lab {shlex.quote(str(report.folder))}{edition}")
    return lines


def open_lab(folder: Path, lang: str, jupyter_options: list[str]) -> int:
    """JupyterLab with ``folder`` as its root, at lesson 00 of ``lang``. A new or empty folder gets
    the lessons first; a folder holding other things is left alone, with what to do instead."""
    if importlib.util.find_spec("jupyterlab") is None:
        print(f"error: JupyterLab is not installed in this Python. Install it with "
              f"`{shlex.quote(sys.executable)} -m pip install jupyterlab`, or open the folder in the "
              f"Jupyter you use.", file=sys.stderr)
        return 1
    lesson = first_lesson(lang)
    if not (folder / lesson).is_file():
        if folder.is_dir() and any(folder.iterdir()):
            print(f"error: {folder} holds no {lesson}, and other files. Copy the lessons there first "
                  f"(gan-course copy {shlex.quote(str(folder))}{' --lang zh' if lang == 'zh' else ''}), or "
                  f"name a new folder.", file=sys.stderr)
            return 1
        print("\n".join(describe(copy_course(folder, lang), lang)[:-1]))
    environment = dict(os.environ, **{LANG_ENV_VAR: lang})   # the course's helpers print in this language
    command = [sys.executable, "-m", "jupyterlab", *jupyter_options, lesson]
    if os.name != "posix":   # Windows has no exec: JupyterLab runs as a child
        try:
            return subprocess.call(command, cwd=folder, env=environment)
        except KeyboardInterrupt:   # Ctrl-C stops JupyterLab, which has already said so
            return 0
    os.chdir(folder)
    os.execve(sys.executable, command, environment)   # JupyterLab takes this process's place: Ctrl-C and kill reach it
    return 0


if __name__ == "__main__":
    sys.exit(main())
