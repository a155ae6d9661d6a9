"""Build student copies of the lessons: every cell tagged ``solution`` becomes a "your turn" cell
whose answers are ``...`` placeholders, and every output is cleared. The checks then say
"Not yet" until the learner fills them in. The Chinese edition (notebooks/zh/) becomes <out>/zh/,
so its links to ../GLOSSARY.md still work.

Every name a solution assigns becomes ``name = ...`` wherever the assignment sits (inside
``with``, ``if``, ``for``, ``try``); functions and classes keep their signature and docstring.
IPython magics are fine in a solution (``%%time`` on the first line, ``%matplotlib``, ``!pip``).

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
import ast
import hashlib
import json
import os
import shutil
import sys
import textwrap
import time
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_files import NotebookError, find_lessons, notebook_text, read_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
YOUR_TURN = "# ✍️ Your turn: replace each ... with your answer, run this cell, then run the check below."
WORDS = {"en": {"your turn": YOUR_TURN, "your code": "# your code here"},   # the Chinese edition's copies
         "zh": {"your turn": "# ✍️ 轮到你了：把每个 ... 换成你的答案，运行这个单元格，再运行下面的检查。",
                "your code": "# 在这里写你的代码"}}
MANIFEST = ".student_copies.json"   # what the last build wrote, to tell a teacher's edits from it
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}   # cell magics whose body is Python


class SolutionError(ValueError):
    """A solution cell that cannot become a placeholder; the message names the notebook and cell."""


def is_solution(cell) -> bool:
    """A code cell tagged ``solution``: the cells that become placeholders."""
    return cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])


def placeholder_source(source: str, lang: str = "en") -> str:
    """The student version of a solution cell: the names it assigns set to ``...``, and the
    functions and classes it defines kept as their signature with an empty body. Raises
    SyntaxError (line numbers as in the cell) or ValueError if there is nothing to turn into one."""
    header, python, lines = _python_of(source)
    try:
        tree = ast.parse(python)
    except SyntaxError as err:   # number the line as in the cell, and show it as written there
        number = (err.lineno or 2) - 1
        text = lines[number] if 0 < number < len(lines) else err.text
        raise SyntaxError(err.msg, (None, number, err.offset, text)) from None
    collector = _Placeholders(lines, WORDS[lang]["your code"])
    collector.visit(tree)
    if not collector.parts:
        raise ValueError("it assigns no name and defines no function or class, so the learner's copy would "
                         "have nothing to fill in. Make the answer an assignment that the check "
                         "reads (e.g. `answer = ...`), or remove the 'solution' tag.")
    magics = [lines[node.lineno - 1] for node in tree.body
              if _is_magic_call(node) and _magic_code(node.value) is None]   # %time answer = ... would leak
    return "\n".join(([header] if header else []) + [WORDS[lang]["your turn"]] + magics + collector.parts)


def _python_of(source: str) -> tuple[str, str, list[str]]:
    """(the cell-magic line to keep, or ""; the cell as plain Python for ``ast``; the cell's own
    lines, numbered as the Python's). IPython's own rewriting turns line magics and ``!`` commands
    into calls; a first line "#" keeps it from dropping leading blank lines, so line n of the cell
    is line n + 1 of the Python."""
    header = ""
    if source.startswith("%%"):
        header, _, rest = source.partition("\n")
        name = header[2:].split()[0] if header[2:].split() else ""
        if name not in PYTHON_CELL_MAGICS:
            raise ValueError(f"it starts with the cell magic {header.split()[0]}, whose body is not "
                             f"Python. A solution cell must be Python (%%time, %%capture and line "
                             f"magics such as %matplotlib are fine).")
        source = "#\n" + rest
    python = TransformerManager().transform_cell("#\n" + source)
    return header, python, ["#"] + source.split("\n")


def _is_magic_call(node) -> bool:
    """True for a top-level statement IPython made from a magic or ``!`` line (kept in the copy)."""
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and "get_ipython()" in ast.unparse(node.value.func))


def _magic_code(call) -> ast.Module | None:
    """The Python that a line magic such as ``%time answer = f()`` or ``%timeit -n 3 x = f()`` runs
    (parsed, options skipped; empty if it does not parse), or None for any other call."""
    if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "get_ipython().run_line_magic"
            and len(call.args) == 2 and all(isinstance(a, ast.Constant) for a in call.args)
            and call.args[0].value in PYTHON_CELL_MAGICS):
        return None
    words = str(call.args[1].value).split(" ")
    for start in range(len(words)):
        try:
            return ast.parse(" ".join(words[start:]))
        except SyntaxError:
            continue
    return ast.Module(body=[], type_ignores=[])


class _Placeholders(ast.NodeVisitor):
    """Collects, in order, ``name = ...`` for each assignment at any depth and a stub for each
    function or class; loop and ``with ... as`` variables are the solution's own, not answers."""

    def __init__(self, lines: list[str], your_code: str = WORDS["en"]["your code"]):
        self.lines, self.parts, self.assigned, self.your_code = lines, [], set(), your_code

    def _add(self, line: str) -> None:
        if line not in self.parts:
            self.parts.append(line)

    def _target(self, target) -> None:
        if isinstance(target, ast.Name):
            self.assigned.add(target.id)
            self._add(f"{target.id} = ...")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._target(element)
        elif isinstance(target, ast.Starred):
            self._target(target.value)
        elif isinstance(target, (ast.Attribute, ast.Subscript)) and _root_name(target) not in self.assigned:
            self._add(f"{ast.unparse(target)} = ...")    # e.g. config["lr"] = ... on an object made earlier

    def visit_Assign(self, node):
        for target in node.targets:
            self._target(target)
        self.visit(node.value)

    def visit_AnnAssign(self, node):
        self._target(node.target)
        if node.value is not None:
            self.visit(node.value)

    def visit_AugAssign(self, node):
        self._target(node.target)
        self.visit(node.value)

    def visit_NamedExpr(self, node):
        self._target(node.target)
        self.visit(node.value)

    def visit_FunctionDef(self, node):
        self._add(_stub(node, self.lines, self.your_code))

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node):
        pass   # its parameters are not answers

    def visit_Call(self, node):
        code = _magic_code(node)   # %time answer = f(): the assignment inside is an answer too
        if code is not None:
            self.visit(code)
        else:
            self.generic_visit(node)


def _root_name(target) -> str | None:
    """The variable an attribute or item assignment starts from (``config`` in ``config["lr"]``)."""
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _stub(node, lines: list[str], your_code: str) -> str:
    """A function or class kept as its header (decorators, signature, docstring) over ``...``."""
    first = node.body[0]
    if ast.get_docstring(node) is not None:   # keep the docstring: it says what to write
        end_line, end_col = first.end_lineno, first.end_col_offset
    else:
        end_line, end_col = first.lineno, first.col_offset
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    chunk = lines[start:end_line]
    chunk[-1] = chunk[-1].encode("utf-8")[:end_col].decode("utf-8")   # ast columns count bytes
    header = textwrap.dedent("\n".join(chunk).rstrip())
    same_line = first.lineno == node.lineno
    indent = " " * (4 if same_line else first.col_offset - node.col_offset)
    return f"{header}\n{indent}...  {your_code}"


def student_copy(notebook, name: str = "the notebook", lang: str = "en"):
    """A new notebook: solutions replaced by placeholders (tag ``your-turn``), outputs cleared; the
    placeholders' comments in ``lang``. Raises SolutionError naming ``name`` and the cell for a
    solution that cannot be converted."""
    copy = nbformat.from_dict(notebook)
    for number, cell in enumerate(copy.cells, 1):
        where = f"{name}, cell {number} of {len(copy.cells)}"
        if cell.cell_type != "code":
            if "solution" in cell.metadata.get("tags", []):
                raise SolutionError(f"{where} is a {cell.cell_type} cell tagged 'solution', but only "
                                    f"code cells become placeholders, so its text would reach the "
                                    f"learners as it is. Move the answer into a code cell, or remove the tag.")
            continue
        cell.outputs, cell.execution_count = [], None
        if is_solution(cell):
            cell.source = _converted(cell.source, where, lang)
            cell.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != "solution"] + ["your-turn"]
    copy.metadata.pop("widgets", None)
    return copy


def _converted(source: str, where: str, lang: str = "en") -> str:
    """``placeholder_source``, with its errors turned into a SolutionError that says ``where``."""
    try:
        return placeholder_source(source, lang)
    except SyntaxError as err:
        shown = f"  line {err.lineno}: "
        line = (err.text or "").rstrip("\n")
        caret = "\n" + " " * (len(shown) + err.offset - 1) + "^" if err.offset else ""
        raise SolutionError(f"{where} (a solution) is not valid Python, so it cannot become a "
                            f"placeholder: {err.msg}\n{shown}{line}{caret}\n"
                            f"Fix it in the lesson (run the cell in Jupyter to see the error there), "
                            f"then build the copies again.") from None
    except ValueError as err:
        raise SolutionError(f"{where} (a solution): {err}") from None


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
    for page in ("GLOSSARY.md", "SYMPTOMS.md"):   # the lessons link to them; the teacher guide stays behind
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
