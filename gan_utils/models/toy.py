"""Small MLPs for the 2D toy GAN of lesson 07: points in the plane instead of images."""
import torch
from torch import nn

from .inputs import check_latent


def _mlp(sizes: list[int], activation) -> nn.Sequential:
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
        self.config = dict(latent_dim=latent_dim, hidden_dim=hidden_dim, depth=depth)
        self.latent_dim = latent_dim
        self.net = _mlp([latent_dim] + [hidden_dim] * depth + [2], nn.ReLU)  # (N, 2)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_latent(z, self.latent_dim)
        return self.net(z)


class ToyDiscriminator(nn.Module):
    """points (N, 2) -> one logit per point (N, 1); also serves as a WGAN critic (a raw score)."""

    def __init__(self, hidden_dim: int = 128, depth: int = 3):
        super().__init__()
        self.config = dict(hidden_dim=hidden_dim, depth=depth)
        self.net = _mlp([2] + [hidden_dim] * depth + [1], nn.ReLU)           # (N, 1)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        if not isinstance(points, torch.Tensor) or points.dim() != 2 or points.shape[1] != 2:
            shape = tuple(points.shape) if isinstance(points, torch.Tensor) else type(points).__name__
            raise ValueError(f"the toy discriminator judges points shaped (N, 2), got {shape}")
        return self.net(points)
