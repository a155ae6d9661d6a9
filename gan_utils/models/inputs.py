"""Input checks shared by the models: catch a wrong latent size or image shape where it happens."""
import torch

from ..data.pixels import check_image_batch


class LatentShapeError(ValueError):
    """A latent batch z that does not have the shape (N, latent_dim) the generator was built for."""


def check_latent(z, latent_dim: int) -> None:
    """Raise LatentShapeError unless ``z`` is a float tensor shaped (N, latent_dim) (or (N, latent_dim, 1, 1))."""
    if not isinstance(z, torch.Tensor):
        raise LatentShapeError(f"z should be a torch.Tensor shaped (N, {latent_dim}), "
                               f"got {type(z).__name__}; use torch.randn(N, {latent_dim}).")
    shape = tuple(z.shape)
    flat = z.dim() == 2 or (z.dim() == 4 and shape[2:] == (1, 1))
    if not flat or shape[1] != latent_dim:
        hint = f" For one vector use z.unsqueeze(0)." if z.dim() == 1 and shape[0] == latent_dim else ""
        raise LatentShapeError(f"z should be shaped (N, {latent_dim}) for this generator "
                               f"(latent_dim={latent_dim}), got {shape}.{hint}")
    if not z.is_floating_point():
        raise LatentShapeError(f"z should hold floats (torch.randn), got dtype {z.dtype}.")


def check_model_input(images, channels: int, size: int, name: str = "images") -> None:
    """The images a discriminator gets: (N, channels, size, size) floats in [-1, 1]."""
    check_image_batch(images, channels=channels, size=size, name=name)
