"""Conditional DCGAN: both players are told which digit to draw or judge.

The generator gets z with a one-hot label appended; the discriminator gets the image with the
label painted as one extra map per class (1 + 10 input channels for digits) and judges
"real *and* matching its label".
"""
import torch
from torch import nn
from torch.nn import functional as F

from .dcgan import DCGANDiscriminator, DCGANGenerator
from .inputs import check_latent, check_model_input, value_checks_on


class LabelError(ValueError):
    """Class labels that are not integers in 0..num_classes-1, one per image."""


def check_labels(labels, count: int, num_classes: int) -> torch.Tensor:
    """Integer labels (N,) in 0..num_classes-1, one per item of the batch."""
    if not isinstance(labels, torch.Tensor):
        raise LabelError(f"labels should be a tensor of digits such as torch.tensor([3, 7]), "
                         f"got {type(labels).__name__}")
    if labels.is_floating_point() or labels.dim() != 1:
        raise LabelError(f"labels should be integers shaped (N,), e.g. torch.tensor([3, 7]); got "
                         f"dtype {labels.dtype} and shape {tuple(labels.shape)} (one-hot vectors are "
                         f"made inside the model).")
    if len(labels) != count:
        raise LabelError(f"got {len(labels)} labels for {count} items: give one label per item")
    if value_checks_on() and len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise LabelError(f"labels must be in 0..{num_classes - 1}, got values from "
                         f"{labels.min().item()} to {labels.max().item()}")
    return labels


class ConditionalDCGANGenerator(nn.Module):
    """(z (N, latent_dim), labels (N,)) -> images (N, channels, image_size, image_size) in [-1, 1]."""

    def __init__(self, latent_dim: int = 100, num_classes: int = 10, image_size: int = 28,
                 channels: int = 1, ngf: int | None = None):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        body = DCGANGenerator(latent_dim + num_classes, image_size, channels, ngf)
        self.config = dict(latent_dim=latent_dim, num_classes=num_classes, image_size=image_size,
                           channels=channels, ngf=body.config["ngf"])
        self.net = body.net  # the DCGAN generator, with latent_dim + num_classes input channels

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        check_latent(z, self.latent_dim)
        labels = check_labels(labels, len(z), self.num_classes)
        return self.from_class_weights(z, F.one_hot(labels, self.num_classes).to(z.dtype))

    def from_class_weights(self, z: torch.Tensor, class_weights: torch.Tensor) -> torch.Tensor:
        """Draw from a *soft* label: ``class_weights`` (N, num_classes) in place of the one-hot,
        for example 0.7 of a 3 and 0.3 of an 8 (lesson 06 blends digits this way)."""
        check_latent(z, self.latent_dim)
        if class_weights.shape != (len(z), self.num_classes):
            raise ValueError(f"class_weights must have shape ({len(z)}, {self.num_classes}), one weight "
                             f"per digit for each z; got {tuple(class_weights.shape)}")
        z_and_label = torch.cat([z.flatten(1), class_weights.to(z.device, z.dtype)], dim=1)  # (N, 110)
        return self.net(z_and_label[:, :, None, None])                     # (N, 1, 28, 28)


class ConditionalDCGANDiscriminator(nn.Module):
    """(images (N, channels, size, size), labels (N,)) -> one logit per image (N, 1)."""

    def __init__(self, num_classes: int = 10, image_size: int = 28, channels: int = 1,
                 ndf: int | None = None):
        super().__init__()
        self.num_classes, self.image_size, self.channels = num_classes, image_size, channels
        body = DCGANDiscriminator(image_size, channels + num_classes, ndf)
        self.config = dict(num_classes=num_classes, image_size=image_size, channels=channels,
                           ndf=body.config["ndf"])
        self.net = body.net  # the DCGAN discriminator, with channels + num_classes input maps

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        check_model_input(images, self.channels, self.image_size)
        labels = check_labels(labels, len(images), self.num_classes)
        n, _, height, width = images.shape
        label_maps = F.one_hot(labels, self.num_classes).to(images.dtype)  # (N, 10)
        label_maps = label_maps[:, :, None, None].expand(n, self.num_classes, height, width)
        return self.net(torch.cat([images, label_maps], dim=1))            # (N, 11, 28, 28) -> (N, 1)
