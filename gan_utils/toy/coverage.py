"""How many modes does a generator cover? The numbers behind "mode collapse" on the toy data."""
from dataclasses import dataclass

import torch

from ..language import say
from .data import MODE_STD


@dataclass
class Coverage:
    """``modes_covered`` of ``num_modes`` (a mode counts when it gets at least ``min_share`` of
    the samples), ``good_share``: the share of samples within 3 standard deviations of some
    mode's centre, and ``counts``: samples near each mode."""
    modes_covered: int
    num_modes: int
    good_share: float
    counts: list[int]

    def __str__(self) -> str:
        share = f"{self.good_share:.0%}"
        return say(f"{self.modes_covered} of {self.num_modes} modes covered, {share} of the points near a mode",
                   f"覆盖了 {self.num_modes} 个模式中的 {self.modes_covered} 个，{share} 的点靠近某个模式")


def mode_coverage(points: torch.Tensor, centers: torch.Tensor, std: float = MODE_STD,
                  min_share: float | None = None) -> Coverage:
    """Assign each point to its nearest centre if it lies within 3 std of it, then count.

    ``min_share`` defaults to a quarter of a fair share (1 / (4 K)): a mode visited that rarely is
    not really drawn."""
    points = points.detach().float().cpu()
    if points.dim() != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"points should be a non-empty (N, 2) tensor, got {tuple(points.shape)}")
    distances = torch.cdist(points, centers.float())                    # (N, K)
    nearest, which = distances.min(dim=1)
    good = nearest <= 3 * std
    counts = torch.bincount(which[good], minlength=len(centers))
    min_share = 1 / (4 * len(centers)) if min_share is None else min_share
    covered = int((counts >= min_share * len(points)).sum())
    return Coverage(covered, len(centers), float(good.float().mean()), counts.tolist())
