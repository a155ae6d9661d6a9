"""How a run spreads over processes: alone (``OneProcess``, every lesson) or under ``torchrun``
(``Processes``, DistributedDataParallel). ``GANTrainer`` asks its process adapter where to run,
what to wrap, which rows of a batch are its own and how to average a figure; the loop is the same.

``torchrun --nproc_per_node=N`` starts N copies of a script and tells each its place (``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK``). Each process owns one GPU (or a share of the CPU, with the gloo
backend), reads its own slice of every epoch (a ``DistributedSampler``) and computes gradients on
it; DDP averages the gradients of all processes before each optimizer step, so every copy of the
models stays identical. The batch size is the total over all processes, each epoch is shuffled
from the seed, and every process draws the whole batch's z and keeps its own rows, so a run may
resume on another number of processes, and for models without BatchNorm it is the same run on
any number of them (tested: 2 x 8 images = 1 x 16). With BatchNorm each process normalizes over
its own share of the batch (``SyncBatchNorm`` shares the statistics). torchrun trains the BCE
GANs of ``scripts/train_dcgan.py``; WGAN-GP's penalty is not drawn per whole batch.
"""
import inspect
import os
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

from ..settings import get_device
from .checkpoint import CheckpointError, load_model


class OneProcess:
    """A run alone on one device: the models as they are, every row of a batch its own.
    ``amp=True`` computes the forward passes and losses in bfloat16 (autocast)."""
    world_size, rank, is_main = 1, 0, True

    def __init__(self, device: str | torch.device | None = None, amp: bool = False):
        self.device = get_device(device)
        self.amp = amp

    def wrap(self, model: nn.Module) -> nn.Module:
        return model

    def own_rows(self, whole: torch.Tensor) -> torch.Tensor:
        """This process's rows of a tensor drawn for the whole batch."""
        return whole[self.rank::self.world_size]

    def mean(self, values: torch.Tensor) -> torch.Tensor:
        """The average of ``values`` over all processes."""
        return values

    @property
    def averaging(self):
        """What averages the history's figures over the processes: nothing when alone."""
        return None if self.world_size == 1 else self.mean

    def barrier(self) -> None:
        pass

    def close(self) -> None:
        pass

    def autocast(self):
        """Where the forward passes and losses run: in bfloat16 with ``amp``, else as they are."""
        if not self.amp:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)


class Processes(OneProcess):
    """This process's place in a torchrun job, its device, and DDP; without torchrun, the same
    as ``OneProcess`` (rank 0 of 1)."""

    def __init__(self, device: str | None = None, amp: bool = False, timeout_minutes: float = 30):
        self.world_size = int(os.environ.get("WORLD_SIZE", 1))
        self.rank = int(os.environ.get("RANK", 0))
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        self.is_main = self.rank == 0            # rank 0 alone writes files and prints
        self.amp = amp
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

    def wrap(self, model: nn.Module) -> nn.Module:
        """``model`` in DDP when there are several processes. BatchNorm statistics stay per process
        (no buffer broadcast) unless the model was converted to ``SyncBatchNorm``."""
        if self.world_size == 1:
            return model
        device_ids = [self.device.index] if self.device.type == "cuda" else None
        no_buffer_sync = ({"forward_sync_buffers": False}   # the name since torch 2.14
                          if "forward_sync_buffers" in inspect.signature(DistributedDataParallel).parameters
                          else {"broadcast_buffers": False})
        return DistributedDataParallel(model, device_ids=device_ids, **no_buffer_sync)

    def mean(self, values: torch.Tensor) -> torch.Tensor:
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


class ShardedBatches:
    """This process's batches of a Dataset: its 1/world_size of each epoch's permutation (fixed
    by the seed and the epoch), ``batch_size // world_size`` images a batch, full batches only,
    already on the device. ``batch_size`` is the total over all processes."""

    def __init__(self, dataset, batch_size: int, processes: OneProcess, seed: int = 0, workers: int = 0,
                 channels_last: bool = False):
        if batch_size % processes.world_size:
            raise ValueError(f"--batch-size {batch_size} is the total over all processes and must "
                             f"split evenly over {processes.world_size} of them; try "
                             f"{batch_size - batch_size % processes.world_size}.")
        if len(dataset) < batch_size:
            raise ValueError(f"the data has {len(dataset)} images, fewer than one batch of "
                             f"{batch_size}; lower --batch-size.")
        self.batch_size, self.device = batch_size, processes.device
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.sampler = DistributedSampler(dataset, num_replicas=processes.world_size, rank=processes.rank,
                                          shuffle=True, seed=seed, drop_last=True)
        self.loader = DataLoader(dataset, batch_size=batch_size // processes.world_size, sampler=self.sampler,
                                 num_workers=workers, drop_last=True, pin_memory=self.device.type == "cuda")

    def set_epoch(self, epoch: int) -> None:
        """Shuffle for ``epoch`` (counted from 0): the trainer calls it before each epoch."""
        self.sampler.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for images, labels in self.loader:
            yield (images.to(self.device, non_blocking=True, memory_format=self.memory_format),
                   labels.to(self.device, non_blocking=True))


def checkpoint_path(out: Path, epoch: int) -> Path:
    return Path(out) / "checkpoints" / f"epoch_{epoch:04d}.pt"


def saved_epochs(out: Path) -> list[int]:
    """The epochs with a checkpoint in ``out/checkpoints``, in order."""
    folder = Path(out) / "checkpoints"
    return sorted(int(p.stem.split("_")[1]) for p in folder.glob("epoch_*.pt")) if folder.is_dir() else []


def saved_checkpoint(out: Path, epoch: int | str | None = None) -> Path:
    """The checkpoint of ``epoch`` (the last one when None) in ``out/checkpoints``, refused with
    the saved epochs when there is none for it."""
    epochs = saved_epochs(out)
    if not epochs:
        raise CheckpointError(f"no checkpoints in {Path(out) / 'checkpoints'}: train with "
                              f"scripts/train_dcgan.py --out {out} first.")
    epoch = epochs[-1] if epoch is None else int(epoch)
    if epoch not in epochs:
        raise CheckpointError(f"no checkpoint for epoch {epoch} in {Path(out) / 'checkpoints'}; "
                              f"saved epochs: {_ranges(epochs)}.")
    return checkpoint_path(out, epoch)


def restore_generator(out, epoch: int | str | None = None, device="cpu") -> nn.Module:
    """G as it was at the end of ``epoch`` (the last saved one by default), in eval mode: the
    seeds' ``restore_network("49")``."""
    return load_model(saved_checkpoint(Path(out), epoch), name="G", device=device)


def _ranges(epochs: list[int]) -> str:
    return ", ".join(map(str, epochs)) if len(epochs) <= 8 else f"{epochs[0]} to {epochs[-1]}"
