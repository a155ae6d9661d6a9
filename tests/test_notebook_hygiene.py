"""Committed notebooks stay light: no images, animations or widget state, at most 200 KB. And every
figure the lessons draw has alt text for the book (in both editions)."""
import ast
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

LESSONS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(LESSONS.glob("*.ipynb")) + sorted(LESSONS.glob("zh/*.ipynb"))  # zh: the Chinese edition
HEAVY = ("image/png", "image/jpeg", "image/svg+xml", "application/vnd.jupyter.widget-view+json",
         "text/html")
FIX = "run `make clean-notebooks` (python tools/clean_notebooks.py notebooks/*.ipynb notebooks/zh/*.ipynb)"


def test_there_are_lessons():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_notebook_is_committed_clean(path):
    assert path.stat().st_size <= 200 * 1024, f"{path.name} is over 200 KB: {FIX}"
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, f"{path.name} carries widget state: {FIX}"
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            heavy = [k for k in output.get("data", {}) if k in HEAVY]
            assert not heavy, f"{path.name} cell {index} carries {heavy} output: {FIX}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_notebook_has_no_leftover_todo_and_runs_on_the_course_kernel(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for cell in nb.cells:
        assert "TODO" not in cell.source, f"{path.name} has a TODO left in a cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_every_solution_is_folded_away(path):
    """Lesson 00 promises that a worked solution waits folded, so an answer is not read by accident."""
    nb = nbformat.read(path, as_version=4)
    unfolded = [index + 1 for index, cell in enumerate(nb.cells) if "solution" in cell.metadata.get("tags", [])
                and not cell.metadata.get("jupyter", {}).get("source_hidden")]
    assert not unfolded, (f"{path.name}: solution cells {unfolded} (counting from 1) are not folded; "
                          f"set metadata.jupyter.source_hidden = true (in JupyterLab: View > Collapse Selected Code)")


# ---- alt text: every figure the book shows is described ----
# Calls that put a picture (image/png, image/gif) into a cell's output. The list was read off the
# executed lessons: each cell with a picture in its output makes one of these calls (or calls a
# function of the lesson that does), outside any def, and no other cell does. A matplotlib figure
# left open is drawn at the end of the cell, so creating one counts; LiveView and the widgets
# carry a PNG (the live view's last frame, the widget's first state).
PICTURE_CALLS = {"show", "subplots", "figure", "show_grid", "plot_training", "show_health", "LiveView",
                 "ToyLiveView", "build_latent_explorer", "build_toy_stepper", "interactive_with_picture",
                 "ShowImage"}
# HTML players: their frames' alt text is the call's alt= argument, not the cell's metadata
ANIMATION_CALLS = {"show_progress", "animation_player"}
HISTORY_NAMES = {"history", "trainer"}   # show_progress's default alt describes a training run's snapshots
GENERIC = re.compile(r"\b(?:a|an|the|this|that|of|in|on|is|are|and|shows?|showing|shown|image|images|picture|"
                     r"pictures|plot|plots|figure|figures|graph|chart|output|cell|above|below|here|"
                     r"animation|widget|alt|text|result|results)\b|图像|图片|插图|图表|图|输出|单元格|动画|"
                     r"控件|结果|这个|这张|显示|展示|的|了|一张|一个|如下|上面|下面", re.I)
ALT_FIX = ('set the code cell\'s metadata "mystnb": {"image": {"alt": "..."}}: one or two sentences on what '
           'the figure shows and what to notice (in Chinese in zh/)')


def alt_text(cell) -> str | None:
    """The alt text MyST-NB gives a code cell's pictures: metadata.mystnb.image.alt."""
    return cell.metadata.get("mystnb", {}).get("image", {}).get("alt")


def _tree(source: str) -> ast.Module:
    return ast.parse(TransformerManager().transform_cell(source))


def _name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _calls(node, inside_defs: bool):
    """The calls in ``node``; without ``inside_defs``, only those that run when the cell runs."""
    for child in ast.iter_child_nodes(node):
        if not inside_defs and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, ast.Call):
            yield child
        yield from _calls(child, inside_defs)


def drawing_functions(nb) -> set[str]:
    """PICTURE_CALLS and the functions a lesson defines that make one (compare() in lesson 08)."""
    defs = [node for cell in nb.cells if cell.cell_type == "code" for node in ast.walk(_tree(cell.source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    drawing = set(PICTURE_CALLS)
    while True:
        more = {d.name for d in defs if d.name not in drawing and any(_name(c) in drawing for c in _calls(d, True))}
        if not more:
            return drawing
        drawing |= more


def draws_picture(cell, drawing: set[str]) -> bool:
    return cell.cell_type == "code" and any(_name(c) in drawing for c in _calls(_tree(cell.source), False))


def animation_calls(cell) -> list[ast.Call]:
    if cell.cell_type != "code":
        return []
    return [c for c in _calls(_tree(cell.source), False) if _name(c) in ANIMATION_CALLS]


def alt_arguments(cell) -> list[str]:
    """The alt="..." strings of a code cell's calls."""
    if cell.cell_type != "code":
        return []
    return [k.value.value for node in ast.walk(_tree(cell.source)) if isinstance(node, ast.Call)
            for k in node.keywords if k.arg == "alt" and isinstance(k.value, ast.Constant)]


def alt_complaint(alt: str) -> str | None:
    """Why ``alt`` does not describe a figure (too short, too long, generic), or None."""
    if len(alt.strip()) < 30:
        return f"{alt!r} is too short (under 30 characters)"
    if len(alt) > 300:
        return f"{alt[:40]!r}... is over 300 characters: keep it to one or two sentences"
    rest = GENERIC.sub(" ", alt)
    if len(re.findall(r"[A-Za-z0-9]{2,}|[\u3400-\u9fff]", rest)) < 6:
        return f"{alt!r} is generic: say what the figure shows and what to notice"
    return None


def test_the_drawing_rule_knows_what_draws():
    cell = nbformat.v4.new_code_cell("%matplotlib inline\ndef panel(run):\n    show_health(run)\nx = 1")
    drawing = drawing_functions(nbformat.v4.new_notebook(cells=[cell]))
    assert "panel" in drawing and not draws_picture(cell, drawing)   # a def draws nothing when it runs
    assert draws_picture(nbformat.v4.new_code_cell("runs = [panel(1)]"), drawing)
    assert draws_picture(nbformat.v4.new_code_cell("viz.show_grid(x)\nplt.show()"), drawing)
    assert not draws_picture(nbformat.v4.new_code_cell("print(viz.image_grid(x).shape)"), drawing)
    assert alt_complaint("Image") and alt_complaint("A plot of the output of the cell shown above.")
    assert alt_complaint("图像") and alt_complaint("上面这个单元格输出的一张图像。这是一张图片。")
    assert alt_complaint("A 10 by 10 grid of generated digits after training: each row is one digit class "
                         "0-9, the strokes are smooth and mostly legible.") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_every_figure_has_alt_text(path):
    """The book (MyST-NB) gives a cell's pictures the cell's alt text; without one a screen reader
    announces only "image". The widgets' first picture and the live views' last one count too."""
    nb = nbformat.read(path, as_version=4)
    drawing = drawing_functions(nb)
    missing = [index for index, cell in enumerate(nb.cells) if draws_picture(cell, drawing) and not alt_text(cell)]
    assert not missing, f"{path.name}: cells {missing} (counting from 0) draw a figure without alt text: {ALT_FIX}"
    stray = [index for index, cell in enumerate(nb.cells) if alt_text(cell) and not draws_picture(cell, drawing)]
    assert not stray, (f"{path.name}: cells {stray} (counting from 0) have alt text but draw nothing "
                       f"(a drawing call removed?): remove metadata.mystnb.image.alt, or add the call to "
                       f"PICTURE_CALLS in this test if it does draw")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_every_animation_says_what_it_shows(path):
    """An animation is an HTML player whose frame's alt text is the call's alt= argument. The default
    of animation_player says only "a sequence of frames", and show_progress's describes a training
    run's snapshots; any other animation passes its own."""
    nb = nbformat.read(path, as_version=4)
    undescribed = []
    for index, cell in enumerate(nb.cells):
        for call in animation_calls(cell):
            if any(k.arg == "alt" for k in call.keywords):
                continue
            first = call.args[0] if call.args else None
            shows_a_run = (isinstance(first, ast.Name) and first.id in HISTORY_NAMES
                           or isinstance(first, ast.Attribute) and first.attr in HISTORY_NAMES)
            if _name(call) == "animation_player" or not shows_a_run:
                undescribed.append(f"cell {index}: {_name(call)}(...)")
    assert not undescribed, (f"{path.name}: {undescribed} (cells counting from 0) show an animation without "
                             f"alt=\"...\" saying what its frames show")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(LESSONS).as_posix())
def test_alt_texts_describe_the_figure(path):
    nb = nbformat.read(path, as_version=4)
    complaints = [f"cell {index}: {complaint}" for index, cell in enumerate(nb.cells)
                  for alt in ([alt_text(cell)] if alt_text(cell) is not None else []) + alt_arguments(cell)
                  if (complaint := alt_complaint(alt if isinstance(alt, str) else repr(alt)))]
    assert not complaints, f"{path.name} (cells counting from 0):\n" + "\n".join(complaints)
