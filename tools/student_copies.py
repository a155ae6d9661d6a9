"""Build student copies of the lessons: every cell tagged ``solution`` becomes a "your turn" cell
whose answers are ``...`` placeholders, and every output is cleared. The checks then say
"Not yet" until the learner fills them in.

Usage:  python tools/student_copies.py [--out student]      (or: make student)
"""
import argparse
import ast
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
YOUR_TURN = "# ✍️ Your turn: replace each ... with your answer, run this cell, then run the check below."


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])


def placeholder_source(source: str) -> str:
    """The student version of a solution cell: the names it assigns set to ``...``, and the
    functions it defines kept as their signature with an empty body."""
    lines = source.splitlines()
    tree = ast.parse(source)
    parts = [YOUR_TURN]
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            header = "\n".join(lines[start:node.body[0].lineno - 1])
            if ast.get_docstring(node):  # keep the docstring: it says what to write
                header = "\n".join(lines[start:node.body[0].end_lineno])
            parts.append(f"{header}\n    ...  # your code here")
            continue
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in _names(target)]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = _names(node.target)
        for name in targets:
            line = f"{name} = ..."
            if line not in parts:
                parts.append(line)
    return "\n".join(parts)


def _names(target) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _names(element)]
    return []


def student_copy(notebook):
    """A new notebook: solutions replaced by placeholders (tag ``your-turn``), outputs cleared."""
    copy = nbformat.from_dict(notebook)
    for cell in copy.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        if is_solution(cell):
            cell.source = placeholder_source(cell.source)
            cell.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != "solution"] + ["your-turn"]
    copy.metadata.pop("widgets", None)
    return copy


def build(out: Path, notebooks: list[Path]) -> list[Path]:
    """Write a student copy of each notebook (and the glossary) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        target = out / path.name
        nbformat.write(student_copy(nbformat.read(path, as_version=4)), target)
        written.append(target)
    glossary = ROOT / "notebooks" / "GLOSSARY.md"   # the lessons link to it; the teacher guide stays behind
    if glossary.exists():
        shutil.copy(glossary, out / glossary.name)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "student",
                        help="folder for the copies (default: student/ in the repository)")
    args = parser.parse_args(argv)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    written = build(args.out, notebooks)
    solutions = sum(is_solution(c) for p in notebooks for c in nbformat.read(p, as_version=4).cells)
    print(f"Wrote {len(written)} student notebooks to {args.out} ({solutions} solutions replaced by "
          f"placeholders). They import gan_utils, so open them from the course's environment.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
