"""The models' input guards: a wrong latent size, image shape, dtype, device or range caught with
the course's message before the network sees it, so each model's ``forward`` is the network alone.

Every course model calls ``guard_inputs(self)`` in its ``__init__``: its ``check_inputs`` method
then runs before each forward pass (a forward pre-hook), converting numpy arrays and float64 and
checking what the network needs. Shape, dtype and device checks are free (they read metadata).
Value checks (images in [-1, 1], labels in range) read the data back to the host, a pause for a
GPU on every call, so a trainer checks values once when it starts and switches them off for its
loop with ``values_checked_once(G, D)``. The viz and widgets reuse ``check_images`` and
``as_tensor`` from here.
"""
import numbers
import os
import sys
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from ..data.pixels import check_image_batch, range_error


def guard_inputs(model: nn.Module) -> None:
    """Run ``model.check_inputs(*inputs)`` before every call of ``model``; it returns the inputs
    made ready. A model in training mode with BatchNorm warns when given a batch of one."""
    model.check_values = True
    model.register_forward_pre_hook(_check_inputs)


def _check_inputs(model: nn.Module, inputs: tuple):
    if not inputs:        # called with keywords only: the network gets them unchecked
        return None
    inputs = model.check_inputs(*inputs)
    warn_if_one_trains_batch_norm(model, len(inputs[0]))
    return inputs


@contextmanager
def values_checked_once(*models: nn.Module):
    """Inside the block these models check shapes only (the caller has checked the values)."""
    guarded = [m for model in models for m in model.modules() if hasattr(m, "check_values")]
    before = [m.check_values for m in guarded]
    for m in guarded:
        m.check_values = False
    try:
        yield
    finally:
        for m, value in zip(guarded, before):
            m.check_values = value


class LatentShapeError(ValueError):
    """A latent batch z that does not have the shape (N, latent_dim) the generator was built for."""


class DeviceMismatchError(ValueError):
    """An input on another device than the model (say z on the CPU, G on the GPU)."""


def check_image_shape(image_shape) -> tuple[int, int, int]:
    """An MLP's image shape: (channels, size, size) whole numbers, such as (1, 28, 28)."""
    shape = tuple(image_shape) if isinstance(image_shape, (tuple, list, torch.Size)) else None
    if (shape is None or len(shape) != 3 or shape[1] != shape[2]
            or any(isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1 for d in shape)):
        raise ValueError(f"image_shape should be (channels, size, size), such as (1, 28, 28) for "
                         f"MNIST digits; got {image_shape!r}")
    return tuple(int(d) for d in shape)


def as_tensor(x):
    """A numpy array becomes a tensor (what ``torch.from_numpy`` gives); anything else is returned as is."""
    return torch.as_tensor(x) if isinstance(x, np.ndarray) else x


def to_model(x, model: nn.Module, name: str):
    """``x`` made ready for ``model``: numpy arrays become tensors and floats take the model's dtype
    (float64 from numpy works like float32); a tensor on another device is refused."""
    x = as_tensor(x)
    param = next(model.parameters(), None)
    if not isinstance(x, torch.Tensor) or param is None:
        return x
    if x.device != param.device:
        make = f" (or make it there: torch.randn(..., device='{param.device}'))" if name == "z" else ""
        raise DeviceMismatchError(f"{name} is on {x.device}, but {type(model).__name__} is on "
                                  f"{param.device}: move {name} there first with "
                                  f"{name}.to('{param.device}'){make}.")
    if x.is_floating_point() and x.dtype != param.dtype:
        x = x.to(param.dtype)
    return x


def warn_if_one_trains_batch_norm(model: nn.Module, count: int) -> None:
    """Warn when a model in training mode with BatchNorm gets a batch of one: BatchNorm then
    normalizes that one sample by itself (not what eval mode draws) and learns its statistics from
    it. The guard calls it after the input checks."""
    if count != 1 or not model.training:
        return
    from ..train.steps import has_batch_norm  # here, not at the top: train imports the models
    if has_batch_norm(model):
        warnings.warn(f"{type(model).__name__} is in training mode and got a batch of one: its "
                      f"BatchNorm layers normalize that single sample by itself and update their "
                      f"running statistics with it. To draw or judge one at a time, call .eval() "
                      f"first (and .train() before training again); to train, use batches of 2 or "
                      f"more.", UserWarning, stacklevel=_first_outside_torch())


def _first_outside_torch() -> int:
    """The stack level of the line that called the model (past the models and torch's module call)."""
    frame, level = sys._getframe(2), 2
    models = os.path.dirname(__file__)
    while frame is not None and (frame.f_code.co_filename.startswith(models)
                                 or "torch" + os.sep + "nn" + os.sep in frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    return level


def check_latent(z, latent_dim: int) -> None:
    """Raise LatentShapeError unless ``z`` is a float tensor shaped (N, latent_dim) (or (N, latent_dim, 1, 1))."""
    if not isinstance(z, torch.Tensor):
        raise LatentShapeError(f"z should be a torch.Tensor shaped (N, {latent_dim}), "
                               f"got {type(z).__name__}; use torch.randn(N, {latent_dim}).")
    shape = tuple(z.shape)
    flat = z.dim() == 2 or (z.dim() == 4 and shape[2:] == (1, 1))
    if not flat or shape[1] != latent_dim:
        raise LatentShapeError(f"z should be shaped (N, {latent_dim}) for this generator "
                               f"(latent_dim={latent_dim}), got {shape}.{_latent_hint(z, latent_dim)}")
    if not z.is_floating_point():
        raise LatentShapeError(f"z should hold floats (torch.randn), got dtype {z.dtype}.")


def _latent_hint(z: torch.Tensor, latent_dim: int) -> str:
    """How to reshape a z that holds the right numbers in the wrong shape (or nothing)."""
    if z.dim() == 1 and z.numel() == latent_dim:
        return " For one vector use z.unsqueeze(0)."
    if z.dim() > 2 and len(z) and z.numel() == len(z) * latent_dim:
        return f" Reshape it with z.view(len(z), {latent_dim})."
    return ""


def latent_input(z, model: nn.Module) -> torch.Tensor:
    """z made ready for a generator with ``model.latent_dim``: converted like ``to_model``, then checked."""
    z = to_model(z, model, "z")
    check_latent(z, model.latent_dim)
    return z


def check_images(images, channels: int | None = None, size: int | None = None,
                 name: str = "images", values: bool = True) -> None:
    """``check_image_batch`` with the range diagnosed as a discriminator's input: it also tells a
    generator without a final Tanh apart from real images that still need normalizing."""
    check_image_batch(images, channels=channels, size=size, name=name, value_range=None)
    if values and images.numel():
        error = range_error(images, name, seen_by="D")
        if error is not None:
            raise error


def image_input(images, model: nn.Module, channels: int, size: int) -> torch.Tensor:
    """Images made ready for a discriminator: converted like ``to_model``, then checked:
    (N, channels, size, size) floats, in [-1, 1] unless the values were checked already."""
    images = to_model(images, model, "images")
    check_images(images, channels, size, values=model.check_values)
    return images
