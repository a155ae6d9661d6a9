"""Small MLPs for the 2D toy GAN of lesson 07: points in the plane instead of images."""
import torch
from torch import nn

from ..arguments import check_whole_number
from .config import record_config
from .inputs import guard_inputs, latent_input, to_model


def _check_sizes(hidden_dim: int, depth: int) -> None:
    """Refuse a layer width below 1 or a negative number of hidden layers."""
    check_whole_number(hidden_dim, "hidden_dim")
    check_whole_number(depth, "depth", minimum=0)


def _mlp(sizes: list[int], activation) -> nn.Sequential:
    """Linear layers through ``sizes`` with ``activation`` between them (none after the last)."""
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(n_in, n_out), activation()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


class ToyGenerator(nn.Module):
    """z (N, latent_dim) -> points (N, 2) through ``depth`` hidden layers of ReLUs; no Tanh,
    since points may lie anywhere in the plane."""

    def __init__(self, latent_dim: int = 2, hidden_dim: int = 128, depth: int = 3):
        super().__init__()
        latent_dim = check_whole_number(latent_dim, "latent_dim")
        _check_sizes(hidden_dim, depth)
        record_config(self, latent_dim=latent_dim, hidden_dim=hidden_dim, depth=depth)
        self.net = _mlp([latent_dim] + [hidden_dim] * depth + [2], nn.ReLU)  # (N, 2)
        guard_inputs(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)

    def check_inputs(self, z):
        """z as a float tensor (N, latent_dim) on G's device (run before forward, see inputs.py)."""
        return (latent_input(z, self),)


class ToyDiscriminator(nn.Module):
    """points (N, 2) -> one logit per point (N, 1); also serves as a WGAN critic (a raw score)."""

    def __init__(self, hidden_dim: int = 128, depth: int = 3):
        super().__init__()
        _check_sizes(hidden_dim, depth)
        record_config(self, hidden_dim=hidden_dim, depth=depth)
        self.net = _mlp([2] + [hidden_dim] * depth + [1], nn.ReLU)           # (N, 1)
        guard_inputs(self)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        return self.net(points)

    def check_inputs(self, points):
        """Points as a float tensor (N, 2) on D's device (run before forward, see inputs.py)."""
        points = to_model(points, self, "points")
        if not isinstance(points, torch.Tensor) or points.dim() != 2 or points.shape[1] != 2:
            shape = tuple(points.shape) if isinstance(points, torch.Tensor) else type(points).__name__
            raise ValueError(f"the toy discriminator judges points shaped (N, 2), got {shape}")
        if not points.is_floating_point():
            raise ValueError(f"the toy discriminator judges points as floats, got dtype "
                             f"{points.dtype}; use points.float()")
        return (points,)
