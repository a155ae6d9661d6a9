import matplotlib
import numpy as np
import pytest
import torch

from gan_utils.train import History
from gan_utils.viz import LiveView, moving_average, plot_d_outputs, plot_losses, plot_training

matplotlib.use("Agg")


def history(steps=40):
    h = History()
    for s in range(1, steps + 1):
        h.record(s, 1, {"loss_D": 0.7, "loss_G": 0.7 + s / 100, "D_x": 0.6, "D_G_z1": 0.4, "D_G_z2": 0.45})
    h.add_snapshot(steps, torch.zeros(8, 1, 28, 28))
    return h


def test_moving_average_smooths_and_keeps_length():
    smoothed = moving_average([0, 2, 0, 2, 0, 2], 2)
    assert len(smoothed) == 6 and smoothed[0] == 0 and np.allclose(smoothed[1:], 1)
    assert list(moving_average([1, 2, 3], 1)) == [1, 2, 3]


def test_loss_plot_draws_both_losses_and_the_ln2_level():
    ax = plot_losses(history())
    labels = [line.get_label() for line in ax.get_lines()]
    assert "D loss" in labels and "G loss" in labels
    assert any(np.allclose(line.get_ydata(), np.log(2)) for line in ax.get_lines())


def test_d_output_plot_marks_the_healthy_band():
    ax = plot_d_outputs(history())
    assert ax.get_ylim() == (0, 1) and len(ax.patches) == 1  # the green band
    assert any("healthy" in text.get_text() for text in ax.texts)


def test_plot_training_and_an_empty_history():
    assert len(plot_training(history()).axes) == 2
    with pytest.raises(ValueError, match="train first"):
        plot_losses(History())


def test_live_view_renders_a_png_outside_a_notebook():
    view = LiveView()
    view.update(history())
    assert view.last_png.startswith(b"\x89PNG") and view.frames_drawn == 1
    view.update(History())  # before the first step: renders empty panels, no error
