"""Run the bug lab: a short seeded training of ``loop.py``, healthy or with one bug, recorded in a
``History`` (figures every step, snapshots of G on fixed noise) for the health panel."""
import time
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm

from ..language import say
from ..arguments import check_whole_number
from ..settings import get_device
from ..train.history import History
from .bugs import get_bug, with_bug

LATENT_DIM = 64


@dataclass
class LabRun:
    """One lab run: its history, the trained models, how long it took, and the error if it crashed."""
    bug: str | None
    history: History
    G: torch.nn.Module
    D: torch.nn.Module
    seconds: float
    error: str | None = None
    code: object = field(default=None, repr=False)   # the (changed) loop.py functions it ran


def run_lab(images: torch.Tensor, bug: str | None = None, steps: int = 300, seed: int = 0,
            batch_size: int = 64, snapshot_every: int = 50, device=None, progress: bool = True,
            kind: str | None = None, label: str | None = None) -> LabRun:
    """Train loop.py (with ``bug``, or healthy) for ``steps`` steps on ``images`` (N, 1, 28, 28) in
    [-1, 1]; the same seed gives the same run, so a bug's run differs from the healthy one only by
    what the bug does. ``kind`` is "gan" (train_step) or "wgan" (wgan_step); a bug brings its own.
    ``label`` names the run on its progress bar (a mystery must not show its bug's name there)."""
    steps = check_whole_number(steps, "steps")
    if kind not in (None, "gan", "wgan"):
        raise ValueError(say(f"kind must be 'gan' or 'wgan', got {kind!r}",
                             f"kind 必须是 'gan' 或 'wgan'，得到的是 {kind!r}。"))
    if bug is not None and kind is not None and kind != get_bug(bug).kind:
        home = get_bug(bug).kind
        raise ValueError(say(f"bug {bug!r} lives in the {home} loop; leave kind out or pass kind={home!r}",
                             f"错误 {bug!r} 位于 {home} 循环中；请省略 kind，或传入 kind={home!r}。"))
    kind = get_bug(bug).kind if bug is not None else (kind or "gan")
    code = with_bug(bug)
    device = get_device(device) if device is not None else get_device()
    torch.manual_seed(seed)
    G = code.build_generator(LATENT_DIM).to(device)
    D = code.build_discriminator().to(device)
    opt_G, opt_D = code.make_optimizers(G, D)
    data = code.prepare(images.to(device))     # a plain tensor: no course guard checks its range
    order = torch.Generator().manual_seed(seed)
    step_fn = code.train_step if kind == "gan" else code.wgan_step
    noise = torch.Generator().manual_seed(seed + 1)
    fixed = torch.randn(64, LATENT_DIM, generator=torch.Generator().manual_seed(seed + 2)).to(device)
    history = History()
    history.add_snapshot(0, _draw(G, fixed))
    start, error, step = time.perf_counter(), None, 0
    bar = tqdm(total=steps, desc=label or bug or say("healthy", "健康"), leave=False, disable=not progress)
    while step < steps and error is None:
        for index in torch.randperm(len(data), generator=order).split(batch_size):
            x_real = data[index.to(device)]                                # (N, 1, 28, 28)
            z, z_G = (torch.randn(len(x_real), LATENT_DIM, generator=noise).to(device) for _ in range(2))
            try:
                figures = step_fn(G, D, opt_G, opt_D, x_real, z, z_G)
            except RuntimeError as err:
                error = str(err).splitlines()[0]
                break
            step += 1
            history.record(step, 1 + (step - 1) * batch_size // len(data), figures)
            if step % snapshot_every == 0 or step == steps:
                history.add_snapshot(step, _draw(G, fixed))
            bar.update()
            if step == steps:
                break
    bar.close()
    return LabRun(bug, history, G, D, time.perf_counter() - start, error, code)


@torch.no_grad()
def _draw(G, z) -> torch.Tensor:
    """G's images for the fixed noise, clipped to [-1, 1] for the snapshot (a G without Tanh
    overshoots; the health panel reads the range from the figures, not from the pictures)."""
    return G(z).clamp(-1, 1).cpu()
