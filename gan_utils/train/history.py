"""What a training run records: whatever each step returns, and snapshots of G on fixed noise."""
import math

import torch

from ..data.pixels import denormalize, pixels_to_images


class History:
    """Per-step figures, one list per name (``history.D_x`` or ``history["D_x"]``), indexed like
    ``history.step``, and snapshots of G's output on the fixed noise.

    A step may return any figures: a GAN's ``loss_D``, ``loss_G``, ``D_x``, ``D_G_z1`` (D(G(z))
    during D's update) and ``D_G_z2`` (during G's, after D's update); WGAN-GP adds ``wasserstein``
    and ``gp``. Figures may be tensors still on the GPU: they are kept there and read back to the
    host in one go when someone looks (or every ``flush_every`` steps), so training never waits
    for a single number. Under torchrun, ``across_processes`` averages them over all processes
    as they come back: then only the loop's fixed flushes bring them (every ``flush_every`` steps,
    and ``flush()`` called by every process), and a read shows the figures flushed so far, so
    a look from rank 0 alone never waits on the other processes.
    """

    def __init__(self, flush_every: int = 100, across_processes=None):
        self._step: list[int] = []
        self._epoch: list[int] = []
        self._columns: dict[str, list[float]] = {}
        self.snapshots: list[tuple[int, torch.Tensor]] = []
        self.flush_every = flush_every
        self._pending: list[tuple[int, int, dict]] = []
        self.first_non_finite: tuple[int, int, dict] | None = None  # (step, epoch, figures) if any
        self.across_processes = across_processes

    def record(self, step: int, epoch: int, figures: dict) -> None:
        """Append one step's figures (floats or 0-dim tensors); read back later, in a batch."""
        self._pending.append((step, epoch, dict(figures)))
        if step % self.flush_every == 0:     # at the same steps in every process
            self.flush()

    def flush(self) -> None:
        """Bring the figures still waiting on the device to the host, all in one transfer."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        device = _device_of(pending)
        flat = torch.cat([torch.stack([_as_tensor(v, device) for v in figures.values()])
                          if figures else torch.zeros(0, dtype=torch.float64, device=device)
                          for _, _, figures in pending])
        if self.across_processes is not None:
            flat = self.across_processes(flat)
        flat = flat.tolist()
        start = 0
        for step, epoch, figures in pending:
            self._append(step, epoch, dict(zip(figures, flat[start:start + len(figures)])))
            start += len(figures)

    def _read_back(self) -> None:
        """Before a read: flush, unless the figures are averaged over processes (see above)."""
        if self.across_processes is None:
            self.flush()

    def _append(self, step: int, epoch: int, figures: dict[str, float]) -> None:
        if self.first_non_finite is None:
            bad = {key: value for key, value in figures.items() if not math.isfinite(value)}
            if bad:
                self.first_non_finite = (step, epoch, bad)
        for key in figures.keys() - self._columns.keys():   # a new figure: earlier steps lack it
            self._columns[key] = [math.nan] * len(self._step)
        for key, column in self._columns.items():
            column.append(float(figures.get(key, math.nan)))
        self._step.append(step)
        self._epoch.append(epoch)

    @property
    def step(self) -> list[int]:
        """The step number of each record."""
        self._read_back()
        return self._step

    @property
    def epoch(self) -> list[int]:
        """The epoch (counted from 1) each record belongs to."""
        self._read_back()
        return self._epoch

    @property
    def columns(self) -> dict[str, list[float]]:
        """Every figure recorded so far, one list per name."""
        self._read_back()
        return self._columns

    def keys(self) -> list[str]:
        """The names of the figures recorded so far."""
        return list(self.columns)

    def __contains__(self, key: str) -> bool:
        return key in self.keys()

    def __getitem__(self, key: str) -> list:
        if key in ("step", "epoch"):
            return getattr(self, key)
        if key not in self.keys():
            known = ", ".join(self.keys()) or "nothing yet: train first"
            raise KeyError(f"the history has no figure {key!r}; it has {known}")
        return self.columns[key]

    def __getattr__(self, key: str) -> list[float]:
        if key.startswith("_") or key in ("snapshots", "flush_every", "across_processes"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError as err:
            raise AttributeError(err.args[0]) from None

    def __len__(self) -> int:
        return len(self._step) + len(self._pending)

    def __eq__(self, other) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        self._read_back(), other._read_back()
        return (self.step, self.epoch, self.columns) == (other.step, other.epoch, other.columns)

    def last(self) -> dict[str, float]:
        """The most recent step's figures (empty before the first step)."""
        self._read_back()
        return {key: column[-1] for key, column in self.columns.items()} if self.step else {}

    def mean(self, key: str, last: int | None = None) -> float:
        """Average of one figure, over the last ``last`` steps or all of them."""
        if len(self) == 0:
            raise ValueError(f"no steps recorded yet, so there is no mean of {key!r}: train first")
        values = self[key][-last:] if last else self[key]
        return sum(values) / len(values)

    def add_snapshot(self, step: int, output: torch.Tensor) -> None:
        """Keep G's output after ``step`` steps: images (N, C, H, W) in [-1, 1] as 0..255 pixels
        (a quarter of the memory), anything else (the 2D lab's points) as it is, on the CPU."""
        output = output.detach().float().cpu()
        if output.dim() == 4:
            output = denormalize(output).mul(255).round().to(torch.uint8)
        self.snapshots.append((step, output))

    def frames(self) -> list[tuple[int, torch.Tensor]]:
        """The snapshots as (step, images in [-1, 1]) pairs, ready for grids and animations."""
        return [(step, pixels_to_images(kept) if kept.dtype == torch.uint8 else kept)
                for step, kept in self.snapshots]

    def state_dict(self) -> dict:
        self.flush()
        return {"step": self.step, "epoch": self.epoch, "columns": self.columns,
                "snapshots": self.snapshots}

    @classmethod
    def from_state_dict(cls, state: dict, across_processes=None) -> "History":
        history = cls(across_processes=across_processes)
        history._step, history._epoch = list(state["step"]), list(state["epoch"])
        history.snapshots = list(state.get("snapshots", []))
        columns = state.get("columns")
        if columns is None:  # written before histories kept any figure: one list per key
            columns = {k: v for k, v in state.items() if k not in ("step", "epoch", "snapshots")}
        history._columns = {key: list(values) for key, values in columns.items()}
        return history


def _as_tensor(value, device: torch.device) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().double().reshape(()).to(device)   # float32 figures stay exact
    return torch.tensor(float(value), dtype=torch.float64, device=device)


def _device_of(pending) -> torch.device:
    """Where the figures live (the first tensor's device; the CPU when all are plain numbers)."""
    for _, _, figures in pending:
        for value in figures.values():
            if isinstance(value, torch.Tensor):
                return value.device
    return torch.device("cpu")

