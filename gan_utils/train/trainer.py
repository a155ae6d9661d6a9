"""The training loop of lessons 03 on, for every GAN in the course: image GANs, WGAN-GP and the 2D
lab. A step is ``d_steps`` updates of D, each on its own real batch, then one update of G
(Algorithm 1 of Goodfellow et al. 2014, and of the WGAN-GP paper with ``d_steps = n_critic``)."""
import uuid
from itertools import islice
from pathlib import Path

import torch
from torch import nn

from ..data.pixels import check_image_batch
from ..language import say
from ..models.conditional import check_labels
from ..models.inputs import check_whole_number, values_checked_once
from ..models.sampling import evaluating, generate
from ..settings import get_device
from .checkpoint import (CheckpointError, check_checkpoint_path, keep_aside, read_checkpoint,
                         restore_model, save_checkpoint)
from .guards import check_batches, check_conditioning, check_generator, check_loss_fits_D, unwrap
from .diagnosis import layer_gradient_norms
from .health import NonFiniteError, check_figures, check_weights
from .history import History
from .hooks import Checkpoints, Hook, LiveUpdates, ProgressBar, Snapshots, epoch_label
from .interrupt import finish_step_on_interrupt
from .steps import (critic_step, discriminator_step, generator_step, has_batch_norm,
                    wgan_generator_step)

LOSSES = ("non-saturating", "saturating", "wgan-gp")
FIXED_NOISE_SEED = 1_000_003   # fixed noise has its own generator: seed + this


class GANTrainer:
    """Train a generator ``G`` against a discriminator ``D`` on ``batches``.

    ``batches`` yields image batches (N, C, H, W) in [-1, 1], or (images, labels) pairs:
    ``InMemoryBatches`` or a ``DataLoader``. A conditional pair (a G with ``num_classes``) needs the
    labels: its fakes are drawn for the labels of the real batch, and the fixed noise comes with
    fixed labels that run through the digits in order.

    Everything runs on ``device``: by default the course's device (``get_device()``: a GPU when
    there is one), whatever device G was built on. ``loss`` is "non-saturating" (the usual GAN),
    "saturating" (lesson 07) or "wgan-gp" (see ``WGANTrainer``). D returns logits for the default
    ``BCEWithLogitsLoss``; a D that ends in a Sigmoid needs ``criterion=nn.BCELoss()``.
    ``lr_D`` gives D its own learning rate (two time-scales). With ``checkpoint_path``, the run is
    saved at the end of an epoch at most every ``checkpoint_every`` seconds, at the end of every
    ``fit``, and when training is interrupted. ``fit(num_epochs)`` continues where the last call
    stopped.
    """

    def __init__(self, G: nn.Module, D: nn.Module, batches, lr: float = 2e-4,
                 betas: tuple[float, float] = (0.5, 0.999), num_fixed: int = 64, seed: int = 0,
                 device: str | torch.device | None = None, checkpoint_path: str | Path | None = None,
                 checkpoint_every: float = 60.0, real_label: float = 1.0, lr_D: float | None = None,
                 loss: str = "non-saturating", d_steps: int = 1, gp_weight: float = 10.0,
                 criterion: nn.Module | None = None, fresh_z_for_G: bool = False):
        generator = check_generator(G)
        if not isinstance(D, nn.Module):
            raise TypeError(f"D should be a discriminator (an nn.Module such as "
                            f"MLPDiscriminator()), got {type(D).__name__}.")
        if unwrap(D) is generator:
            raise ValueError("G and D are the same model; build a generator and a discriminator.")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {loss!r}")
        if not isinstance(d_steps, int) or isinstance(d_steps, bool) or d_steps < 1:
            raise ValueError(f"d_steps (D updates per G update) must be a whole number >= 1, "
                             f"got {d_steps!r}")
        _check_settings(lr=lr, lr_D=lr_D, betas=betas, num_fixed=num_fixed, seed=seed,
                        real_label=real_label, checkpoint_every=checkpoint_every)
        check_conditioning(generator, D)
        if batches is not None:
            check_batches(batches)
        self.criterion = criterion if criterion is not None else nn.BCEWithLogitsLoss()
        if loss != "wgan-gp":
            check_loss_fits_D(D, self.criterion)
        self.device = get_device(device) if device is not None else get_device()
        self.G, self.D = G.to(self.device), D.to(self.device)
        self.batches = batches.to(self.device) if hasattr(batches, "to") else batches
        self.latent_dim = generator.latent_dim
        self.num_classes = getattr(generator, "num_classes", None)
        self.loss, self.d_steps, self.gp_weight, self.real_label = loss, d_steps, gp_weight, real_label
        self.fresh_z_for_G = fresh_z_for_G   # G's update on new noise, or on the last D update's fakes
        fused = {"fused": True} if self.device.type in ("cpu", "cuda") else {}  # one kernel per step
        self.opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=betas, **fused)
        self.opt_D = torch.optim.Adam(D.parameters(), lr=lr if lr_D is None else lr_D,  # lr_D: D's own rate
                                      betas=betas, **fused)
        self.joint_D_step = not has_batch_norm(D)  # real and fake through D in one pass (no BatchNorm to mix)
        self.rng = torch.Generator().manual_seed(seed)   # z while training; seeded so a run repeats
        fixed_rng = torch.Generator().manual_seed(seed + FIXED_NOISE_SEED)
        self.fixed_noise = torch.randn(num_fixed, self.latent_dim, generator=fixed_rng).to(self.device)
        self.fixed_labels = (None if self.num_classes is None else
                             (torch.arange(num_fixed) * self.num_classes) // num_fixed)  # 0,0,..,9,9
        self.checkpoint_path = check_checkpoint_path(checkpoint_path) if checkpoint_path else None
        # what the caller chose: a resumed run keeps these (see load_checkpoint)
        self.settings = {"lr": lr, "lr_D": lr if lr_D is None else lr_D, "betas": tuple(betas),
                         "d_steps": d_steps, "loss": loss, "gp_weight": gp_weight,
                         "real_label": real_label}
        self.run_id = uuid.uuid4().hex      # tells this run's checkpoints from another run's
        self._written: dict[Path, tuple] = {}   # checkpoint path -> (mtime, size) of our last save
        self.failed = None                  # the NonFiniteError that stopped the last run, if any
        self.checkpoint_every = checkpoint_every  # seconds between checkpoints during a fit
        self.history = History()
        self.epoch = 0                          # completed epochs
        self.step = 0                           # completed steps (G updates)
        self.d_updates = self.g_updates = 0     # every single update, in a step or by hand

    # --- one step -------------------------------------------------------------------------------

    def noise(self, n: int) -> torch.Tensor:
        """A batch of latent vectors z ~ N(0, I), shaped (n, latent_dim), from the trainer's own RNG
        (drawn on the CPU, so a seed gives the same z on every device)."""
        return torch.randn(n, self.latent_dim, generator=self.rng).to(self.device)

    def _unpack(self, batch) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(real images, labels or None) on the trainer's device."""
        pair = isinstance(batch, (tuple, list))
        x_real, labels = (batch[0], batch[1]) if pair else (batch, None)
        x_real = x_real.to(self.device, non_blocking=True)
        if self.num_classes is None:
            return x_real, None
        if labels is None:
            raise ValueError("a conditional GAN trains on (images, labels) batches, e.g. "
                             "InMemoryBatches(mnist.images, labels=mnist.labels)")
        return x_real, labels.to(self.device, non_blocking=True)

    def d_update(self, x_real, x_fake, labels=None) -> dict[str, torch.Tensor]:
        """One update of D (or the critic) on real images and detached fakes."""
        self.d_updates += 1
        if self.loss == "wgan-gp":
            return critic_step(self.D, self.opt_D, x_real, x_fake, labels, self.gp_weight, self.rng)
        return discriminator_step(self.D, self.opt_D, self.criterion, x_real, x_fake, labels=labels,
                                  real_label=self.real_label, joint=self.joint_D_step)

    def g_update(self, x_fake, labels=None) -> dict[str, torch.Tensor]:
        """One update of G through the current D; ``x_fake`` still carries G's graph. Its figures
        include the gradient norms that reached G's first and last layer (for the health panel)."""
        self.g_updates += 1
        if self.loss == "wgan-gp":
            figures = wgan_generator_step(self.D, self.opt_G, x_fake, labels)
        else:
            figures = generator_step(self.D, self.opt_G, self.criterion, x_fake, labels=labels, loss=self.loss)
        return figures | layer_gradient_norms(self.G)   # what reached G's first and last layer

    def train_step(self, *batches) -> dict[str, torch.Tensor]:
        """One step: an update of D on each batch given (``d_steps`` of them in the loop), then one
        update of G: on the fakes of the last D update (the seeds' loop, one G forward pass less),
        or on fresh noise with ``fresh_z_for_G`` (Goodfellow et al.'s Algorithm 1). A batch is
        images or an (images, labels) pair. Returns the step's figures as 0-dim tensors on the
        device (the history reads them later)."""
        if not batches:
            raise ValueError("train_step needs at least one batch of real images")
        for i, batch in enumerate(batches):
            x_real, labels = self._unpack(batch)
            keep_graph = i == len(batches) - 1 and not self.fresh_z_for_G   # G's graph for its update
            with torch.set_grad_enabled(keep_graph):
                x_fake = generate(self.G, self.noise(len(x_real)), labels)  # (N, C, H, W)
            figures = self.d_update(x_real, x_fake.detach(), labels)
        if self.fresh_z_for_G:
            x_fake = generate(self.G, self.noise(len(x_real)), labels)  # (N, C, H, W)
        return figures | self.g_update(x_fake, labels)

    # --- the loop -------------------------------------------------------------------------------

    def _epochs(self, num_epochs: int):
        """Each epoch's steps as lists of ``d_steps`` batches, then None for "epoch done"."""
        for _ in range(num_epochs):
            batches, any_step = iter(self.batches), False
            while chunk := list(islice(batches, self.d_steps)):
                any_step = True
                yield chunk
            if not any_step:
                raise ValueError(f"epoch {self.epoch + 1} got no batch from batches "
                                 f"({type(self.batches).__name__}): it is empty, or an iterator "
                                 f"that is used up. Pass InMemoryBatches or a DataLoader.")
            yield None

    def run(self, steps, hooks=()) -> bool:
        """The one loop: train on each list of batches that ``steps`` yields (None marks the end of
        an epoch) and call the hooks. Value checks run on the first batch only; an interrupt
        (Kernel -> Interrupt, Ctrl-C) stops after the current step. Returns True if interrupted.
        A NaN or inf in the figures stops the run with NonFiniteError (no checkpoint of it saved)."""
        interrupted, checked, failure = False, False, None
        self.G.train(), self.D.train()
        self.failed = None
        with finish_step_on_interrupt() as stop, values_checked_once():
            try:
                for chunk in steps:
                    if chunk is None:
                        self.epoch += 1
                        for hook in hooks:
                            hook.after_epoch(self)
                        continue
                    if not checked:
                        self.check_batch(chunk[0])
                        checked = True
                    figures = self.train_step(*chunk)
                    self.step += 1
                    self.history.record(self.step, self.epoch + 1, figures)
                    check_figures(self.history)   # free: looks only at figures already read back
                    for hook in hooks:
                        hook.after_step(self)
                    if stop.requested:
                        interrupted = True
                        break
                self.history.flush()
                check_figures(self.history)
            except KeyboardInterrupt:  # a second interrupt: the current step may be half done
                interrupted = True
            except NonFiniteError as err:
                failure = self.failed = err
        for hook in hooks:
            hook.at_end(self, interrupted or failure is not None)
        if failure is not None:
            kept = (f" The last good checkpoint is kept at {self.checkpoint_path} (load it with "
                    f"trainer.load_checkpoint)." if self.checkpoint_path and self.checkpoint_path.exists()
                    else "")
            raise NonFiniteError(f"{failure}{kept} Build fresh models, or load a good checkpoint, "
                                 f"before training again.") from None
        return interrupted

    def check_batch(self, batch) -> None:
        """The values of a real batch (and its labels) and of G's images, checked once before D
        mixes them: both must be in [-1, 1], or D tells them apart by their range alone."""
        x_real, labels = batch if isinstance(batch, (tuple, list)) else (batch, None)
        check_image_batch(x_real, name="the real images from your batches")
        if labels is not None and self.num_classes is not None:
            check_labels(labels, len(x_real), self.num_classes)
        fakes = self.sample_fixed()[:16]
        low, high = fakes.min().item(), fakes.max().item()
        if not (-1.001 <= low and high <= 1.001):   # also False for NaN
            raise ValueError(f"G's images should be in [-1, 1] like the real ones, but G gives "
                             f"values in [{low:.3g}, {high:.3g}]: end G with nn.Tanh() (not "
                             f"Sigmoid or nothing), as the course's generators do.")

    def fit(self, num_epochs: int, progress: bool = True, live=None, live_every: float = 2.0,
            hooks=()) -> History:
        """Train for ``num_epochs`` more epochs and return the history.

        Interrupting (Kernel -> Interrupt, or Ctrl-C) stops after the current step and keeps
        everything trained so far (and saves it, with ``checkpoint_path``); ``fit`` again
        continues. ``live`` (such as ``gan_utils.viz.LiveView()``) is redrawn every ``live_every``
        seconds; ``hooks`` adds your own (see ``gan_utils.train.hooks``).
        """
        if not isinstance(num_epochs, int) or isinstance(num_epochs, bool) or num_epochs < 1:
            raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
        for hook in hooks:
            if not isinstance(hook, Hook):
                raise TypeError(f"hooks should be Hook objects (a subclass of "
                                f"gan_utils.train.Hook with after_step/after_epoch/at_end), got "
                                f"{type(hook).__name__}.")
        if not self.history.snapshots:
            self.history.add_snapshot(self.step, self.sample_fixed())
        per_epoch = _length(self.batches)
        total = -(-per_epoch // self.d_steps) * num_epochs if per_epoch else None
        last_epoch = self.epoch + num_epochs
        all_hooks = [ProgressBar(total, epoch_label(self.epoch + 1, last_epoch), enabled=progress,
                                 last_epoch=last_epoch),
                     Snapshots()]
        if live is not None:
            all_hooks.append(LiveUpdates(live, live_every))
        if self.checkpoint_path:
            all_hooks.append(Checkpoints(self.checkpoint_path, self.checkpoint_every, last_epoch))
        if self.run(self._epochs(num_epochs), all_hooks + list(hooks)):
            saved = f" and saved to {self.checkpoint_path}" if self.checkpoint_path else ""
            print(say(f"Training interrupted after step {self.step} (epoch {self.epoch} complete). The "
                      f"models and the history are kept{saved}; call fit() again to continue.",
                      f"训练在第 {self.step} 步中断（已完成 {self.epoch} 轮）。模型和历史记录都已保留"
                      + (f"并保存到 {self.checkpoint_path}" if self.checkpoint_path else "")
                      + "；再次调用 fit() 即可继续。"))
        return self.history

    # --- sampling -------------------------------------------------------------------------------

    @torch.no_grad()
    def sample(self, z: torch.Tensor | None = None, n: int = 64,
               labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images from G in eval mode (BatchNorm uses its running statistics), on the CPU.
        A conditional G draws ``labels`` (by default the digits in turn: 0, 1, 2, ...)."""
        z = self.noise(n) if z is None else z.to(self.device)
        if self.num_classes is not None:
            labels = (torch.arange(len(z)) % self.num_classes if labels is None else labels).to(self.device)
        with evaluating(self.G):
            return generate(self.G, z, labels).cpu()

    def sample_fixed(self) -> torch.Tensor:
        """G's images for the fixed noise (and fixed labels): what the snapshots show."""
        return self.sample(self.fixed_noise, labels=self.fixed_labels)

    # --- checkpoints ----------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Everything a resumed run needs, as plain tensors and lists (models unwrapped)."""
        generator = getattr(self.batches, "generator", None)
        return {"run": {"id": self.run_id, "kind": self.kind, "settings": self.settings},
                "G": unwrap(self.G), "D": unwrap(self.D), "opt_G": self.opt_G, "opt_D": self.opt_D,
                "epoch": self.epoch, "step": self.step,
                "updates": {"D": self.d_updates, "G": self.g_updates},
                "history": self.history.state_dict(),
                "fixed_noise": self.fixed_noise.cpu(), "fixed_labels": self.fixed_labels,
                "rng": {"trainer": self.rng.get_state(),
                        "batches": generator.get_state() if generator is not None else None}}

    @property
    def kind(self) -> str:
        """The trainer's class and loss family, e.g. "GANTrainer (non-saturating)"."""
        return f"{type(self).__name__} ({self.loss})"

    def save_checkpoint(self, path: str | Path) -> Path:
        """Write the whole run to ``path`` (see ``load_checkpoint`` to resume it). A checkpoint of
        another run already there is kept under a new name if it trained longer; NaN weights are
        never saved."""
        path = Path(path)
        check_weights(G=self.G, D=self.D)
        self._keep_other_run(path)
        save_checkpoint(path, **self.state_dict())
        self._written[path.resolve()] = _stamp(path)
        return path

    def _keep_other_run(self, path: Path) -> None:
        """Before the first save over a file this run did not write: keep it if it holds more."""
        if not path.exists() or self._written.get(path.resolve()) == _stamp(path):
            return
        try:
            theirs = read_checkpoint(path)
        except CheckpointError:
            kept = keep_aside(path, "unreadable")
            print(f"{path} was not a checkpoint this course can read; kept it as {kept.name}.")
            return
        if theirs.get("run", {}).get("id") == self.run_id:
            return
        if theirs.get("step", 0) > self.step:
            kept = keep_aside(path, f"epoch{theirs.get('epoch', 0)}")
            print(f"{path} held another run, trained for {theirs.get('epoch')} epochs "
                  f"({theirs.get('step')} steps), more than this one: kept it as {kept.name} "
                  f"(load_model({str(kept)!r}) reads it).")
        else:
            print(f"{path} held another run of {theirs.get('step')} steps (this one has "
                  f"{self.step}): replacing it.")

    def load_checkpoint(self, path: str | Path) -> "GANTrainer":
        """Restore a run saved by ``save_checkpoint`` into this trainer's (same-shaped) models, on
        this trainer's device, whichever device wrote it, and say what came from where: weights,
        optimizer moments, history, noise and counters from the file; learning rates, betas and
        d_steps from this trainer's arguments. The global random state is left alone."""
        path = Path(path)
        payload = read_checkpoint(path)
        stored = payload.get("run") or _old_run_info(payload)
        _check_same_kind(path, stored["kind"], self)
        restore_model(unwrap(self.G), payload["G"], "G", path)
        restore_model(unwrap(self.D), payload["D"], "D", path)
        self.opt_G.load_state_dict(payload["opt_G"])   # moves the moments to the parameters' device
        self.opt_D.load_state_dict(payload["opt_D"])
        self._apply_settings()
        self.epoch, self.step = payload["epoch"], payload["step"]
        updates = payload.get("updates", {"D": self.step * self.d_steps, "G": self.step})
        self.d_updates, self.g_updates = updates["D"], updates["G"]
        self.history = History.from_state_dict(payload["history"])
        self.fixed_noise = payload["fixed_noise"].to(self.device)
        self.fixed_labels = payload.get("fixed_labels")
        self.rng.set_state(payload["rng"]["trainer"])
        generator = getattr(self.batches, "generator", None)
        if generator is not None and payload["rng"]["batches"] is not None:
            generator.set_state(payload["rng"]["batches"])
        self.run_id = stored.get("id") or self.run_id   # saving again continues that run's file
        self._written[path.resolve()] = _stamp(path)
        print(_resume_report(path, self, stored.get("settings")))
        return self

    def _apply_settings(self) -> None:
        """The caller's learning rates and betas, over the ones a loaded optimizer state brought."""
        for optimizer, lr in ((self.opt_G, self.settings["lr"]), (self.opt_D, self.settings["lr_D"])):
            for group in optimizer.param_groups:
                group["lr"], group["betas"] = lr, self.settings["betas"]


def _check_settings(lr, lr_D, betas, num_fixed, seed, real_label, checkpoint_every) -> None:
    """Refuse numbers that would train silently wrong (a zero or negative rate, betas outside
    [0, 1), a real label above 1) before any step."""
    for name, value in (("lr", lr), ("lr_D", lr_D)):
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)
                                  or not 0 < value < 1):
            raise ValueError(f"{name} (a learning rate) should be a number between 0 and 1, such "
                             f"as 2e-4; got {value!r}")
    if (not isinstance(betas, (tuple, list)) or len(betas) != 2
            or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in betas)):
        raise ValueError(f"betas should be two numbers in [0, 1), such as (0.5, 0.999); got {betas!r}")
    check_whole_number(num_fixed, "num_fixed (images in each snapshot)")
    check_whole_number(seed, "seed", minimum=0)
    if not isinstance(real_label, (int, float)) or not 0 < real_label <= 1:
        raise ValueError(f"real_label should be in (0, 1]: 1.0, or 0.9 for one-sided label "
                         f"smoothing; got {real_label!r}")
    if not isinstance(checkpoint_every, (int, float)) or checkpoint_every < 0:
        raise ValueError(f"checkpoint_every should be a number of seconds >= 0, got {checkpoint_every!r}")


def _stamp(path: Path) -> tuple:
    """What tells a file we wrote from one someone else wrote since: modification time and size."""
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def _check_same_kind(path: Path, stored_kind: str | None, trainer: "GANTrainer") -> None:
    """Refuse a checkpoint of another trainer class or loss family (WGAN-GP vs BCE) by name; a
    switch between the two BCE losses is allowed (lesson 07 does it) and reported."""
    if stored_kind is None:
        return
    same_class = stored_kind.split()[0] == type(trainer).__name__
    same_family = ("wgan" in stored_kind) == ("wgan" in trainer.kind)
    if not (same_class and same_family):
        raise CheckpointError(f"{path} was saved by a {stored_kind}, but this trainer is a "
                              f"{trainer.kind}: its optimizer state and figures would not fit. "
                              f"Resume it with a {stored_kind.split()[0]} and the same loss.")


def _old_run_info(payload: dict) -> dict:
    """For checkpoints written before they recorded their run: the kind, told by the history."""
    columns = payload.get("history", {}).get("columns") or payload.get("history", {})
    return {"id": None, "kind": "WGANTrainer (wgan-gp)" if "wasserstein" in columns else None,
            "settings": None}


def _resume_report(path: Path, trainer: "GANTrainer", stored: dict | None) -> str:
    """What a resumed run took from the checkpoint and what from the caller, differences named."""
    mine = {key: trainer.settings[key] for key in ("lr", "lr_D", "betas", "d_steps", "loss")}
    changed = [f"{key}: {stored[key]!r} -> {value!r}" for key, value in mine.items()
               if stored and key in stored and _as_tuple(stored[key]) != value]
    yours = ", ".join(f"{key}={value!r}" for key, value in mine.items())
    report = (f"Resumed {path} at epoch {trainer.epoch} (step {trainer.step}). From the checkpoint: "
              f"the weights of G and D, Adam's moments, the history, the fixed noise and the random "
              f"state. From your arguments: {yours}.")
    if changed:
        report += " Changed from the saved run: " + "; ".join(changed) + "."
    return report


def _as_tuple(value):
    return tuple(value) if isinstance(value, list) else value


def _length(batches) -> int | None:
    try:
        return len(batches)
    except TypeError:
        return None
