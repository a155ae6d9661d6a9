"""The ``gan-course`` command, installed with the package, for a course without a clone:

    gan-course copy DIR [--lang en|zh|all] [--student] [--force]   the lessons, glossary and symptoms table into DIR
    gan-course lab DIR [--lang en|zh] [jupyter options]            JupyterLab in DIR at lesson 00 (copied first if missing)

What the lessons write goes to DIR/outputs/ (the Chinese edition's to DIR/zh/outputs/), beside the
notebooks. A second copy never overwrites a lesson the learner changed: it keeps it and says so.
Exit status: 0 done; 1 something could not be written or opened (the message says why); 2 a bad option.
"""
import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from ..language import LANG_ENV_VAR
from .lessons import EDITIONS, LANGUAGES, copy_course, first_lesson
from .notebooks import NotebookError
from .student import SolutionError


def main(argv=None) -> int:
    parser = _parser()
    args, jupyter_options = parser.parse_known_args(argv)
    if args.command != "lab" and jupyter_options:
        parser.error(f"unrecognized arguments: {' '.join(jupyter_options)}")
    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        parser.error(f"{folder} is a file, not a folder. Name a folder for the lessons, e.g. gan-course {args.command} gan-lessons")
    try:
        if args.command == "copy":
            print(describe(copy_course(folder, args.lang, args.student, args.force), args.lang))
            return 0
        return open_lab(folder, args.lang, jupyter_options)
    except (NotebookError, SolutionError) as err:
        print(f"error: {err}\nThe course package's lessons look damaged; reinstall it.", file=sys.stderr)
    except OSError as err:
        print(f"error: could not write into {folder} ({err.strerror or err}). Pick a folder you can "
              f"write to, e.g. one in your home folder.", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gan-course", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{copy,lab}")
    copy = commands.add_parser("copy", help="write the lessons, glossary and symptoms table into a folder")
    copy.add_argument("folder", help="the folder for the lessons (created if missing)")
    copy.add_argument("--lang", choices=LANGUAGES, default="en",
                      help="en: the English lessons in FOLDER; zh: the Chinese ones in FOLDER/zh; all: both")
    copy.add_argument("--student", action="store_true",
                      help="student copies: solutions replaced by placeholders, no teacher guide")
    copy.add_argument("--force", action="store_true",
                      help="replace files that differ from this course's, keeping each as <name>.old-<date>")
    lab = commands.add_parser("lab", help="open JupyterLab in a folder of lessons (copied there first if missing); "
                                          "other options go to JupyterLab, e.g. --no-browser")
    lab.add_argument("folder", nargs="?", default=".", help="the folder of lessons (default: this one)")
    lab.add_argument("--lang", choices=tuple(EDITIONS), default="en", help="which edition to open")
    return parser


def describe(report, lang: str) -> str:
    """What a copy did, in a few lines, ending with how to open it."""
    lines = [f"Wrote {len(report.written)} files to {report.folder}"
             + (f" ({len(report.unchanged)} already there and the same)." if report.unchanged else ".")]
    lines += [f"Replaced {name}; the earlier one is kept as {old}." for name, old in report.replaced]
    if report.kept:
        lines.append(f"Kept {len(report.kept)} files as they are, since they differ from this course's "
                     f"(your edits, or an older copy): {', '.join(report.kept)}. "
                     f"Add --force to replace them (each is kept as <name>.old-<date>).")
    lang = lang if lang in EDITIONS else "en"
    lines.append(f"Open it: gan-course lab {report.folder}" + (" --lang zh" if lang == "zh" else ""))
    return "\n".join(lines)


def open_lab(folder: Path, lang: str, jupyter_options: list[str]) -> int:
    """JupyterLab with ``folder`` as its root, at lesson 00 of ``lang``; lessons copied first if missing."""
    if importlib.util.find_spec("jupyterlab") is None:
        print("error: JupyterLab is not installed in this Python. Install it with "
              "`python -m pip install jupyterlab`, or open the folder in the Jupyter you use.", file=sys.stderr)
        return 1
    lesson = first_lesson(lang)
    if not (folder / lesson).is_file():
        print(describe(copy_course(folder, lang), lang).rsplit("\n", 1)[0])
    environment = dict(os.environ, **{LANG_ENV_VAR: lang})   # the course's helpers print in this language
    command = [sys.executable, "-m", "jupyterlab", *jupyter_options, lesson]
    try:
        return subprocess.call(command, cwd=folder, env=environment)
    except KeyboardInterrupt:   # Ctrl-C stops JupyterLab, which has already said so
        return 0


if __name__ == "__main__":
    sys.exit(main())
