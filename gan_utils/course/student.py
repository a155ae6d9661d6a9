"""Student copies of a lesson: every cell tagged ``solution`` becomes a "your turn" cell whose
answers are ``...`` placeholders, and every output is cleared, so the checks say "Not yet" until the
learner fills them in (used by ``gan-course copy --student`` and the teachers' tools/student_copies.py).

Every name a solution assigns becomes ``name = ...`` wherever the assignment sits (inside ``with``,
``if``, ``for``, ``try``); functions and classes keep their signature and docstring. IPython magics
are fine in a solution (``%%time`` on the first line, ``%matplotlib``, ``!pip``)."""
import ast
import textwrap

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

YOUR_TURN = "# ✍️ Your turn: replace each ... with your answer, run this cell, then run the check below."
WORDS = {"en": {"your turn": YOUR_TURN, "your code": "# your code here"},   # the Chinese edition's copies
         "zh": {"your turn": "# ✍️ 轮到你了：把每个 ... 换成你的答案，运行这个单元格，再运行下面的检查。",
                "your code": "# 在这里写你的代码"}}
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
