"""Loss and D-output curves, with what healthy and failing training look like marked on them."""
import math

import numpy as np

from ..language import say
from .colors import FAKE, FRAME, GUIDE, HEALTHY, PAPER, REAL

EQUILIBRIUM_LOSS = math.log(2)  # BCE when D answers 0.5 for everything: -log 0.5


def moving_average(values, window: int) -> np.ndarray:
    """Smooth a noisy per-step curve (the first points average over fewer steps)."""
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) == 0:
        return values
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    return (cumulative[1:] - cumulative[np.arange(len(values)) + 1 - counts]) / counts


def _window(history, smooth: int | None) -> int:
    return smooth if smooth is not None else max(1, len(history) // 50)


def history_of(source, what: str):
    """The History to draw: a trainer's ``.history`` or a History itself; anything else is refused
    with what to pass instead."""
    history = getattr(source, "history", source)
    if not (hasattr(history, "frames") and hasattr(history, "keys")):
        gap = " " if what[-1:].isascii() else ""  # "plot_losses 需要…" but "健康面板需要…"
        raise TypeError(say(f"{what} takes the training history (trainer.history, or what fit() "
                            f"returns), got {type(source).__name__}.",
                            f"{what}{gap}需要训练历史（trainer.history，或 fit() 的返回值），"
                            f"得到的是 {type(source).__name__}。"))
    return history


def _require(history, keys: tuple[str, ...], what: str):
    """The history (from a trainer or a History) once it has steps and every figure in ``keys``."""
    history = history_of(history, what)
    if len(history) == 0:
        raise ValueError(say("the history has no steps yet: train first, then plot.",
                             "训练历史中还没有任何一步：先训练，再画图。"))
    missing = [key for key in keys if key not in history]
    if missing:
        raise ValueError(say(f"{what} draws {', '.join(keys)}, but this history has no "
                             f"{', '.join(missing)} (it has {', '.join(history.keys())}).",
                             f"{what} 要画的是 {'、'.join(keys)}，但这份训练历史中没有 "
                             f"{'、'.join(missing)}（它有的是 {'、'.join(history.keys())}）。"))
    return history


def plot_losses(history, ax=None, smooth: int | None = None):
    """D's and G's loss per step (faint) and smoothed, with the equilibrium level ln 2."""
    import matplotlib.pyplot as plt
    history = _require(history, ("loss_D", "loss_G"), "plot_losses")
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    window = _window(history, smooth)
    for key, color, label in [("loss_D", REAL, say("D loss", "D 的损失")),
                              ("loss_G", FAKE, say("G loss", "G 的损失"))]:
        values = getattr(history, key)
        ax.plot(history.step, values, color=color, alpha=0.2, lw=0.8)
        ax.plot(history.step, moving_average(values, window), color=color, lw=2, label=label)
    ax.axhline(EQUILIBRIUM_LOSS, color=GUIDE, ls="--", lw=1)
    ax.text(history.step[0], EQUILIBRIUM_LOSS, say(" ln 2: both losses if D could only guess",
                                                   " ln 2：D 只能瞎猜时两个损失的值"),
            va="bottom", fontsize=8, color=GUIDE)
    ax.set_xlabel(say("training step", "训练步数"))
    ax.set_ylabel(say("BCE loss", "BCE 损失"))
    ax.set_title(say("losses: a GAN's curves wobble, they do not fall to 0",
                     "损失：GAN 的曲线会上下波动，不会降到 0"))
    ax.legend(loc="upper right")
    return ax


def plot_d_outputs(history, ax=None, smooth: int | None = None):
    """D(x) and D(G(z)) per step, smoothed, with the healthy band (0.2 to 0.8) marked."""
    import matplotlib.pyplot as plt
    history = _require(history, ("D_x", "D_G_z1"), "plot_d_outputs")
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    window = _window(history, smooth)
    ax.axhspan(0.2, 0.8, color=HEALTHY, alpha=0.08)
    ax.plot(history.step, moving_average(history.D_x, window), color=REAL, lw=2,
            label=say("D(x): real judged real", "D(x)：真实图像被判为真"))
    ax.plot(history.step, moving_average(history.D_G_z1, window), color=FAKE, lw=2,
            label=say("D(G(z)): fake judged real", "D(G(z))：生成图像被判为真"))
    ax.axhline(0.5, color=GUIDE, ls="--", lw=1)
    ax.text(0.99, 0.02, say("green band: healthy, D unsure; both curves steady or drifting toward 0.5\n"
                            "D(x) near 1 and D(G(z)) near 0 for long: D overpowers G\n"
                            "D(G(z)) high but samples all alike: mode collapse (lesson 07)",
                            "绿色带：健康，D 拿不准；两条曲线保持平稳或逐渐趋向 0.5\n"
                            "D(x) 长时间接近 1、D(G(z)) 接近 0：D 压制了 G\n"
                            "D(G(z)) 很高，但样本千篇一律：模式崩溃（第 07 课）"),
            transform=ax.transAxes, ha="right", va="bottom", fontsize=7.5,
            bbox=dict(facecolor=PAPER, alpha=0.8, edgecolor=FRAME))
    ax.set_ylim(0, 1)
    ax.set_xlabel(say("training step", "训练步数"))
    ax.set_ylabel(say("mean probability 'real'", "判为“真”的平均概率"))
    ax.set_title(say("what D says about real and fake images", "D 对真实图像和生成图像的判断"))
    ax.legend(loc="center left", fontsize=8)
    return ax


def plot_training(history, smooth: int | None = None):
    """Both panels side by side; returns the figure."""
    import matplotlib.pyplot as plt
    history = _require(history, ("loss_D", "loss_G", "D_x", "D_G_z1"), "plot_training")
    fig, (ax_loss, ax_d) = plt.subplots(1, 2, figsize=(13, 3.8))
    plot_losses(history, ax_loss, smooth)
    plot_d_outputs(history, ax_d, smooth)
    fig.tight_layout()
    return fig
