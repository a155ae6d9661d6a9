"""Training one GAN on several processes with ``torchrun``: DistributedDataParallel (DDP).

``torchrun --nproc_per_node=N`` starts N copies of a script and tells each its place
(``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``). Each process owns one GPU (or one share of the CPU,
with the gloo backend), reads its own slice of every epoch (a ``DistributedSampler``), and
computes gradients on it; DDP then averages the gradients of all processes (all-reduce) before
each optimizer step, so every copy of the models stays identical. Run without torchrun, the same
code is one process on the best device present.

The run is the same whatever the number of processes: ``batch_size`` is the total over all
processes, each epoch is shuffled from the seed, and each step's z is drawn for the whole batch
from (seed, step), so a run may resume on another number of processes.
"""
import inspect
import os
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

from ..models.sampling import evaluating, generate
from ..settings import get_device
from .checkpoint import CheckpointError, load_model, read_checkpoint, restore_model, save_checkpoint
from .health import NonFiniteError
from .history import History
from .steps import discriminator_step, generator_step

NOISE_SEED = 1_000_003        # step noise comes from a generator seeded with seed * this + step
FIGURES = ("loss_D", "loss_G", "D_x", "D_G_z1", "D_G_z2")


class Processes:
    """This process's place in a torchrun job (rank 0 of 1 without torchrun) and its device."""

    def __init__(self, device: str | None = None, timeout_minutes: float = 30):
        self.world_size = int(os.environ.get("WORLD_SIZE", 1))
        self.rank = int(os.environ.get("RANK", 0))
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        if self.world_size == 1:
            self.device = get_device(device)
            return
        wants_gpu = device is None or str(device).startswith("cuda")
        if wants_gpu and torch.cuda.is_available():
            if torch.cuda.device_count() <= self.local_rank:
                raise RuntimeError(f"torchrun started {self.world_size} processes on this machine "
                                   f"but it has {torch.cuda.device_count()} GPU(s): use "
                                   f"--nproc_per_node={torch.cuda.device_count()} or fewer.")
            self.device = torch.device("cuda", self.local_rank)
            torch.cuda.set_device(self.device)
            backend = "nccl"
        else:  # gloo: several CPU processes, each with its share of the cores
            self.device = torch.device("cpu")
            backend = "gloo"
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", 1))))
        dist.init_process_group(backend, timeout=timedelta(minutes=timeout_minutes))

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes files and prints."""
        return self.rank == 0

    def wrap(self, model: nn.Module) -> nn.Module:
        """``model`` in DDP when there are several processes. BatchNorm statistics stay per process
        (``broadcast_buffers=False``) unless the model was converted to ``SyncBatchNorm``."""
        if self.world_size == 1:
            return model
        device_ids = [self.device.index] if self.device.type == "cuda" else None
        no_buffer_sync = ({"forward_sync_buffers": False}   # the name since torch 2.14
                          if "forward_sync_buffers" in inspect.signature(DistributedDataParallel).parameters
                          else {"broadcast_buffers": False})
        return DistributedDataParallel(model, device_ids=device_ids, **no_buffer_sync)

    def loader(self, dataset, batch_size: int, epoch: int, seed: int, workers: int) -> DataLoader:
        """This process's batches of one epoch: its 1/world_size of a permutation fixed by
        (seed, epoch), ``batch_size // world_size`` images a batch (full batches only)."""
        sampler = DistributedSampler(dataset, num_replicas=self.world_size, rank=self.rank,
                                     shuffle=True, seed=seed, drop_last=True)
        sampler.set_epoch(epoch)
        return DataLoader(dataset, batch_size=batch_size // self.world_size, sampler=sampler,
                          num_workers=workers, drop_last=True, pin_memory=self.device.type == "cuda",
                          persistent_workers=False)

    def mean(self, values: torch.Tensor) -> torch.Tensor:
        """The average of ``values`` over all processes (the same tensor comes back on each)."""
        if self.world_size > 1:
            values = values.clone()
            dist.all_reduce(values)
            values /= self.world_size
        return values

    def barrier(self) -> None:
        if self.world_size > 1:
            dist.barrier()

    def close(self) -> None:
        if self.world_size > 1 and dist.is_initialized():
            dist.destroy_process_group()


@dataclass
class RunSettings:
    """What a run is: its length, its batches and its optimizer (saved in every checkpoint)."""
    epochs: int = 5
    batch_size: int = 128           # total over all processes, as the seed's DataParallel split it
    lr: float = 2e-4
    betas: tuple = (0.5, 0.999)
    lr_D: float | None = None       # D's own learning rate (two time-scales); lr when None
    seed: int = 0
    workers: int = 0
    log_every: int = 50
    max_steps: int | None = None    # stop early (smoke tests, benchmarks)
    amp: bool = False               # bf16 autocast (CUDA)
    channels_last: bool = False


def step_noise(seed: int, step: int, batch_size: int, latent_dim: int, processes: Processes) -> torch.Tensor:
    """This process's share of the whole batch's z for ``step``: rows rank, rank + W, ... of a
    (batch_size, latent_dim) draw that depends only on (seed, step), matching the sampler's order."""
    rng = torch.Generator().manual_seed(seed * NOISE_SEED + step)
    z = torch.randn(batch_size, latent_dim, generator=rng)
    return z[processes.rank::processes.world_size].to(processes.device, non_blocking=True)


def checkpoint_path(out: Path, epoch: int) -> Path:
    return Path(out) / "checkpoints" / f"epoch_{epoch:04d}.pt"


def saved_epochs(out: Path) -> list[int]:
    """The epochs with a checkpoint in ``out/checkpoints``, in order."""
    folder = Path(out) / "checkpoints"
    return sorted(int(p.stem.split("_")[1]) for p in folder.glob("epoch_*.pt")) if folder.is_dir() else []


def restore_generator(out, epoch: int | str | None = None, device="cpu") -> nn.Module:
    """G as it was at the end of ``epoch`` (the last saved one by default), in eval mode: the
    seeds' ``restore_network("49")``."""
    if not saved_epochs(Path(out)):
        raise CheckpointError(f"no checkpoints in {Path(out) / 'checkpoints'}: train with "
                              f"scripts/train_dcgan.py --out {out} first.")
    return load_model(saved_checkpoint(Path(out), epoch), name="G", device=device)


def saved_checkpoint(out: Path, epoch: int | str | None = None) -> Path:
    """The checkpoint of ``epoch`` (the last one when None) in ``out/checkpoints``, refused with
    the saved epochs when there is none for it."""
    epochs = saved_epochs(out)
    epoch = epochs[-1] if epoch is None else int(epoch)
    if epoch not in epochs:
        raise CheckpointError(f"no checkpoint for epoch {epoch} in {out / 'checkpoints'}; "
                              f"saved epochs: {_ranges(epochs)}.")
    return checkpoint_path(out, epoch)


class DistributedGANRun:
    """The seeds' loop (D on real and fake, then G on the same fakes) under DDP, with one
    checkpoint per epoch written by rank 0 and ``resume()`` from the last one."""

    def __init__(self, G: nn.Module, D: nn.Module, dataset, settings: RunSettings, out,
                 processes: Processes, fixed_noise_count: int = 64):
        self.G, self.D, self.dataset, self.settings = G, D, dataset, settings
        self.out, self.processes = Path(out), processes
        if settings.batch_size % processes.world_size:
            raise ValueError(f"--batch-size {settings.batch_size} is the total over all processes and "
                             f"must split evenly over {processes.world_size} of them; try "
                             f"{settings.batch_size - settings.batch_size % processes.world_size}.")
        if len(dataset) < settings.batch_size:
            raise ValueError(f"the data has {len(dataset)} images, fewer than one batch of "
                             f"{settings.batch_size}; lower --batch-size.")
        device = processes.device
        self.num_classes = getattr(G, "num_classes", None)
        memory = torch.channels_last if settings.channels_last else torch.contiguous_format
        G.to(device, memory_format=memory), D.to(device, memory_format=memory)
        self.G_ddp, self.D_ddp = processes.wrap(G), processes.wrap(D)
        self.opt_G = torch.optim.Adam(G.parameters(), lr=settings.lr, betas=settings.betas)
        lr_D = settings.lr if settings.lr_D is None else settings.lr_D
        self.opt_D = torch.optim.Adam(D.parameters(), lr=lr_D, betas=settings.betas)
        self.criterion = nn.BCEWithLogitsLoss()
        rng = torch.Generator().manual_seed(settings.seed + NOISE_SEED)
        self.fixed_noise = torch.randn(fixed_noise_count, G.latent_dim, generator=rng)
        self.fixed_labels = (None if self.num_classes is None else
                             torch.arange(fixed_noise_count) * self.num_classes // fixed_noise_count)
        self.history = History(flush_every=10**9)   # filled with all processes' averages
        self.epoch = self.step = 0
        self.seconds = 0.0              # wall time of the training so far, over all resumes
        self._clock = time.perf_counter()
        self._pending: list[torch.Tensor] = []

    # --- one step -------------------------------------------------------------------------------

    def train_step(self, batch) -> None:
        images, labels = batch if isinstance(batch, (tuple, list)) else (batch, None)
        device, settings = self.processes.device, self.settings
        memory = torch.channels_last if settings.channels_last else torch.contiguous_format
        x_real = images.to(device, non_blocking=True, memory_format=memory)
        labels = None if self.num_classes is None else labels.to(device, non_blocking=True)
        z = step_noise(settings.seed, self.step, settings.batch_size, self.G.latent_dim, self.processes)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=settings.amp):
            x_fake = self.G_ddp(z) if labels is None else self.G_ddp(z, labels)  # keeps G's graph
            figures = discriminator_step(self.D_ddp, self.opt_D, self.criterion, x_real, x_fake.detach(), labels)
            # G's update judges with the plain D: its gradient reaches G (whose DDP averages it),
            # and D's own gradients, which this step throws away, are not averaged for nothing
            figures |= generator_step(self.D, self.opt_G, self.criterion, x_fake, labels)
        self._pending.append(torch.stack([figures[key].float() for key in FIGURES]))
        self.step += 1

    def collect(self) -> dict[str, float] | None:
        """Average the figures waiting since the last call over all processes into the history
        (one all-reduce per call, not per step) and return the last step's."""
        if not self._pending:
            return None
        rows = self.processes.mean(torch.stack(self._pending)).cpu()     # (steps, 5)
        first = self.step - len(rows)
        for offset, row in enumerate(rows.tolist()):
            self.history.record(first + offset + 1, self.epoch, dict(zip(FIGURES, row)))
        self.history.flush()
        self._pending = []
        if self.history.first_non_finite:
            step, epoch, bad = self.history.first_non_finite
            raise NonFiniteError(f"training diverged at step {step} (epoch {epoch}): "
                                 + ", ".join(f"{k} = {v}" for k, v in bad.items())
                                 + ". Lower --lr, or resume from an earlier epoch's checkpoint.")
        return dict(zip(FIGURES, rows[-1].tolist()))

    # --- epochs and checkpoints -----------------------------------------------------------------

    def epoch_batches(self):
        return self.processes.loader(self.dataset, self.settings.batch_size, self.epoch,
                                     self.settings.seed, self.settings.workers)

    @torch.no_grad()
    def sample_fixed(self) -> torch.Tensor:
        """G's images for the fixed noise (eval mode, on the CPU), for the progress frames."""
        z = self.fixed_noise.to(self.processes.device)
        labels = None if self.fixed_labels is None else self.fixed_labels.to(self.processes.device)
        with evaluating(self.G):
            return generate(self.G, z, labels).float().cpu()

    def save(self) -> Path | None:
        """Rank 0 writes this epoch's checkpoint (atomically); the others wait for it."""
        path = checkpoint_path(self.out, self.epoch)
        now = time.perf_counter()
        self.seconds, self._clock = self.seconds + now - self._clock, now
        if self.processes.is_main:
            save_checkpoint(path, G=self.G, D=self.D, opt_G=self.opt_G, opt_D=self.opt_D,
                            epoch=self.epoch, step=self.step, seconds=self.seconds,
                            history=self.history.state_dict(),
                            settings=asdict(self.settings), world_size=self.processes.world_size,
                            fixed_noise=self.fixed_noise, fixed_labels=self.fixed_labels)
        self.processes.barrier()
        return path if self.processes.is_main else None

    def resume(self, epoch: int | None = None) -> int:
        """Load the last checkpoint in ``out`` (or ``epoch``'s) into every process; returns the
        epoch it ended, 0 when there is none yet. The optimizers' state comes back too."""
        if not saved_epochs(self.out):
            return 0
        path = saved_checkpoint(self.out, epoch)
        stored = read_checkpoint(path)
        if stored["settings"]["batch_size"] != self.settings.batch_size:
            raise CheckpointError(f"{path} was trained with --batch-size {stored['settings']['batch_size']}; "
                                  f"resume with that (the total over all processes), not "
                                  f"{self.settings.batch_size}, or start a new --out.")
        restore_model(self.G, stored["G"], "G", path)
        restore_model(self.D, stored["D"], "D", path)
        self.opt_G.load_state_dict(stored["opt_G"])
        self.opt_D.load_state_dict(stored["opt_D"])
        self.epoch, self.step = stored["epoch"], stored["step"]
        self.seconds, self._clock = stored.get("seconds", 0.0), time.perf_counter()
        self.history = History.from_state_dict(stored["history"])
        self.history.flush_every = 10**9
        self.fixed_noise = stored["fixed_noise"]
        return self.epoch


def _ranges(epochs: list[int]) -> str:
    return ", ".join(map(str, epochs)) if len(epochs) <= 8 else f"{epochs[0]} to {epochs[-1]}"
