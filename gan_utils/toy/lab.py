"""ToyGAN: a GAN on 2D points, small enough to train in seconds and to step by hand.

It uses the same steps as the image GANs (``discriminator_step``/``generator_step`` from the train
room, or ``critic_step``/``wgan_generator_step`` for WGAN-GP); only the data are points.
"""
import time

import torch
from torch import nn
from tqdm.auto import tqdm

from ..models.toy import ToyDiscriminator, ToyGenerator
from ..train.interrupt import finish_step_on_interrupt
from ..train.steps import discriminator_step, generator_step
from ..train.wgan import critic_step, wgan_generator_step
from .coverage import Coverage, mode_coverage
from .data import mode_centers, sample_toy

TOY_LOSSES = ("non-saturating", "saturating", "wgan-gp")
RECORD_KEYS = ("loss_D", "loss_G", "D_x", "D_G_z")


class ToyGAN:
    """G and D (or a WGAN critic) for one toy dataset, with their optimizers and a history.

    ``loss``: "non-saturating" (the usual GAN), "saturating" (the original minimax G loss) or
    "wgan-gp" (a critic with gradient penalty ``gp_weight``). ``d_steps`` D updates come before
    each G update (``n_critic`` in WGAN papers); ``lr_D`` defaults to ``lr``. Everything random is
    drawn from the lab's own seeded generator, so a run repeats exactly.
    """

    def __init__(self, data: str = "ring", loss: str = "non-saturating", lr: float = 1e-3,
                 lr_D: float | None = None, d_steps: int = 1, batch_size: int = 256,
                 latent_dim: int = 2, hidden_dim: int = 128, betas: tuple[float, float] = (0.5, 0.999),
                 gp_weight: float = 0.1, seed: int = 0):
        if loss not in TOY_LOSSES:
            raise ValueError(f"loss must be one of {', '.join(TOY_LOSSES)}; got {loss!r}")
        if not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a whole number >= 1, got {d_steps!r}")
        self.data, self.loss, self.d_steps, self.batch_size = data, loss, d_steps, batch_size
        self.gp_weight = gp_weight
        self.centers = mode_centers(data)
        self.rng = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng(devices=[]):  # seeded initial weights, global RNG left alone
            torch.manual_seed(seed)
            self.G, self.D = ToyGenerator(latent_dim, hidden_dim), ToyDiscriminator(hidden_dim)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas)
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=lr if lr_D is None else lr_D, betas=betas)
        self.criterion = nn.BCEWithLogitsLoss()
        self.fixed_noise = self.noise(1000)     # the same z every time we look
        self.steps = 0                          # completed (d_steps x D, 1 x G) rounds
        self.d_updates = self.g_updates = 0     # every single update, by hand or in a round
        self.history = {key: [] for key in ("step",) + RECORD_KEYS}
        self.snapshots: list[tuple[int, torch.Tensor]] = []   # (step, G(fixed noise))

    def noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.G.latent_dim, generator=self.rng)   # (n, latent_dim)

    def real_batch(self, n: int | None = None) -> torch.Tensor:
        return sample_toy(self.data, n or self.batch_size, self.rng)   # (n, 2)

    def d_step(self) -> dict[str, float]:
        """One update of D (or the critic) on a fresh real batch and fresh fakes."""
        x_real = self.real_batch()
        with torch.no_grad():
            x_fake = self.G(self.noise(self.batch_size))
        if self.loss == "wgan-gp":
            figures = critic_step(self.D, self.opt_D, x_real, x_fake, gp_weight=self.gp_weight,
                                  generator=self.rng)
        else:
            figures = discriminator_step(self.D, self.opt_D, self.criterion, x_real, x_fake)
        self.d_updates += 1
        return figures

    def g_step(self) -> dict[str, float]:
        """One update of G on fresh noise, through the current D."""
        x_fake = self.G(self.noise(self.batch_size))                      # (N, 2), graph kept
        self.g_updates += 1
        if self.loss == "wgan-gp":
            return wgan_generator_step(self.D, self.opt_G, x_fake)
        return generator_step(self.D, self.opt_G, self.criterion, x_fake, loss=self.loss)

    def step(self) -> dict[str, float]:
        """``d_steps`` D updates then one G update; recorded in ``history``."""
        for _ in range(self.d_steps):
            figures_D = self.d_step()
        figures_G = self.g_step()
        self.steps += 1
        record = {"loss_D": figures_D["loss_D"], "loss_G": figures_G["loss_G"],
                  "D_x": figures_D["D_x"], "D_G_z": figures_D["D_G_z1"]}
        self.history["step"].append(self.steps)
        for key in RECORD_KEYS:
            self.history[key].append(record[key])
        return record

    def train(self, steps: int, snapshot_every: int = 100, live=None, live_every: float = 0.5,
              progress: bool = True) -> "ToyGAN":
        """Run ``steps`` more rounds; keep G's points every ``snapshot_every`` rounds; redraw
        ``live`` (e.g. ``ToyLiveView()``) every ``live_every`` seconds. Interrupting stops after the
        current round and keeps what was trained."""
        if not isinstance(steps, int) or steps < 1:
            raise ValueError(f"steps must be a positive whole number, got {steps!r}")
        if not self.snapshots:
            self.snapshots.append((self.steps, self.sample()))
        last_live = time.perf_counter()
        with finish_step_on_interrupt() as stop:
            for _ in tqdm(range(steps), desc=f"{self.data}, {self.loss}", disable=not progress,
                          leave=False):
                self.step()
                if self.steps % snapshot_every == 0:
                    self.snapshots.append((self.steps, self.sample()))
                if live is not None and time.perf_counter() - last_live > live_every:
                    live.update(self)
                    last_live = time.perf_counter()
                if stop.requested:
                    print(f"Interrupted after {self.steps} steps; the lab keeps its state, "
                          f"train() again to go on.")
                    break
        if live is not None:
            live.update(self)
        return self

    @torch.no_grad()
    def sample(self, n: int | None = None) -> torch.Tensor:
        """G's points for the fixed noise (the first ``n`` of 1000), or fresh noise if n > 1000."""
        z = self.fixed_noise if n is None or n <= len(self.fixed_noise) else self.noise(n)
        return self.G(z[:n] if n else z)

    def coverage(self, n: int = 1000) -> Coverage:
        """Modes covered by ``n`` generated points (ring and grid only)."""
        return mode_coverage(self.sample(n), self._mode_centers())

    def coverage_history(self) -> tuple[list[int], list[int]]:
        """(steps, modes covered) at every snapshot: how coverage grew, or collapsed, over time."""
        centers = self._mode_centers()
        return ([step for step, _ in self.snapshots],
                [mode_coverage(points, centers).modes_covered for _, points in self.snapshots])

    def _mode_centers(self) -> torch.Tensor:
        if self.centers is None:
            raise ValueError(f"the {self.data!r} data has no separate modes to count; "
                             f"use 'ring' or 'grid'")
        return self.centers

    def recent(self, key: str, last: int = 200) -> float:
        """The mean of one recorded figure over the last ``last`` steps."""
        values = self.history[key][-last:]
        if not values:
            raise ValueError("nothing recorded yet: call step() or train() first")
        return sum(values) / len(values)
