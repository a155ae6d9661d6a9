"""The training loop of lessons 03 on: D step, G step, records, snapshots, checkpoints."""
import time
from pathlib import Path

import torch
from torch import nn
from tqdm.auto import tqdm

from ..data.pixels import check_image_batch
from .checkpoint import read_checkpoint, restore_model, save_checkpoint
from .history import History
from .interrupt import finish_step_on_interrupt
from .steps import discriminator_step, generator_step, has_batch_norm


class GANTrainer:
    """Train a generator ``G`` against a discriminator ``D`` on ``batches``.

    ``batches`` is anything that yields image batches (N, C, H, W) in [-1, 1], or (images, labels)
    pairs: ``InMemoryBatches`` or a ``DataLoader``. A conditional pair (a G with ``num_classes``)
    needs the labels: its fakes are drawn for the labels of the real batch, and the fixed noise
    comes with fixed labels that run through the digits in order. Call ``fit(num_epochs)`` as often as you like;
    it continues where the last call stopped. D returns logits; the loss is ``BCEWithLogitsLoss``.
    With ``checkpoint_path``, the whole run is saved at the end of an epoch at most every
    ``checkpoint_every`` seconds, at the end of every ``fit``, and when training is interrupted.
    ``lr_D`` gives D its own learning rate (two time-scales); by default both use ``lr``.
    """

    def __init__(self, G: nn.Module, D: nn.Module, batches, lr: float = 2e-4,
                 betas: tuple[float, float] = (0.5, 0.999), num_fixed: int = 64, seed: int = 0,
                 device: str | torch.device | None = None, checkpoint_path: str | Path | None = None,
                 checkpoint_every: float = 60.0, real_label: float = 1.0, lr_D: float | None = None):
        if not hasattr(G, "latent_dim"):
            raise TypeError("G needs a latent_dim attribute (the size of z); the course's "
                            "generators have one.")
        self.device = torch.device(device) if device is not None else next(G.parameters()).device
        self.G, self.D = G.to(self.device), D.to(self.device)
        self.batches = batches
        fused = {"fused": True} if self.device.type in ("cpu", "cuda") else {}  # one kernel per step
        self.opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=betas, **fused)
        self.opt_D = torch.optim.Adam(D.parameters(), lr=lr if lr_D is None else lr_D,  # lr_D: D's own rate
                                      betas=betas, **fused)
        self.criterion = nn.BCEWithLogitsLoss()
        self.real_label = real_label
        self._joint_D_step = not has_batch_norm(D)
        self.rng = torch.Generator().manual_seed(seed)  # the noise z; seeded so a run repeats
        self.fixed_noise = self.noise(num_fixed)          # the same z at every snapshot
        self.num_classes = getattr(G, "num_classes", None)
        self.fixed_labels = (None if self.num_classes is None else
                             (torch.arange(num_fixed) * self.num_classes) // num_fixed)  # 0,0,..,9,9
        self.checkpoint_path = Path(checkpoint_path) if checkpoint_path else None
        self.checkpoint_every = checkpoint_every  # seconds between checkpoints during a fit
        self.history = History()
        self.epoch = 0  # completed epochs
        self.step = 0   # completed steps

    def noise(self, n: int) -> torch.Tensor:
        """A batch of latent vectors z ~ N(0, I), shaped (n, latent_dim), from the trainer's own RNG."""
        return torch.randn(n, self.G.latent_dim, generator=self.rng).to(self.device)

    def train_step(self, x_real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        """One D update then one G update on a batch of real images (and, for a conditional
        pair, their labels); returns the step's figures."""
        x_real = x_real.to(self.device)
        z = self.noise(len(x_real))
        if self.num_classes is None:
            labels = None
            x_fake = self.G(z)                                             # (N, C, H, W), graph kept
        else:
            if labels is None:
                raise ValueError("a conditional GAN trains on (images, labels) batches, e.g. "
                                 "InMemoryBatches(mnist.images, labels=mnist.labels)")
            labels = labels.to(self.device)
            x_fake = self.G(z, labels)                                     # fakes of the same digits
        figures = discriminator_step(self.D, self.opt_D, self.criterion, x_real, x_fake.detach(),
                                     labels=labels, real_label=self.real_label,
                                     joint=self._joint_D_step)
        figures |= generator_step(self.D, self.opt_G, self.criterion, x_fake, labels=labels)
        return figures

    @torch.no_grad()
    def sample(self, z: torch.Tensor | None = None, n: int = 64,
               labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images from G in eval mode (BatchNorm uses its running statistics), on the CPU.
        A conditional G draws ``labels`` (by default the digits in turn: 0, 1, 2, ...)."""
        z = self.noise(n) if z is None else z.to(self.device)
        was_training = self.G.training
        self.G.eval()
        if self.num_classes is None:
            images = self.G(z)
        else:
            labels = torch.arange(len(z)) % self.num_classes if labels is None else labels
            images = self.G(z, labels.to(self.device))
        self.G.train(was_training)
        return images.cpu()

    def sample_fixed(self) -> torch.Tensor:
        """G's images for the fixed noise (and fixed labels): what the snapshots show."""
        return self.sample(self.fixed_noise, labels=self.fixed_labels)

    def fit(self, num_epochs: int, progress: bool = True, live=None, live_every: float = 2.0) -> History:
        """Train for ``num_epochs`` more epochs and return the history.

        Interrupting (Kernel -> Interrupt, or Ctrl-C) stops after the current step and keeps
        everything trained so far (and saves it, with ``checkpoint_path``); ``fit`` again
        continues. ``live`` is an object with an
        ``update(history)`` method (such as ``gan_utils.viz.LiveView()``), called every
        ``live_every`` seconds.
        """
        if not isinstance(num_epochs, int) or num_epochs < 1:
            raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
        if not self.history.snapshots:
            self.history.add_snapshot(self.step, self.sample_fixed())
        steps_per_epoch = _length(self.batches)
        total = steps_per_epoch * num_epochs if steps_per_epoch else None
        last_epoch = self.epoch + num_epochs
        bar = tqdm(total=total, desc="training", unit="step", disable=not progress)
        last_live = last_save = time.perf_counter()
        interrupted = checked = False
        self.G.train(), self.D.train()
        with finish_step_on_interrupt() as stop:
            try:
                while self.epoch < last_epoch and not interrupted:
                    bar.set_description(f"epoch {self.epoch + 1}/{last_epoch}")
                    for batch in self.batches:
                        pair = isinstance(batch, (tuple, list))
                        x_real, labels = (batch[0], batch[1]) if pair else (batch, None)
                        if not checked:  # once per fit: the data, before D mixes it with fakes
                            check_image_batch(x_real, name="the real images from your batches")
                            checked = True
                        figures = self.train_step(x_real, labels)
                        self.step += 1
                        self.history.record(self.step, self.epoch + 1, figures)
                        bar.update()
                        if self.step % 10 == 0:
                            bar.set_postfix(loss_D=f"{figures['loss_D']:.3f}",
                                            loss_G=f"{figures['loss_G']:.3f}",
                                            D_x=f"{figures['D_x']:.2f}", D_G_z=f"{figures['D_G_z1']:.2f}")
                        if live is not None and time.perf_counter() - last_live > live_every:
                            live.update(self.history)
                            last_live = time.perf_counter()
                        if stop.requested:
                            interrupted = True
                            break
                    self.epoch += 1
                    self.history.add_snapshot(self.step, self.sample_fixed())
                    finished = self.epoch == last_epoch
                    due = time.perf_counter() - last_save >= self.checkpoint_every
                    if self.checkpoint_path and not interrupted and (finished or due):
                        self.save_checkpoint(self.checkpoint_path)
                        last_save = time.perf_counter()
            except KeyboardInterrupt:  # a second interrupt: the current step may be half done
                interrupted = True
        bar.close()
        if live is not None:
            live.update(self.history)
        if interrupted:
            self._report_interrupt()
        return self.history

    def _report_interrupt(self) -> None:
        saved = ""
        if self.checkpoint_path:
            self.save_checkpoint(self.checkpoint_path)
            saved = f" and saved to {self.checkpoint_path}"
        print(f"Training interrupted after step {self.step} (epoch {self.epoch}). The models and "
              f"the history are kept{saved}; call fit() again to continue.")

    def state_dict(self) -> dict:
        """Everything a resumed run needs, as plain tensors and lists."""
        generator = getattr(self.batches, "generator", None)
        return {"G": self.G, "D": self.D, "opt_G": self.opt_G, "opt_D": self.opt_D,
                "epoch": self.epoch, "step": self.step, "history": self.history.state_dict(),
                "fixed_noise": self.fixed_noise.cpu(), "fixed_labels": self.fixed_labels,
                "rng": {"trainer": self.rng.get_state(), "torch": torch.get_rng_state(),
                        "batches": generator.get_state() if generator is not None else None}}

    def save_checkpoint(self, path: str | Path) -> Path:
        """Write the whole run to ``path`` (see ``load_checkpoint`` to resume it)."""
        return save_checkpoint(path, **self.state_dict())

    def load_checkpoint(self, path: str | Path) -> "GANTrainer":
        """Restore a run saved by ``save_checkpoint`` into this trainer's (same-shaped) models."""
        payload = read_checkpoint(path)
        restore_model(self.G, payload["G"], "G", path)
        restore_model(self.D, payload["D"], "D", path)
        self.opt_G.load_state_dict(payload["opt_G"])
        self.opt_D.load_state_dict(payload["opt_D"])
        self.epoch, self.step = payload["epoch"], payload["step"]
        self.history = History.from_state_dict(payload["history"])
        self.fixed_noise = payload["fixed_noise"].to(self.device)
        self.fixed_labels = payload.get("fixed_labels")
        self.rng.set_state(payload["rng"]["trainer"])
        torch.set_rng_state(payload["rng"]["torch"])
        generator = getattr(self.batches, "generator", None)
        if generator is not None and payload["rng"]["batches"] is not None:
            generator.set_state(payload["rng"]["batches"])
        return self


def _length(batches) -> int | None:
    try:
        return len(batches)
    except TypeError:
        return None
