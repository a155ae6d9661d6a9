"""The health panel: a run's vital signs in one row (losses, D's verdicts, the gradient reaching G,
its latest samples) with the warnings ``diagnose`` finds written under it (lesson 08)."""
import math

from ..language import say
from ..train.diagnosis import diagnose
from .colors import CRITIC, FAILING, FAKE, GUIDE, INK, REAL
from .curves import history_of, moving_average
from .grids import image_grid


def _plot(ax, history, key: str, smooth: int, **style) -> None:
    values = [v for v in history[key]] if key in history else []
    if values and not all(math.isnan(v) for v in values):
        steps = history.step[len(history.step) - len(moving_average(values, smooth)):]
        ax.plot(steps, moving_average(values, smooth), **style)


def plot_health(source, axes=None, title: str | None = None, smooth: int = 10) -> list:
    """Draw one run's panel on four axes (made when not given); returns the warnings found."""
    import matplotlib.pyplot as plt
    history = history_of(source, say("the health panel", "健康面板"))
    if axes is None:
        _, axes = plt.subplots(1, 4, figsize=(16, 3.4), gridspec_kw={"width_ratios": [1, 1, 1, 0.8]})
    ax_loss, ax_d, ax_grad, ax_img = axes
    wgan = "wasserstein" in history
    if wgan:
        _plot(ax_loss, history, "wasserstein", smooth, color=INK, label="E[C(x)] - E[C(G(z))]")
        _plot(ax_d, history, "critic_slope", smooth, color=CRITIC,
              label=say("critic slope |∇C|", "评判器的斜率 |∇C|"))
        ax_d.axhline(1.0, color=GUIDE, lw=0.8, ls="--")
    else:
        _plot(ax_loss, history, "loss_D", smooth, color=REAL, label="loss_D")
        _plot(ax_loss, history, "loss_G", smooth, color=FAKE, label="loss_G")
        ax_loss.axhline(math.log(2), color=GUIDE, lw=0.8, ls="--")
        _plot(ax_d, history, "D_x", smooth, color=REAL, label="D(x)")
        _plot(ax_d, history, "D_G_z1", smooth, color=FAKE, ls="--", label="D(G(z))")
        ax_d.set_ylim(-0.03, 1.03)
    _plot(ax_grad, history, "grad_G_last", smooth, color=INK, label=say("G's last layer", "G 的最后一层"))
    _plot(ax_grad, history, "grad_G_first", smooth, color=GUIDE, ls="--",
          label=say("G's first layer", "G 的第一层"))
    _plot(ax_grad, history, "grad_G_in_D_step", smooth, color=FAILING, ls=":",
          label=say("G, after D's step", "G（判别器步之后）"))
    grads = [v for k in ("grad_G_last", "grad_G_first") if k in history for v in history[k]]
    if grads and max(grads) > 0:
        ax_grad.set_yscale("symlog", linthresh=1e-3)
    for ax, name in ((ax_loss, say("the Wasserstein estimate", "Wasserstein 估计值") if wgan
                      else say("losses", "损失")),
                     (ax_d, say("the critic's slope", "评判器的斜率") if wgan else say("D's verdicts", "D 的判断")),
                     (ax_grad, say("gradient norm reaching G", "到达 G 的梯度范数"))):
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(say("step", "步"))
        if ax.lines:
            ax.legend(fontsize=7, loc="best")
    if history.snapshots:
        step, images = history.snapshots[-1]
        ax_img.imshow(image_grid(images[:16].float() / 127.5 - 1, nrow=4).permute(1, 2, 0).numpy())
        ax_img.set_title(say(f"G after {step} steps", f"训练 {step} 步后的 G"), fontsize=10)
    ax_img.axis("off")
    if title:
        ax_loss.figure.suptitle(title, fontsize=12, weight="bold")
    return diagnose(history)


def show_health(*runs, titles=None, smooth: int = 10, warnings: bool = True) -> list[list]:
    """Panels for several runs, one row each (a healthy run above a buggy one, say), with each
    run's warnings printed under the figure (``warnings=False`` leaves them for you to find).
    Returns each run's warnings."""
    import matplotlib.pyplot as plt
    titles = (list(titles) if titles is not None
              else [say(f"run {i + 1}", f"第 {i + 1} 次运行") for i in range(len(runs))])
    if len(titles) != len(runs):
        raise ValueError(say(f"got {len(titles)} titles for {len(runs)} runs: give one title per run",
                             f"给了 {len(titles)} 个标题，却有 {len(runs)} 次运行：请为每次运行各给一个标题。"))
    fig, axes = plt.subplots(len(runs), 4, figsize=(16, 3.6 * len(runs)), squeeze=False,
                             gridspec_kw={"width_ratios": [1, 1, 1, 0.8]})
    found = []
    for row, run, title in zip(axes, runs, titles):
        findings = plot_health(run, axes=row, smooth=smooth)
        row[0].set_ylabel(title, fontsize=11, weight="bold")
        found.append(findings)
    fig.tight_layout()
    plt.show()
    for title, findings in zip(titles, found if warnings else []):
        listed = say("no warnings", "没有警告") if not findings else "\n   ".join([""] + [str(f) for f in findings])
        print(say(f"{title}: ", f"{title}：") + listed)
    return found
