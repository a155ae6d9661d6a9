"""What a training run records: per-step losses and D outputs, and fixed-noise snapshots."""
from dataclasses import dataclass, field

import torch

from ..data.pixels import denormalize, pixels_to_images

STEP_KEYS = ("loss_D", "loss_G", "D_x", "D_G_z1", "D_G_z2")


@dataclass
class History:
    """Per-step figures (lists indexed like ``step``) and snapshots of G on the fixed noise.

    ``D_G_z1`` is D(G(z)) during the D step (before D's update), ``D_G_z2`` during the G step
    (after it). ``snapshots`` holds (step, pixels) pairs: uint8 (N, C, H, W) on the CPU, a quarter
    of the memory of float images; ``frames()`` gives them back as [-1, 1] images.
    """
    step: list[int] = field(default_factory=list)
    epoch: list[int] = field(default_factory=list)
    loss_D: list[float] = field(default_factory=list)
    loss_G: list[float] = field(default_factory=list)
    D_x: list[float] = field(default_factory=list)
    D_G_z1: list[float] = field(default_factory=list)
    D_G_z2: list[float] = field(default_factory=list)
    snapshots: list[tuple[int, torch.Tensor]] = field(default_factory=list)

    def record(self, step: int, epoch: int, figures: dict[str, float]) -> None:
        """Append one step's figures (a dict with every key in STEP_KEYS)."""
        self.step.append(step)
        self.epoch.append(epoch)
        for key in STEP_KEYS:
            getattr(self, key).append(float(figures[key]))

    def add_snapshot(self, step: int, images: torch.Tensor) -> None:
        """Keep G's images (N, C, H, W) in [-1, 1] after ``step`` steps, stored as 0..255 pixels."""
        pixels = denormalize(images.detach().float().cpu()).mul(255).round().to(torch.uint8)
        self.snapshots.append((step, pixels))

    def frames(self) -> list[tuple[int, torch.Tensor]]:
        """The snapshots as (step, images in [-1, 1]) pairs, ready for grids and animations."""
        return [(step, pixels_to_images(pixels)) for step, pixels in self.snapshots]

    def __len__(self) -> int:
        return len(self.step)

    def last(self) -> dict[str, float]:
        """The most recent step's figures (empty before the first step)."""
        return {key: getattr(self, key)[-1] for key in STEP_KEYS} if self.step else {}

    def mean(self, key: str, last: int | None = None) -> float:
        """Average of one figure, over the last ``last`` steps or all of them."""
        values = getattr(self, key)[-last:] if last else getattr(self, key)
        if not values:
            raise ValueError(f"no steps recorded yet, so there is no mean of {key!r}")
        return sum(values) / len(values)

    def state_dict(self) -> dict:
        return {"step": self.step, "epoch": self.epoch, "snapshots": self.snapshots,
                **{key: getattr(self, key) for key in STEP_KEYS}}

    @classmethod
    def from_state_dict(cls, state: dict) -> "History":
        return cls(**{key: list(value) for key, value in state.items()})
