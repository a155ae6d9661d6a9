"""Input checks shared by the models: catch a wrong latent size or image shape where it happens.

Shape checks are free (they read ``.shape``). Value checks (images in [-1, 1], labels in range)
read the data back to the host, a pause for a GPU on every call, so a trainer checks values once
when it starts and switches them off for its loop with ``values_checked_once()``.
"""
from contextlib import contextmanager

import torch

from ..data.pixels import check_image_batch

_value_checks = {"on": True}


def value_checks_on() -> bool:
    """True unless a training loop has already checked the values of its data."""
    return _value_checks["on"]


@contextmanager
def values_checked_once():
    """Inside the block the models check shapes only (the caller has checked the values)."""
    before = _value_checks["on"]
    _value_checks["on"] = False
    try:
        yield
    finally:
        _value_checks["on"] = before


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
    check_image_batch(images, channels=channels, size=size, name=name,
                      value_range="[-1, 1]" if value_checks_on() else None)
