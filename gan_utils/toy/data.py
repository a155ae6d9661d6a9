"""2D toy distributions for lesson 07: few enough dimensions to draw everything a GAN does."""
import math

import torch

TOY_DATASETS = ("ring", "grid", "spiral")
MODE_STD = 0.05  # the spread of each Gaussian blob of "ring" and "grid"


def mode_centers(name: str) -> torch.Tensor | None:
    """The blob centres (K, 2) of a mixture dataset: 8 on a circle of radius 2 for "ring",
    a 5x5 lattice with spacing 1 for "grid"; None for "spiral", which has no separate modes."""
    _check_name(name)
    if name == "ring":
        angles = torch.arange(8) * (2 * math.pi / 8)
        return 2.0 * torch.stack([angles.cos(), angles.sin()], dim=1)          # (8, 2)
    if name == "grid":
        coords = torch.arange(-2.0, 3.0)
        return torch.cartesian_prod(coords, coords)                             # (25, 2)
    return None


def sample_toy(name: str, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` points (n, 2) from the named toy distribution (see TOY_DATASETS)."""
    _check_name(name)
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive whole number of points, got {n!r}")
    centers = mode_centers(name)
    if centers is not None:  # a mixture of equal Gaussians: pick a blob, add its noise
        which = torch.randint(len(centers), (n,), generator=generator)
        return centers[which] + MODE_STD * torch.randn(n, 2, generator=generator)
    t = torch.rand(n, generator=generator).sqrt()        # more points further out, as the arm widens
    angle = 3 * math.pi * t                               # one and a half turns
    radius = 0.3 + 2.2 * t
    points = torch.stack([radius * angle.cos(), radius * angle.sin()], dim=1)
    return points + 0.08 * torch.randn(n, 2, generator=generator)


def _check_name(name: str) -> None:
    if name not in TOY_DATASETS:
        raise ValueError(f"unknown toy dataset {name!r}; choose one of {', '.join(TOY_DATASETS)}")
