"""A "generator" that only copies: lesson 09's memoriser, the perfect cheat that the Frechet distance
against its own training digits cannot tell from a real GAN (the memorisation check can)."""
import torch
from torch import nn

from ..data.pixels import check_image_batch


class CopyingGenerator(nn.Module):
    """z (N, latent_dim) -> training images (N, C, H, W): each code picks one of ``images``, through
    the normal CDF of its first number (a uniform index for z ~ N(0, I)). It learns nothing and draws
    nothing new; it has G's interface (``latent_dim``, a parameter, eval/train) so scores accept it."""

    def __init__(self, images: torch.Tensor, latent_dim: int = 100):
        super().__init__()
        check_image_batch(images, name="images")
        if len(images) == 0:
            raise ValueError("CopyingGenerator needs at least one image to copy.")
        self.latent_dim = latent_dim
        self.images = nn.Parameter(images.detach().clone(), requires_grad=False)   # (M, C, H, W)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        uniform = torch.special.ndtr(z[:, 0])                               # (N,) in [0, 1]
        index = (uniform * len(self.images)).long().clamp(max=len(self.images) - 1)
        return self.images[index]                                           # (N, C, H, W)
