"""Pictures of the 2D GAN: D's decision surface, where G's loss pushes each point, live redraws.

``decision_surface`` and ``gradient_field`` are plain functions (tested without a display);
``draw_toy_gan`` puts them on a matplotlib axis; ``ToyLiveView`` redraws a ``ToyGAN`` in place.
"""
import io

import torch
import torch.nn.functional as F

from ..language import say
from ..viz.colors import CRITIC, FAKE, GUIDE, HEALTHY, INK, PAPER, PULL, REAL, SURFACE_CMAP, TIME_CMAP
from ..viz.curves import moving_average
from ..viz.live import LiveView
from .data import sample_toy
from .names import toy_name

EXTENT = (-3.0, 3.0, -3.0, 3.0)   # x_min, x_max, y_min, y_max of the pictures


@torch.no_grad()
def decision_surface(D, extent=EXTENT, resolution: int = 100, probability: bool = True):
    """D on a ``resolution`` x ``resolution`` grid over ``extent``.

    Returns (xs, ys, values) with values[i, j] at the point (xs[j], ys[i]), the layout ``imshow``
    and ``contourf`` expect: D's probability "real" (sigmoid of its logit) or, with
    ``probability=False``, its raw score (what a WGAN critic gives)."""
    x_min, x_max, y_min, y_max = extent
    xs, ys = torch.linspace(x_min, x_max, resolution), torch.linspace(y_min, y_max, resolution)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")                   # (R, R) each
    points = torch.stack([grid_x.flatten(), grid_y.flatten()], dim=1)        # (R*R, 2)
    scores = D(points.to(_device(D))).view(resolution, resolution).cpu()     # (R, R)
    return xs, ys, torch.sigmoid(scores) if probability else scores


def _device(model) -> torch.device:
    return next(model.parameters()).device


def generator_loss_per_point(scores: torch.Tensor, loss: str) -> torch.Tensor:
    """G's loss for each point, from D's logits (or a critic's scores) for those points."""
    if loss == "non-saturating":
        return F.softplus(-scores)          # -log D(x)
    if loss == "saturating":
        return -F.softplus(scores)          # log(1 - D(x))
    if loss in ("wgan-gp", "hinge"):
        return -scores                      # -C(x), or the hinge loss's -D(x) on logits
    raise ValueError(f"unknown loss {loss!r}; use 'non-saturating', 'saturating', 'hinge' or 'wgan-gp'")


def gradient_field(D, points: torch.Tensor, loss: str = "non-saturating") -> torch.Tensor:
    """For each point (N, 2), the direction (N, 2) in which G's loss falls fastest, -d loss/d point:
    where the current D pulls a generated point. A long arrow is a strong pull, none is no signal."""
    points = points.detach().clone().to(_device(D)).requires_grad_(True)
    per_point = generator_loss_per_point(D(points), loss)                    # (N, 1)
    grads, = torch.autograd.grad(per_point.sum(), points)
    return -grads.cpu()


def _real_points(lab, n: int) -> torch.Tensor:
    """Real points to draw, from their own seeded generator: drawing must never consume the lab's
    random numbers, or a live view would change the training it shows."""
    return sample_toy(lab.data, n, torch.Generator().manual_seed(0))


def _frame(ax) -> None:
    """The same square window on the plane for every picture of the lab."""
    ax.set_xlim(EXTENT[0], EXTENT[1])
    ax.set_ylim(EXTENT[2], EXTENT[3])
    ax.set_aspect("equal")


def draw_toy_gan(lab, ax=None, resolution: int = 100, arrows: int = 150, arrow_scale: float = 0.1,
                 title: str | None = None):
    """Real points (black), generated points (orange), D's surface behind them (red "fake" to blue
    "real"), and green arrows on some generated points showing where G's loss pushes them
    (length = arrow_scale x strength, capped at 0.6). Colours: ``gan_utils.viz.colors``."""
    import matplotlib.pyplot as plt
    ax = ax or plt.subplots(figsize=(5, 5))[1]
    critic = lab.loss == "wgan-gp"
    xs, ys, values = decision_surface(lab.D, resolution=resolution, probability=not critic)
    value_range = {} if critic else {"vmin": 0, "vmax": 1}   # a probability always spans 0..1
    image = ax.imshow(values.numpy(), extent=EXTENT, origin="lower", cmap=SURFACE_CMAP, **value_range)
    plt.colorbar(image, ax=ax, fraction=0.046, pad=0.03,
                 label=say("critic score C(x)", "评判器打分 C(x)") if critic
                 else say("D(x): probability 'real'", "D(x)：判为“真实”的概率"))
    real = _real_points(lab, 500)
    fake = lab.sample()
    ax.scatter(real[:, 0], real[:, 1], s=3, c=INK, alpha=0.5, label=say("real", "真实"))
    ax.scatter(fake[:, 0], fake[:, 1], s=3, c=FAKE, alpha=0.6, label=say("generated", "生成"))
    if arrows:
        tail = fake[:arrows]
        pull = gradient_field(lab.D, tail, lab.loss) * arrow_scale
        length = pull.norm(dim=1, keepdim=True)
        pull = pull * (0.6 / length).clamp(max=1.0)       # cap very long arrows
        ax.quiver(tail[:, 0], tail[:, 1], pull[:, 0], pull[:, 1], angles="xy", scale_units="xy",
                  scale=1.0, width=0.004, color=PULL, alpha=0.9)
    _frame(ax)
    data, loss = toy_name(lab.data), toy_name(lab.loss)
    ax.set_title(title or say(f"{data}, {loss}: {lab.d_updates} D and {lab.g_updates} G updates",
                              f"{data}，{loss}：D 更新 {lab.d_updates} 次，G 更新 {lab.g_updates} 次"))
    ax.legend(loc="upper right", fontsize=7, markerscale=3)
    return ax


def plot_toy_history(lab, ax=None, smooth: int = 50):
    """D(x) and D(G(z)) per step, smoothed; for a WGAN critic, its Wasserstein estimate instead."""
    import matplotlib.pyplot as plt
    ax = ax or plt.subplots(figsize=(5, 3))[1]
    steps = lab.history["step"]
    if not steps:
        ax.text(0.5, 0.5, say("no full steps yet", "还没有完整的训练步"), ha="center", transform=ax.transAxes)
        return ax
    if lab.loss == "wgan-gp":
        estimate = lab.history["wasserstein"]
        ax.plot(steps, moving_average(estimate, smooth), color=CRITIC,
                label="E[C(x)] - E[C(G(z))]")
        ax.set_ylabel(say("critic's Wasserstein estimate", "评判器的 Wasserstein 估计值"))
        ax.axhline(0, color=GUIDE, lw=1, ls="--")
    else:
        ax.axhspan(0.2, 0.8, color=HEALTHY, alpha=0.08)
        ax.plot(steps, moving_average(lab.history["D_x"], smooth), color=REAL, label="D(x)")
        ax.plot(steps, moving_average(lab.history["D_G_z1"], smooth), color=FAKE, label="D(G(z))")
        ax.set_ylim(0, 1)
        ax.set_ylabel(say("mean probability 'real'", "判为“真实”的平均概率"))
    ax.set_xlabel(say("step", "步数"))
    ax.legend(fontsize=8)
    return ax


def mean_pull(lab, n: int = 500) -> float:
    """How hard G's loss pulls its points on average: the mean length of ``gradient_field`` at
    ``n`` generated points. Near 0 means G gets no signal and stops learning."""
    return float(gradient_field(lab.D, lab.sample(n), lab.loss).norm(dim=1).mean())


def draw_centre_path(lab, ax=None, title: str | None = None):
    """Where the centre of G's points went: their mean at every snapshot (``ToyGAN.centre_history``),
    joined in order and coloured by step, over the real points (black) and G's last points (orange)."""
    import matplotlib.pyplot as plt
    ax = ax or plt.subplots(figsize=(5, 5))[1]
    real = _real_points(lab, 1000)
    ax.scatter(real[:, 0], real[:, 1], s=2, c=INK, alpha=0.25, label=say("real", "真实"))
    last = lab.snapshots[-1][1]
    ax.scatter(last[:, 0], last[:, 1], s=3, c=FAKE, alpha=0.3, label=say("G's points at the end", "结束时 G 的点"))
    steps, centres = lab.centre_history()
    ax.plot(centres[:, 0], centres[:, 1], color=GUIDE, lw=1, zorder=3)
    dots = ax.scatter(centres[:, 0], centres[:, 1], c=steps, cmap=TIME_CMAP, s=18, zorder=4,
                      label=say("centre of G's points", "G 的点的中心"))
    plt.colorbar(dots, ax=ax, fraction=0.046, pad=0.03, label=say("step", "步数"))
    ax.annotate(say("start", "起点"), centres[0].tolist(), xytext=(6, 6), textcoords="offset points", fontsize=8)
    _frame(ax)
    ax.set_title(title or say(f"{toy_name(lab.data)}, {toy_name(lab.loss)}: the centre of G's points",
                              f"{toy_name(lab.data)}，{toy_name(lab.loss)}：G 的点的中心"), fontsize=10)
    ax.legend(loc="upper right", fontsize=7, markerscale=3)
    return ax


def toy_animation(lab, interval: int = 150):
    """A matplotlib animation of G's points at each snapshot over the real data (show it in a notebook
    with ``gan_utils.viz.animation_player``)."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation
    if not lab.snapshots:
        raise ValueError("no snapshots yet: train the lab first (train() keeps them)")
    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    real = _real_points(lab, 1000)
    ax.scatter(real[:, 0], real[:, 1], s=2, c=INK, alpha=0.3)
    points = ax.scatter([], [], s=3, c=FAKE)
    _frame(ax)

    def show(index):
        step, fake = lab.snapshots[index]
        points.set_offsets(fake.numpy())
        data, loss = toy_name(lab.data), toy_name(lab.loss)
        ax.set_title(say(f"{data}, {loss}: step {step}", f"{data}，{loss}：第 {step} 步"))
        return (points,)

    animation = FuncAnimation(fig, show, frames=len(lab.snapshots), interval=interval, blit=False)
    plt.close(fig)
    return animation


def render_toy_png(lab, dpi: int = 72, title: str | None = None) -> bytes:
    """The lab's picture (titled ``title``, else by its data and updates) and its D curves side by
    side, as PNG bytes."""
    import matplotlib.pyplot as plt
    fig, (ax_plane, ax_curves) = plt.subplots(1, 2, figsize=(10, 4.2),
                                              gridspec_kw={"width_ratios": [1.25, 1]})
    draw_toy_gan(lab, ax_plane, title=title)
    plot_toy_history(lab, ax_curves)
    if lab.centers is not None:
        ax_curves.set_title(str(lab.coverage()), fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor=PAPER)
    plt.close(fig)
    return buffer.getvalue()


class ToyLiveView(LiveView):
    """``lab.train(steps, live=ToyLiveView())``: one picture redrawn in place while training."""

    def subject(self, source):
        return source   # the whole lab: its plane, its D and its curves

    def __init__(self, title: str | None = None):
        super().__init__(title or "")
        self.title = title   # over the plane with the step; without one, the lab's data and updates

    def render(self, lab) -> bytes:
        step = say(f"step {lab.step}", f"第 {lab.step} 步")
        return render_toy_png(lab, title=f"{self.title}: {step}" if self.title else None)
