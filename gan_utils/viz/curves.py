"""Loss and D-output curves, with what healthy and failing training look like marked on them."""
import math

import numpy as np

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
        raise TypeError(f"{what} takes the training history (trainer.history, or what fit() "
                        f"returns), got {type(source).__name__}.")
    return history


def _require(history, keys: tuple[str, ...], what: str):
    """The history (from a trainer or a History) once it has steps and every figure in ``keys``."""
    history = history_of(history, what)
    if len(history) == 0:
        raise ValueError("the history has no steps yet: train first, then plot.")
    missing = [key for key in keys if key not in history]
    if missing:
        raise ValueError(f"{what} draws {', '.join(keys)}, but this history has no "
                         f"{', '.join(missing)} (it has {', '.join(history.keys())}).")
    return history


def plot_losses(history, ax=None, smooth: int | None = None):
    """D's and G's loss per step (faint) and smoothed, with the equilibrium level ln 2."""
    import matplotlib.pyplot as plt
    history = _require(history, ("loss_D", "loss_G"), "plot_losses")
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    window = _window(history, smooth)
    for key, color, label in [("loss_D", "tab:blue", "D loss"), ("loss_G", "tab:orange", "G loss")]:
        values = getattr(history, key)
        ax.plot(history.step, values, color=color, alpha=0.2, lw=0.8)
        ax.plot(history.step, moving_average(values, window), color=color, lw=2, label=label)
    ax.axhline(EQUILIBRIUM_LOSS, color="gray", ls="--", lw=1)
    ax.text(history.step[0], EQUILIBRIUM_LOSS, " ln 2: both losses if D could only guess",
            va="bottom", fontsize=8, color="gray")
    ax.set_xlabel("training step")
    ax.set_ylabel("BCE loss")
    ax.set_title("losses: a GAN's curves wobble, they do not fall to 0")
    ax.legend(loc="upper right")
    return ax


def plot_d_outputs(history, ax=None, smooth: int | None = None):
    """D(x) and D(G(z)) per step, smoothed, with the healthy band (0.2 to 0.8) marked."""
    import matplotlib.pyplot as plt
    history = _require(history, ("D_x", "D_G_z1"), "plot_d_outputs")
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    window = _window(history, smooth)
    ax.axhspan(0.2, 0.8, color="tab:green", alpha=0.08)
    ax.plot(history.step, moving_average(history.D_x, window), color="tab:blue", lw=2,
            label="D(x): real judged real")
    ax.plot(history.step, moving_average(history.D_G_z1, window), color="tab:red", lw=2,
            label="D(G(z)): fake judged real")
    ax.axhline(0.5, color="gray", ls="--", lw=1)
    ax.text(0.99, 0.02, "green band: healthy, D unsure; both curves steady or drifting toward 0.5\n"
            "D(x) near 1 and D(G(z)) near 0 for long: D overpowers G\n"
            "D(G(z)) high but samples all alike: mode collapse (lesson 07)",
            transform=ax.transAxes, ha="right", va="bottom", fontsize=7.5,
            bbox=dict(facecolor="white", alpha=0.8, edgecolor="lightgray"))
    ax.set_ylim(0, 1)
    ax.set_xlabel("training step")
    ax.set_ylabel("mean probability 'real'")
    ax.set_title("what D says about real and fake images")
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
