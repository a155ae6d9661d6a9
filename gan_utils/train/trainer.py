"""The training loop of lessons 03 on, for every GAN in the course: image GANs, WGAN-GP, the 2D
lab, and the 64x64 faces under torchrun. A step is ``d_steps`` updates of D, each on its own real
batch, then one update of G (Algorithm 1 of Goodfellow et al. 2014, and of the WGAN-GP paper with
``d_steps = n_critic``). What the trainer accepts is checked in ``guards.py``; how a run is saved
and resumed is in ``checkpoint.py``; how it spreads over processes is in ``distributed.py``."""
import math
from itertools import islice
from pathlib import Path

import torch
from torch import nn

from ..language import say
from ..models.inputs import values_checked_once
from ..models.sampling import class_count, evaluating, generate, unwrap
from .checkpoint import (RunFiles, check_checkpoint_path, check_same_model, load_weights, read_run,
                         resume_report)
from .diagnosis import layer_gradient_norms
from .distributed import OneProcess
from .guards import check_first_batch, check_fit_arguments, check_trainer_arguments
from .health import NonFiniteError, check_figures, check_weights
from .history import History
from .hooks import Checkpoints, LiveUpdates, ProgressBar, Snapshots, epoch_label
from .interrupt import finish_step_on_interrupt
from .steps import (apply_model, critic_loss, discriminator_loss, frozen, generator_loss,
                    has_batch_norm, wgan_generator_loss)
from .toolkit import (GeneratorAverage, check_toolkit_options, hinge_discriminator_loss, hinge_generator_loss,
                      r1_penalty)

FIXED_NOISE_SEED = 1_000_003   # fixed noise has its own generator: seed + this


class GANTrainer:
    """Train a generator ``G`` against a discriminator ``D`` on ``batches``.

    ``batches`` yields image batches (N, C, H, W) in [-1, 1], or (images, labels) pairs:
    ``InMemoryBatches`` or a ``DataLoader``. A conditional pair (a G with ``num_classes``) needs the
    labels: its fakes are drawn for the labels of the real batch, and the fixed noise comes with
    fixed labels that run through the digits in order.

    Everything runs on ``device``: by default the course's device (``get_device()``: a GPU when
    there is one), whatever device G was built on. ``loss`` is "non-saturating" (the usual GAN),
    "saturating" (lesson 07), "hinge" or "wgan-gp" (see ``WGANTrainer``). Lesson 09's toolkit
    (``toolkit.py``): ``r1_weight`` adds the R1 penalty to D's loss, and ``ema_decay`` keeps a moving
    average of G's weights, ``G_average``, which ``sample`` and the snapshots then draw from. D returns logits for the default
    ``BCEWithLogitsLoss``; a D that ends in a Sigmoid needs ``criterion=nn.BCELoss()``.
    ``lr_D`` gives D its own learning rate (two time-scales). With ``checkpoint_path``, the run is
    saved at the end of an epoch at most every ``checkpoint_every`` seconds, at the end of every
    ``fit``, and when training is interrupted. ``fit(num_epochs)`` continues where the last call
    stopped. ``processes`` (a ``distributed.Processes``) trains one run over torchrun's processes.
    """

    def __init__(self, G: nn.Module, D: nn.Module, batches, lr: float = 2e-4,
                 betas: tuple[float, float] = (0.5, 0.999), num_fixed: int = 64, seed: int = 0,
                 device: str | torch.device | None = None, checkpoint_path: str | Path | None = None,
                 checkpoint_every: float = 60.0, real_label: float = 1.0, lr_D: float | None = None,
                 loss: str = "non-saturating", d_steps: int = 1, gp_weight: float = 10.0,
                 criterion: nn.Module | None = None, fresh_z_for_G: bool = False,
                 r1_weight: float = 0.0, ema_decay: float | None = None,
                 processes: OneProcess | None = None):
        self.criterion = criterion if criterion is not None else nn.BCEWithLogitsLoss()
        generator = check_trainer_arguments(G, D, batches, self.criterion, loss=loss, d_steps=d_steps,
                                            lr=lr, lr_D=lr_D, betas=betas, num_fixed=num_fixed, seed=seed,
                                            real_label=real_label, checkpoint_every=checkpoint_every)
        check_toolkit_options(loss, r1_weight, ema_decay)
        self.processes = processes or OneProcess(device)
        self.device = self.processes.device
        self.G, self.D = G.to(self.device), D.to(self.device)
        # under torchrun, G's forward pass and D's update go through DDP, which averages their
        # gradients over the processes; alone, G_ddp and D_ddp are G and D themselves
        self.G_ddp, self.D_ddp = self.processes.wrap(self.G), self.processes.wrap(self.D)
        self.batches = batches.to(self.device) if hasattr(batches, "to") else batches
        self.latent_dim = generator.latent_dim
        self.num_classes = class_count(generator)
        self.loss, self.d_steps, self.gp_weight, self.real_label = loss, d_steps, gp_weight, real_label
        self.fresh_z_for_G = fresh_z_for_G   # G's update on new noise, or on the last D update's fakes
        self.r1_weight, self.ema_decay = r1_weight, ema_decay
        self.average = None if ema_decay is None else GeneratorAverage(unwrap(self.G), ema_decay)
        lr_D = lr if lr_D is None else lr_D  # D's own rate, if given
        fused = {"fused": True} if self.device.type in ("cpu", "cuda") else {}  # all weights updated in one kernel
        self.opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=betas, **fused)
        self.opt_D = torch.optim.Adam(D.parameters(), lr=lr_D, betas=betas, **fused)
        self.joint_D_step = not has_batch_norm(D)  # real and fake through D in one pass (no BatchNorm to mix)
        self.rng = torch.Generator().manual_seed(seed)   # z while training; seeded so a run repeats
        fixed_rng = torch.Generator().manual_seed(seed + FIXED_NOISE_SEED)
        self.fixed_noise = torch.randn(num_fixed, self.latent_dim, generator=fixed_rng).to(self.device)
        self.fixed_labels = (None if self.num_classes is None else
                             (torch.arange(num_fixed) * self.num_classes) // num_fixed)  # 0,0,..,9,9
        self.checkpoint_path = check_checkpoint_path(checkpoint_path) if checkpoint_path else None
        self.checkpoint_every = checkpoint_every  # seconds between checkpoints during a fit
        # what the caller chose: a resumed run keeps these (see load_checkpoint)
        self.settings = {"lr": lr, "lr_D": lr_D, "betas": tuple(betas), "d_steps": d_steps,
                         "loss": loss, "gp_weight": gp_weight, "real_label": real_label,
                         "r1_weight": r1_weight, "ema_decay": ema_decay}
        self.files = RunFiles()
        self.failed = None                  # the NonFiniteError that stopped the last run, if any
        self.history = History(across_processes=self.processes.averaging)
        self.epoch = 0                          # completed epochs
        self.step = 0                           # completed steps (G updates)
        self.d_updates = self.g_updates = 0     # every single update, in a step or by hand

    # --- one step -------------------------------------------------------------------------------

    def noise(self, n: int) -> torch.Tensor:
        """A batch of latent vectors z ~ N(0, I), shaped (n, latent_dim), from the trainer's own RNG
        (drawn on the CPU, so a seed gives the same z on every device). Under torchrun each process
        draws the whole batch's z and keeps its own rows: the same run on any number of processes."""
        whole = torch.randn(n * self.processes.world_size, self.latent_dim, generator=self.rng)
        return self.processes.own_rows(whole).to(self.device)

    def train_step(self, *batches) -> dict[str, torch.Tensor]:
        """One step: an update of D on each batch given (``d_steps`` of them in the loop), then one
        update of G: on the fakes of the last D update (the seeds' loop, one G forward pass less),
        or on fresh noise with ``fresh_z_for_G`` (Goodfellow et al.'s Algorithm 1). A batch is
        images or an (images, labels) pair. Returns the step's figures (the last D update's and
        G's) as 0-dim tensors on the device (the history reads them later)."""
        if not batches:
            raise ValueError("train_step needs at least one batch of real images")
        for i, batch in enumerate(batches):
            x_real, labels = self._unpack(batch)
            keep_graph = i == len(batches) - 1 and not self.fresh_z_for_G   # G's graph for its update
            with torch.set_grad_enabled(keep_graph), self.processes.autocast():
                x_fake = apply_model(self.G_ddp, self.noise(len(x_real)), labels)  # (N, C, H, W)
            figures = self.d_update(x_real, x_fake.detach(), labels)
        if self.fresh_z_for_G:
            with self.processes.autocast():
                x_fake = apply_model(self.G_ddp, self.noise(len(x_real)), labels)  # (N, C, H, W)
        return figures | self.g_update(x_fake, labels)

    def d_update(self, x_real, x_fake, labels=None) -> dict[str, torch.Tensor]:
        """One update of D (or the critic) on real images and detached fakes."""
        self.d_updates += 1
        with self.processes.autocast():   # the forward passes and the loss (backward runs outside)
            if self.loss == "wgan-gp":
                loss_D, figures = critic_loss(self.D_ddp, x_real, x_fake, labels, self.gp_weight, self.rng)
            elif self.loss == "hinge":
                loss_D, figures = hinge_discriminator_loss(self.D_ddp, x_real, x_fake, labels, self.joint_D_step)
            else:
                loss_D, figures = discriminator_loss(self.D_ddp, self.criterion, x_real, x_fake, labels,
                                                     self.real_label, self.joint_D_step)
            if self.r1_weight:
                penalty = r1_penalty(self.D_ddp, x_real, labels)
                loss_D = loss_D + self.r1_weight / 2 * penalty
                figures = figures | {"loss_D": loss_D.detach(), "r1": penalty.detach()}
        self.opt_D.zero_grad(set_to_none=True)
        loss_D.backward()
        self.opt_D.step()
        return figures

    def g_update(self, x_fake, labels=None) -> dict[str, torch.Tensor]:
        """One update of G through the current D; ``x_fake`` still carries G's graph. D judges as
        itself, not through DDP: its gradients are skipped, so there is nothing to average. The
        figures include the gradient norms that reached G's first and last layer (health panel)."""
        self.g_updates += 1
        with frozen(self.D), self.processes.autocast():   # gradients flow through D, not into it
            if self.loss == "wgan-gp":
                loss_G, figures = wgan_generator_loss(self.D, x_fake, labels)
            elif self.loss == "hinge":
                loss_G, figures = hinge_generator_loss(self.D, x_fake, labels)
            else:
                loss_G, figures = generator_loss(self.D, self.criterion, x_fake, labels, self.loss)
        self.opt_G.zero_grad(set_to_none=True)
        loss_G.backward()            # through D (its weights frozen above) into G
        self.opt_G.step()
        if self.average is not None:
            self.average.update(unwrap(self.G))
        return figures | layer_gradient_norms(self.G)

    def _unpack(self, batch) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(real images, labels or None) on the trainer's device."""
        x_real, labels = batch if isinstance(batch, (tuple, list)) else (batch, None)
        if self.num_classes is None:
            return x_real.to(self.device, non_blocking=True), None
        if labels is None:
            raise ValueError("a conditional GAN trains on (images, labels) batches, e.g. "
                             "InMemoryBatches(mnist.images, labels=mnist.labels)")
        return x_real.to(self.device, non_blocking=True), labels.to(self.device, non_blocking=True)

    # --- the loop -------------------------------------------------------------------------------

    def epochs(self, num_epochs: int, until_step: int | None = None):
        """The steps of ``num_epochs`` epochs, each a list of ``d_steps`` batches, and None after
        each epoch's last step; with ``until_step``, they end once the run has made that many."""
        for _ in range(num_epochs):
            if hasattr(self.batches, "set_epoch"):   # a DistributedSampler shuffles by epoch
                self.batches.set_epoch(self.epoch)
            batches, any_step = iter(self.batches), False
            while chunk := list(islice(batches, self.d_steps)):
                if until_step is not None and self.step >= until_step:
                    return
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
        interrupted, checked, self.failed = False, False, None
        self.G.train(), self.D.train()
        with finish_step_on_interrupt(alone=self.processes.world_size == 1) as stop, values_checked_once(self.G, self.D):
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
                self.failed = err
        for hook in hooks:
            hook.at_end(self, interrupted or self.failed is not None)
        if self.failed is not None:
            kept = (f" The last good checkpoint is kept at {self.checkpoint_path} (load it with "
                    f"trainer.load_checkpoint)." if self.checkpoint_path and self.checkpoint_path.exists()
                    else "")
            raise NonFiniteError(f"{self.failed}{kept} Build fresh models, or load a good checkpoint, "
                                 f"before training again.") from None
        return interrupted

    def check_batch(self, batch) -> None:
        """The values of the first real batch and of G's images, checked once (guards.py)."""
        check_first_batch(self, batch)

    def fit(self, num_epochs: int, progress: bool = True, live=None, live_every: float = 2.0,
            hooks=()) -> History:
        """Train for ``num_epochs`` more epochs and return the history.

        Interrupting (Kernel -> Interrupt, or Ctrl-C) stops after the current step and keeps
        everything trained so far (and saves it, with ``checkpoint_path``); ``fit`` again
        continues. ``live`` (such as ``gan_utils.viz.LiveView()``) is redrawn every ``live_every``
        seconds; ``hooks`` adds your own (see ``gan_utils.train.hooks``).
        """
        check_fit_arguments(num_epochs, hooks)
        if not self.history.snapshots:
            self.history.add_snapshot(self.step, self.sample_fixed())
        per_epoch = _length(self.batches)
        total = math.ceil(per_epoch / self.d_steps) * num_epochs if per_epoch else None
        last_epoch = self.epoch + num_epochs
        all_hooks = [ProgressBar(total, epoch_label(self.epoch + 1, last_epoch), enabled=progress,
                                 last_epoch=last_epoch),
                     Snapshots()]
        if live is not None:
            all_hooks.append(LiveUpdates(live, live_every))
        if self.checkpoint_path:
            all_hooks.append(Checkpoints(self.checkpoint_path, self.checkpoint_every, last_epoch))
        if self.run(self.epochs(num_epochs), all_hooks + list(hooks)):
            saved = f" and saved to {self.checkpoint_path}" if self.checkpoint_path else ""
            print(say(f"Training interrupted after step {self.step} (epoch {self.epoch} complete). The "
                      f"models and the history are kept{saved}; call fit() again to continue.",
                      f"训练在第 {self.step} 步中断（已完成 {self.epoch} 轮）。模型和历史记录都已保留"
                      + (f"并保存到 {self.checkpoint_path}" if self.checkpoint_path else "")
                      + "；再次调用 fit() 即可继续。"))
        return self.history

    # --- sampling -------------------------------------------------------------------------------

    @property
    def G_average(self) -> nn.Module | None:
        """The moving average of G's weights (a generator like G), or None without ``ema_decay``."""
        return None if self.average is None else self.average.module

    @property
    def G_to_sample(self) -> nn.Module:
        """The generator whose images a run shows and scores: ``G_average`` with ``ema_decay``, else G."""
        return self.G if self.average is None else self.average.module

    @torch.no_grad()
    def sample(self, z: torch.Tensor | None = None, n: int = 64,
               labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images from ``G_to_sample`` in eval mode (BatchNorm uses its running statistics), on the
        CPU. A conditional G draws ``labels`` (by default the digits in turn: 0, 1, 2, ...)."""
        z = self.noise(n) if z is None else z.to(self.device)
        if self.num_classes is not None:
            labels = (torch.arange(len(z)) % self.num_classes if labels is None else labels).to(self.device)
        G = self.G_to_sample
        with evaluating(G):
            return generate(G, z, labels).float().cpu()

    def sample_fixed(self) -> torch.Tensor:
        """G's images for the fixed noise (and fixed labels): what the snapshots show."""
        return self.sample(self.fixed_noise, labels=self.fixed_labels)

    # --- checkpoints (the file format and its refusals: checkpoint.py) --------------------------

    @property
    def kind(self) -> str:
        """The trainer's class and loss family, e.g. "GANTrainer (non-saturating)"."""
        return f"{type(self).__name__} ({self.loss})"

    def state_dict(self) -> dict:
        """Everything a resumed run needs, as plain tensors and lists (models unwrapped)."""
        generator = getattr(self.batches, "generator", None)
        return {"run": {"id": self.files.run_id, "kind": self.kind, "settings": self.settings,
                        "processes": self.processes.world_size,
                        "batch_size": getattr(self.batches, "batch_size", None)},
                "G": unwrap(self.G), "D": unwrap(self.D), "opt_G": self.opt_G, "opt_D": self.opt_D,
                "G_average": None if self.average is None else self.average.state_dict(),
                "epoch": self.epoch, "step": self.step,
                "updates": {"D": self.d_updates, "G": self.g_updates},
                "history": self.history.state_dict(),
                "fixed_noise": self.fixed_noise.cpu(), "fixed_labels": self.fixed_labels,
                "rng": {"trainer": self.rng.get_state(),
                        "batches": generator.get_state() if generator is not None else None}}

    def save_checkpoint(self, path: str | Path) -> Path:
        """Write the whole run to ``path`` (see ``load_checkpoint`` to resume it). A checkpoint of
        another run already there is kept under a new name if it trained longer; NaN weights are
        never saved. Under torchrun every process calls it and rank 0 writes."""
        check_weights(G=self.G, D=self.D)
        state = self.state_dict()        # on every process: the history's figures are averaged
        if self.processes.is_main:
            self.files.save(path, state)
        self.processes.barrier()
        return Path(path)

    def load_checkpoint(self, path: str | Path) -> "GANTrainer":
        """Restore a run saved by ``save_checkpoint`` (in a notebook or under torchrun) into this
        trainer's (same-shaped) models, on this trainer's device, and say what came from where:
        weights, optimizer moments, history, noise and counters from the file; learning rates,
        betas and d_steps from this trainer's arguments. The global random state is left alone."""
        path = Path(path)
        payload = read_run(path, self.kind)   # refused by name before anything changes
        check_same_model(unwrap(self.G), payload["G"], "G", path)
        check_same_model(unwrap(self.D), payload["D"], "D", path)
        load_weights(unwrap(self.G), payload["G"], "G", path)
        load_weights(unwrap(self.D), payload["D"], "D", path)
        if self.average is not None:   # a run saved without an average starts one from its G
            saved = payload.get("G_average")
            if saved is not None:
                self.average.load_state_dict(saved)
            else:
                self.average = GeneratorAverage(unwrap(self.G), self.ema_decay)
        self.opt_G.load_state_dict(payload["opt_G"])   # moves the moments to the parameters' device
        self.opt_D.load_state_dict(payload["opt_D"])
        for optimizer, lr in ((self.opt_G, self.settings["lr"]), (self.opt_D, self.settings["lr_D"])):
            for group in optimizer.param_groups:     # the caller's rates, not the saved ones
                group["lr"], group["betas"] = lr, self.settings["betas"]
        self.epoch, self.step = payload["epoch"], payload["step"]
        updates = payload.get("updates", {"D": self.step * self.d_steps, "G": self.step})
        self.d_updates, self.g_updates = updates["D"], updates["G"]
        self.history = History.from_state_dict(payload["history"], across_processes=self.processes.averaging)
        self.fixed_noise = payload["fixed_noise"].to(self.device)
        self.fixed_labels = payload.get("fixed_labels")
        self.rng.set_state(payload["rng"]["trainer"])
        generator = getattr(self.batches, "generator", None)
        if generator is not None and payload["rng"]["batches"] is not None:
            generator.set_state(payload["rng"]["batches"])
        self.files.continue_run(path, payload)       # saving again continues that run's file
        if self.processes.is_main:
            print(resume_report(path, self.epoch, self.step, self.settings, payload["run"].get("settings")))
        return self


def _length(batches) -> int | None:
    """Steps in an epoch of ``batches``, or None when it cannot tell (an iterable dataset)."""
    try:
        return len(batches)
    except TypeError:
        return None
