"""The course's colours stay apart for colour-blind readers, come from one module, and every figure
has an opaque white background (JupyterLab's dark theme shows a transparent one's text on black)."""
import ast
import base64
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgb
from PIL import Image

from gan_utils.viz import colors

matplotlib.use("Agg")

PACKAGE = Path(__file__).resolve().parents[1] / "gan_utils"

# Machado, Oliveira & Fernandes (2009), severity 1: full dichromacy, applied to linear RGB.
DICHROMACY = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])

# CIE76 ΔE: about 2.3 is the smallest difference noticed between two large patches side by side.
# Thin curves and 3-pixel dots, matched to a legend, need an obvious one: 20 is about the step from
# mid grey to light grey (L* 54 -> 74). The red/green pair this course used to draw falls to 7.
MIN_DELTA_E = 20


def linear_rgb(color) -> np.ndarray:
    c = np.asarray(to_rgb(color))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def cielab(linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65 white) of a linear-RGB colour."""
    t = SRGB_TO_XYZ @ linear / SRGB_TO_XYZ.sum(axis=1)
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b, vision: str) -> float:
    """How far apart colours ``a`` and ``b`` look to someone with ``vision`` (CIE76 ΔE)."""
    seen = [np.clip(np.asarray(DICHROMACY[vision]) @ linear_rgb(c), 0, 1) for c in (a, b)]
    return float(np.linalg.norm(cielab(seen[0]) - cielab(seen[1])))


def too_close(a, b) -> list[str]:
    """The kinds of colour blindness under which ``a`` and ``b`` are closer than MIN_DELTA_E."""
    return [f"{vision} ΔE {delta_e(a, b, vision):.1f}" for vision in DICHROMACY
            if delta_e(a, b, vision) < MIN_DELTA_E]


@pytest.mark.parametrize("name", list(colors.PAIRS))
def test_each_pair_of_course_colours_stays_apart_for_colour_blind_readers(name):
    assert too_close(*colors.PAIRS[name]) == [], name


def test_the_check_catches_the_pairs_colour_blind_readers_confuse():
    assert any("deuteranopia" in m for m in too_close("tab:red", "tab:green"))   # ΔE 7
    assert any("protanopia" in m for m in too_close("tab:orange", "tab:green"))  # the 2D lab's old arrows
    assert too_close("tab:blue", "tab:purple")
    assert delta_e("#000000", "#FFFFFF", "deuteranopia") == pytest.approx(100, abs=0.1)  # L* 0 to 100


def test_dichromacy_keeps_grey_grey_and_merges_what_the_eye_merges():
    for vision in DICHROMACY:   # each matrix's rows sum to 1: white and greys are unchanged
        assert delta_e("gray", "gray", vision) == 0
        assert np.allclose(np.asarray(DICHROMACY[vision]).sum(axis=1), 1, atol=1e-5)
    assert delta_e("tab:red", "tab:green", "tritanopia") > 100   # tritanopes still tell these apart


# -- one source of truth: no colour literal in the course's plotting code ------------------------

COLOUR_KEYWORDS = {"color", "c", "colors", "facecolor", "edgecolor", "cmap", "colour"}
COLOUR_LITERAL = re.compile(r"""["'](?:#[0-9a-fA-F]{6}|tab:[a-z]+)["']""")


def colour_literals(source: str) -> list[str]:
    """Colours written out in ``source``: a string passed as color=, c=, cmap= ... to a call, and any
    hex or "tab:" colour string wherever it is."""
    found = [f"line {node.lineno}: {kw.arg}={kw.value.value!r}"
             for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
             for kw in node.keywords
             if kw.arg in COLOUR_KEYWORDS and isinstance(kw.value, ast.Constant)
             and isinstance(kw.value.value, str)]
    return found + [f"line {source[:m.start()].count(chr(10)) + 1}: {m.group()}"
                    for m in COLOUR_LITERAL.finditer(source)]


def test_plotting_code_takes_every_colour_from_the_colours_module():
    offenders = {str(path.relative_to(PACKAGE)): colour_literals(path.read_text(encoding="utf-8"))
                 for path in sorted(PACKAGE.rglob("*.py")) if path.name != "colors.py"}
    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_colour_literal_check_finds_what_it_should():
    assert colour_literals('ax.plot(x, color="tab:red")\nax.scatter(x, y, c="black")') == [
        "line 1: color='tab:red'", "line 2: c='black'", "line 1: \"tab:red\""]
    assert colour_literals('for key, color in [("loss_D", "#0072B2")]: pass') == ['line 1: "#0072B2"']
    assert colour_literals('ax.plot(x, color=REAL, label="red")') == []


# -- an opaque white background, through the path JupyterLab uses ----------------------------------

def corners(png: bytes) -> list[tuple]:
    picture = Image.open(io.BytesIO(png)).convert("RGBA")
    w, h = picture.size
    return [picture.getpixel(xy) for xy in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1))]


WHITE = (255, 255, 255, 255)

# In a fresh IPython shell with the inline backend, as in a Jupyter kernel, configured to make figures
# transparent (matplotlib-inline's default before 0.1.4; a user's ipython_config.py may still ask for
# it). start_lesson must win whether the backend started before it or starts after it, and running
# %matplotlib inline again must not undo it. Without start_lesson the figure is transparent.
INLINE_SCRIPT = r"""
import base64, sys, torch
from pathlib import Path
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

class KernelShell(InteractiveShell):
    def enable_gui(self, gui=None):   # a Jupyter kernel's shell: no GUI event loop for "inline"
        pass

config = Config()
config.InlineBackend.rc = {"figure.facecolor": (1, 1, 1, 0), "figure.edgecolor": (1, 1, 1, 0)}
shell = KernelShell.instance(config=config)
folder, backend_first = Path(sys.argv[1]), sys.argv[2] == "backend first"
import matplotlib.pyplot as plt
from gan_utils import start_lesson
from gan_utils.train import History
from gan_utils.viz import plot_health, plot_training

history = History()
for s in range(1, 31):
    history.record(s, 1, {"loss_D": 0.7, "loss_G": 0.9, "D_x": 0.6, "D_G_z1": 0.4, "D_G_z2": 0.4,
                          "grad_G_last": 0.1, "grad_G_first": 0.01})
history.add_snapshot(30, torch.zeros(16, 1, 28, 28, dtype=torch.uint8))

def shown(fig, name):
    data = shell.display_formatter.format(fig)[0]["image/png"]   # what the notebook receives
    (folder / name).write_bytes(base64.b64decode(data) if isinstance(data, str) else data)
    plt.close(fig)

if backend_first:
    shell.run_line_magic("matplotlib", "inline")
    shown(plot_training(history), "without start_lesson.png")
start_lesson()
shell.run_line_magic("matplotlib", "inline")    # starts the backend, or restarts it
shown(plot_training(history), "training.png")
shell.run_line_magic("matplotlib", "inline")
plot_health(history)
shown(plt.gcf(), "health.png")
"""


@pytest.mark.parametrize("order", ["backend first", "start_lesson first"])
def test_lesson_figures_shown_by_the_inline_backend_are_opaque_white(tmp_path, order):
    subprocess.run([sys.executable, "-c", INLINE_SCRIPT, str(tmp_path), order], check=True,
                   timeout=300, cwd=PACKAGE.parent, env={**os.environ, "MPLBACKEND": "Agg"})
    if order == "backend first":    # the hazard is real: a transparent corner
        assert corners((tmp_path / "without start_lesson.png").read_bytes())[0][3] == 0
    for name in ("training.png", "health.png"):
        assert corners((tmp_path / name).read_bytes()) == [WHITE] * 4, name


TRANSPARENT = {"figure.facecolor": (1, 1, 1, 0), "savefig.facecolor": (1, 1, 1, 0),
               "savefig.transparent": True}


def test_the_pictures_widgets_and_animations_make_are_opaque():
    from gan_utils.models import MLPGenerator
    from gan_utils.toy import ToyGAN
    from gan_utils.toy.view import render_toy_png
    from gan_utils.train import History
    from gan_utils.viz import LiveView, plot_losses, progress_animation
    from gan_utils.widgets.explorer import LatentExplorer
    from gan_utils.widgets.picture import figure_png
    history = History()
    for s in range(1, 11):
        history.record(s, 1, {"loss_D": 0.7, "loss_G": 0.9, "D_x": 0.6, "D_G_z1": 0.4, "D_G_z2": 0.4})
    lab = ToyGAN(hidden_dim=16, seed=0).train(3, progress=False)
    with matplotlib.rc_context(TRANSPARENT):       # render_toy_png and LiveView insist on white
        assert corners(render_toy_png(lab)) == [WHITE] * 4
        assert corners(LiveView().render(history)) == [WHITE] * 4
    with matplotlib.rc_context(TRANSPARENT):       # the others follow start_lesson's setting
        colors.use_white_background()
        assert corners(figure_png(plot_losses, history)) == [WHITE] * 4   # a slider's still picture
        snapshots = [(step, torch.zeros(4, 1, 28, 28)) for step in (1, 2)]
        player = progress_animation(snapshots, nrow=2).to_jshtml()
        frame = re.search(r'data:image/png;base64,([^"]+)"', player).group(1)
        assert corners(base64.b64decode(frame.replace("\\n", ""))) == [WHITE] * 4
    # the latent explorer's picture is the digit itself (mode L, no transparency to show through)
    assert Image.open(io.BytesIO(LatentExplorer(MLPGenerator(), num_directions=1).png())).mode == "L"
