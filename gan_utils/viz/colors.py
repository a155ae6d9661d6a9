"""The course's colours, named once: every plot takes them from here.

Pairs that are drawn side by side (real vs fake, healthy vs failing, ...) come from Okabe and Ito's
palette, whose colours stay apart for colour-blind readers; red vs green does not.
tests/test_viz_colors.py checks every pair in ``PAIRS`` under simulated colour blindness.
"""

# Okabe & Ito (2008), "Color Universal Design"
BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"
YELLOW, BLUE, VERMILLION, REDDISH_PURPLE = "#F0E442", "#0072B2", "#D55E00", "#CC79A7"

REAL = BLUE              # real images and what is measured on them: D(x), D's loss, p_data
FAKE = ORANGE            # generated images: D(G(z)), G's loss, p_g, G's points in the 2D lab
HEALTHY = BLUISH_GREEN   # the healthy band of D's outputs, a run that works
FAILING = VERMILLION     # a curve that gives a bug away, a run that fails
PULL = BLUISH_GREEN      # the 2D lab's arrows: where G's loss pushes its (orange) points
INK = BLACK              # a lone curve; the 2D lab's real points (blue would vanish on D's blue)
GUIDE = "gray"           # reference lines (ln 2, 0.5) and their labels
CRITIC = "purple"        # a WGAN critic's curves
PAPER = "white"          # figure and text-box backgrounds
FRAME = "lightgray"      # the edge of a text box
SURFACE_CMAP = "RdBu"    # D(x) over the 2D plane: red "fake" to blue "real" (ColorBrewer: colour-blind safe)
TIME_CMAP = "viridis"    # a path coloured by training step, early to late (perceptually uniform, colour-blind safe)

# Colours drawn next to each other that a reader must tell apart (each pair is tested).
PAIRS = {
    "real vs fake (D(x) vs D(G(z)), D loss vs G loss)": (REAL, FAKE),
    "healthy vs failing": (HEALTHY, FAILING),
    "2D lab: real points vs generated points": (INK, FAKE),
    "2D lab: generated points vs their arrows": (FAKE, PULL),
    "2D lab: real points vs arrows": (INK, PULL),
    "gradient panel: G's last layer vs G after D's step": (INK, FAILING),
    "gradient panel: G's first layer vs G after D's step": (GUIDE, FAILING),
    "gradient panel: G's last vs first layer": (INK, GUIDE),
    "critic's curve vs its reference line": (CRITIC, GUIDE),
    "a BCE run vs a WGAN-GP run (lesson 07)": (INK, CRITIC),
}

# An opaque white figure: JupyterLab's dark theme shows a transparent one's black text on near-black.
WHITE_BACKGROUND = {"figure.facecolor": PAPER, "figure.edgecolor": PAPER, "savefig.facecolor": PAPER,
                    "savefig.edgecolor": PAPER, "savefig.transparent": False}


def use_white_background() -> None:
    """Give every figure an opaque white background, in matplotlib and in the notebook's inline
    backend, which applies its own ``rc`` settings when it starts and on every ``%matplotlib inline``."""
    import sys

    import matplotlib
    matplotlib.rcParams.update(WHITE_BACKGROUND)
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    if shell is None:
        return
    later = shell.config.InlineBackend          # read by the inline backend if it starts later
    later.rc = {**later.get("rc", {}), **WHITE_BACKGROUND}
    inline = sys.modules.get("matplotlib_inline.config")
    if inline is not None and inline.InlineBackend.initialized():   # already started
        started = inline.InlineBackend.instance()
        started.rc = {**started.rc, **WHITE_BACKGROUND}
