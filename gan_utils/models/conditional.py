"""Conditional DCGAN: both players are told which digit to draw or judge.

The generator gets z with a one-hot label appended; the discriminator gets the image with the
label painted as one extra map per class (1 + 10 input channels for digits) and judges whether the
image is a real digit of that label rather than G's drawing of it. Trained the plain way, it never
sees a real image with a wrong label, so nothing teaches it to reject one (lesson 05, section 8).
"""
import torch
from torch import nn
from torch.nn import functional as F

from ..arguments import check_whole_number
from .config import record_config
from .dcgan import DCGANDiscriminator, DCGANGenerator
from .inputs import as_tensor, guard_inputs, image_input, latent_input, to_model, warn_if_one_trains_batch_norm


class LabelError(ValueError):
    """Class labels that are not integers in 0..num_classes-1, one per image."""


def check_labels(labels, count: int, num_classes: int, values: bool = True) -> torch.Tensor:
    """Integer labels (N,) in 0..num_classes-1, one per item of the batch, returned as int64 (what
    one_hot needs): int32 or uint8 labels, and numpy arrays of them, work like int64 ones. The
    range is checked with ``values`` (it reads the labels back from the device)."""
    labels = as_tensor(labels)
    if not isinstance(labels, torch.Tensor):
        raise LabelError(f"labels should be a tensor of digits such as torch.tensor([3, 7]), "
                         f"got {type(labels).__name__}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise LabelError(f"labels are digit classes 0..{num_classes - 1} as integers, e.g. "
                         f"torch.tensor([3, 7]) or labels.long(); got dtype {labels.dtype}.")
    if labels.dim() != 1:
        hint = " For a single label use torch.tensor([3])." if labels.dim() == 0 else ""
        raise LabelError(f"labels should be integers shaped (N,), e.g. torch.tensor([3, 7]); got "
                         f"shape {tuple(labels.shape)} (one-hot vectors are made inside the model).{hint}")
    if len(labels) != count:
        raise LabelError(f"got {len(labels)} labels for {count} items: give one label per item")
    if values and len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise LabelError(f"labels must be in 0..{num_classes - 1}, got values from "
                         f"{labels.min().item()} to {labels.max().item()}")
    return labels.long()


def _check_class_weights(class_weights, count: int, num_classes: int) -> torch.Tensor:
    """Soft labels: a float tensor (count, num_classes), one weight per class for each z."""
    class_weights = as_tensor(class_weights)
    if not isinstance(class_weights, torch.Tensor):
        raise ValueError(f"class_weights should be a tensor shaped ({count}, {num_classes}), e.g. "
                         f"F.one_hot(labels, {num_classes}).float(); got {type(class_weights).__name__}")
    if class_weights.shape != (count, num_classes):
        raise ValueError(f"class_weights must have shape ({count}, {num_classes}), one weight "
                         f"per digit for each z; got {tuple(class_weights.shape)}")
    return class_weights


class ConditionalDCGANGenerator(nn.Module):
    """(z (N, latent_dim), labels (N,)) -> images (N, channels, image_size, image_size) in [-1, 1]."""

    def __init__(self, latent_dim: int = 100, num_classes: int = 10, image_size: int = 28,
                 channels: int = 1, ngf: int | None = None):
        super().__init__()
        latent_dim = check_whole_number(latent_dim, "latent_dim")
        num_classes = check_whole_number(num_classes, "num_classes")
        body = DCGANGenerator(latent_dim + num_classes, image_size, channels, ngf)
        record_config(self, latent_dim=latent_dim, num_classes=num_classes, image_size=image_size,
                      channels=channels, ngf=body.ngf)
        self.net = body.net  # the DCGAN generator, with latent_dim + num_classes input channels
        guard_inputs(self)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self._draw(z, F.one_hot(labels, self.num_classes).to(z.dtype))

    def check_inputs(self, z, labels):
        """z (N, latent_dim) floats and N labels in 0..num_classes-1 (run before forward)."""
        z = latent_input(z, self)
        return z, check_labels(to_model(labels, self, "labels"), len(z), self.num_classes, self.check_values)

    def from_class_weights(self, z: torch.Tensor, class_weights: torch.Tensor) -> torch.Tensor:
        """Draw from a *soft* label: ``class_weights`` (N, num_classes) in place of the one-hot,
        for example 0.7 of a 3 and 0.3 of an 8 (lesson 06 blends digits this way)."""
        z = latent_input(z, self)
        warn_if_one_trains_batch_norm(self, len(z))
        return self._draw(z, _check_class_weights(class_weights, len(z), self.num_classes))

    def _draw(self, z: torch.Tensor, class_weights: torch.Tensor) -> torch.Tensor:
        """G's images for checked z and (N, num_classes) class weights."""
        z_and_label = torch.cat([z.flatten(1), class_weights.to(z.device, z.dtype)], dim=1)  # (N, 110)
        return self.net(z_and_label[:, :, None, None])                     # (N, 1, 28, 28)


class ConditionalDCGANDiscriminator(nn.Module):
    """(images (N, channels, size, size), labels (N,)) -> one logit per image (N, 1).

    ``spectral_norm`` and ``bias`` work as in ``DCGANDiscriminator``.
    """

    def __init__(self, num_classes: int = 10, image_size: int = 28, channels: int = 1,
                 ndf: int | None = None, spectral_norm: bool = False, bias: bool = False):
        super().__init__()
        num_classes = check_whole_number(num_classes, "num_classes")
        channels = check_whole_number(channels, "channels")
        body = DCGANDiscriminator(image_size, channels + num_classes, ndf, spectral_norm, bias)
        record_config(self, num_classes=num_classes, image_size=image_size, channels=channels,
                      ndf=body.ndf, spectral_norm=spectral_norm, bias=bias)
        self.net = body.net  # the DCGAN discriminator, with channels + num_classes input maps
        guard_inputs(self)

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        n, _, height, width = images.shape
        label_maps = F.one_hot(labels, self.num_classes).to(images.dtype)  # (N, 10)
        label_maps = label_maps[:, :, None, None].expand(n, self.num_classes, height, width)
        return self.net(torch.cat([images, label_maps], dim=1))            # (N, 11, 28, 28) -> (N, 1)

    def check_inputs(self, images, labels):
        """Images (N, channels, size, size) in [-1, 1] and N labels in 0..num_classes-1."""
        images = image_input(images, self, self.channels, self.image_size)
        return images, check_labels(to_model(labels, self, "labels"), len(images), self.num_classes,
                                    self.check_values)
