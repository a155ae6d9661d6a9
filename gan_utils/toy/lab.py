"""ToyGAN: a GAN on 2D points, small enough to train in seconds and to step by hand.

It is the course's ``GANTrainer`` (the same loop, steps, losses and history as the image GANs)
with points for data: real batches come from a toy distribution instead of a dataset.
"""
import torch

from ..language import say
from ..arguments import check_whole_number
from ..models.toy import ToyDiscriminator, ToyGenerator
from ..train.hooks import LiveUpdates, ProgressBar, Snapshots
from ..train.guards import LOSSES
from ..train.trainer import GANTrainer
from .coverage import Coverage, mode_coverage
from .data import mode_centers, sample_toy
from .names import toy_name

TOY_LOSSES = LOSSES


class ToyBatches:
    """An endless supply of real batches (N, 2) from a toy distribution, drawn with ``generator``."""

    def __init__(self, data: str, batch_size: int, generator: torch.Generator):
        self.data, self.batch_size, self.generator = data, batch_size, generator

    def draw(self) -> torch.Tensor:
        return sample_toy(self.data, self.batch_size, self.generator)      # (N, 2)


class ToyGAN(GANTrainer):
    """G and D (or a WGAN critic) for one toy dataset, trained by the course's loop.

    ``loss``: "non-saturating" (the usual GAN), "saturating" (the original minimax G loss) or
    "wgan-gp" (a critic with gradient penalty ``gp_weight``). Each step makes ``d_steps`` D updates,
    each on a fresh real batch, then one G update on fresh noise; ``lr_D`` defaults to ``lr``. Everything random is
    drawn from the lab's own seeded generator, so a run repeats exactly. Runs on ``device``
    (by default the course's device, like every trainer).
    """

    def __init__(self, data: str = "ring", loss: str = "non-saturating", lr: float = 1e-3,
                 lr_D: float | None = None, d_steps: int = 1, batch_size: int = 256,
                 latent_dim: int = 2, hidden_dim: int = 128, betas: tuple[float, float] = (0.5, 0.999),
                 gp_weight: float = 0.1, seed: int = 0, device: str | torch.device | None = None):
        self.data, self.batch_size = data, batch_size
        self.centers = mode_centers(data)
        with torch.random.fork_rng(devices=[]):  # seeded initial weights, global RNG left alone
            torch.manual_seed(seed)
            G, D = ToyGenerator(latent_dim, hidden_dim), ToyDiscriminator(hidden_dim)
        super().__init__(G, D, batches=None, lr=lr, lr_D=lr_D, betas=betas, num_fixed=1000,
                         seed=seed, device=device, loss=loss, d_steps=d_steps, gp_weight=gp_weight,
                         fresh_z_for_G=True)
        self.batches = ToyBatches(data, batch_size, self.rng)   # the same stream as the noise

    @property
    def snapshots(self) -> list[tuple[int, torch.Tensor]]:
        """(step, G's points for the fixed noise) pairs kept while training."""
        return self.history.snapshots

    def check_batch(self, batch) -> None:
        """The lab makes its own real points: nothing to check."""

    def d_step(self) -> dict[str, torch.Tensor]:
        """One update of D (or the critic) on a fresh real batch and fresh fakes, by hand."""
        x_real = self.batches.draw().to(self.device)
        with torch.no_grad():
            x_fake = self.G(self.noise(self.batch_size))
        return self.d_update(x_real, x_fake)

    def g_step(self) -> dict[str, torch.Tensor]:
        """One update of G on fresh noise, through the current D, by hand."""
        return self.g_update(self.G(self.noise(self.batch_size)))             # (N, 2), graph kept

    def _steps(self, steps: int):
        for _ in range(steps):
            yield [self.batches.draw() for _ in range(self.d_steps)]

    def train(self, steps: int, snapshot_every: int = 100, live=None, live_every: float = 0.5,
              progress: bool = True) -> "ToyGAN":
        """Run ``steps`` more steps; keep G's points every ``snapshot_every`` steps; redraw
        ``live`` (e.g. ``ToyLiveView()``) every ``live_every`` seconds. Interrupting stops after the
        current step and keeps what was trained."""
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise ValueError(f"steps must be a positive whole number, got {steps!r}")
        check_whole_number(snapshot_every, "snapshot_every (steps between pictures of G's points)")
        if not self.snapshots:
            self.history.add_snapshot(self.step, self.sample_fixed())
        hooks = [ProgressBar(steps, f"{toy_name(self.data)}, {toy_name(self.loss)}", enabled=progress,
                             leave=False),
                 Snapshots(every_steps=snapshot_every)]
        if live is not None:
            hooks.append(LiveUpdates(live, live_every))
        if self.run(self._steps(steps), hooks):
            print(say(f"Interrupted after {self.step} steps; the lab keeps its state, train() again to go on.",
                      f"在第 {self.step} 步后中断；实验室保留了当前状态，再次调用 train() 即可继续。"))
        return self

    @torch.no_grad()
    def sample(self, n: int | None = None) -> torch.Tensor:
        """G's points (n, 2) on the CPU for the fixed noise (the first ``n`` of 1000); beyond 1000,
        for noise from a generator of its own (looking never changes the training)."""
        if n is None or n <= len(self.fixed_noise):
            z = self.fixed_noise[:n]
        else:
            z = torch.randn(n, self.latent_dim, generator=torch.Generator().manual_seed(0)).to(self.device)
        return self.G(z).cpu()

    def sample_fixed(self) -> torch.Tensor:
        return self.sample()

    def coverage(self, n: int = 1000) -> Coverage:
        """Modes covered by ``n`` generated points (ring and grid only)."""
        return mode_coverage(self.sample(n), self._mode_centers())

    def coverage_history(self) -> tuple[list[int], list[int]]:
        """(steps, modes covered) at every snapshot: how coverage grew, or collapsed, over time."""
        centers = self._mode_centers()
        return ([step for step, _ in self.snapshots],
                [mode_coverage(points, centers).modes_covered for _, points in self.snapshots])

    def centre_history(self) -> tuple[list[int], torch.Tensor]:
        """(steps, centres (S, 2)): the mean of G's points at every snapshot, where its cloud, or its
        clump, sat. Lesson 07 draws this path to show a collapsed G's clump travelling."""
        return ([step for step, _ in self.snapshots],
                torch.stack([points.mean(dim=0) for _, points in self.snapshots]))

    def _mode_centers(self) -> torch.Tensor:
        if self.centers is None:
            raise ValueError(f"the {self.data!r} data has no separate modes to count; "
                             f"use 'ring' or 'grid'")
        return self.centers
