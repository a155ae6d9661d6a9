"""The first GAN: a two-layer MLP generator and discriminator for 28x28 digits."""
import math

import torch
from torch import nn

from ..arguments import check_whole_number
from .config import record_config
from .inputs import check_image_shape, guard_inputs, image_input, latent_input


class MLPGenerator(nn.Module):
    """z (N, 100) -> images (N, 1, 28, 28) in [-1, 1] through one hidden layer of 256 ReLUs."""

    def __init__(self, latent_dim: int = 100, hidden_dim: int = 256, image_shape=(1, 28, 28)):
        super().__init__()
        latent_dim = check_whole_number(latent_dim, "latent_dim")
        hidden_dim = check_whole_number(hidden_dim, "hidden_dim")
        image_shape = check_image_shape(image_shape)
        record_config(self, latent_dim=latent_dim, hidden_dim=hidden_dim, image_shape=tuple(image_shape))
        self.net = nn.Sequential(
            nn.Linear(latent_dim, hidden_dim),               # (N, 256)
            nn.ReLU(),
            nn.Linear(hidden_dim, math.prod(image_shape)),   # (N, 784)
            nn.Tanh(),                                       # values in (-1, 1), like the data
        )
        guard_inputs(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.flatten(1)).view(-1, *self.image_shape)  # (N, 1, 28, 28)

    def check_inputs(self, z):
        """z as a float tensor (N, latent_dim) on G's device (run before forward, see inputs.py)."""
        return (latent_input(z, self),)


class MLPDiscriminator(nn.Module):
    """images (N, 1, 28, 28) -> one score per image (N, 1).

    By default the score is a logit, for ``BCEWithLogitsLoss`` (lesson 02 shows why that is the
    stable form); ``sigmoid=True`` adds the classic final ``Sigmoid`` for ``BCELoss``.
    """

    def __init__(self, hidden_dim: int = 256, image_shape=(1, 28, 28), sigmoid: bool = False):
        super().__init__()
        hidden_dim = check_whole_number(hidden_dim, "hidden_dim")
        image_shape = check_image_shape(image_shape)
        record_config(self, hidden_dim=hidden_dim, image_shape=tuple(image_shape), sigmoid=sigmoid)
        layers = [
            nn.Flatten(),                                    # (N, 784)
            nn.Linear(math.prod(image_shape), hidden_dim),   # (N, 256)
            nn.LeakyReLU(0.2),
            nn.Linear(hidden_dim, 1),                        # (N, 1) logit
        ]
        if sigmoid:
            layers.append(nn.Sigmoid())                      # (N, 1) probability "real"
        self.net = nn.Sequential(*layers)
        guard_inputs(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)

    def check_inputs(self, images):
        """Images shaped like ``image_shape``, in [-1, 1], on D's device (run before forward)."""
        channels, size, _ = self.image_shape
        return (image_input(images, self, channels, size),)
