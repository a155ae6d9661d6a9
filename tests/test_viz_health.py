"""The health panel (gan_utils/viz/health.py) draws any run without a browser and reports warnings."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from gan_utils.data import load_mnist  # noqa: E402
from gan_utils.debugging import run_lab  # noqa: E402
from gan_utils.viz import plot_health, show_health  # noqa: E402


@pytest.fixture(scope="module")
def runs():
    images = load_mnist(source="bundled", verbose=False).images
    return [run_lab(images, bug, steps=60, progress=False) for bug in (None, "detach_in_G_step")]


def test_the_panel_draws_curves_samples_and_returns_the_warnings(runs, monkeypatch, capsys):
    monkeypatch.setattr(plt, "show", lambda: None)
    found = show_health(*runs, titles=["healthy", "detached"])
    fig = plt.gcf()
    assert len(fig.axes) == 8 and all(ax.lines for ax in fig.axes[:3])
    assert fig.axes[3].images                                     # the samples
    assert found[0] == [] and "no_gradient_to_G" in {f.name for f in found[1]}
    printed = capsys.readouterr().out
    assert "healthy: no warnings" in printed and "no gradient reaches G" in printed
    plt.close("all")


def test_the_panel_refuses_what_is_not_a_run(runs):
    with pytest.raises(TypeError, match="training history"):
        plot_health([1, 2, 3])
    with pytest.raises(ValueError, match="one title per run"):
        show_health(*runs, titles=["only one"])
    plt.close("all")
