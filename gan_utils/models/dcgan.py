"""DCGAN: transposed convolutions up, strided convolutions down, BatchNorm and LeakyReLU.

Two configurations: 28x28 digits (the CPU default) and the original 64x64 one (faces), chosen
with ``image_size``. ``weights_init`` applies the DCGAN paper's initialization.
``DCGANDiscriminator(spectral_norm=True)`` swaps D's BatchNorm for spectral normalization: the
discriminator the shipped pretrained DCGAN was trained with (lesson 04, section 8, shows what runs
of equal epochs do and do not show about it).
"""
import numbers

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

from ..arguments import check_whole_number
from .config import record_config
from .inputs import guard_inputs, image_input, latent_input

IMAGE_SIZES = (28, 64)


def _check_size(image_size: int) -> None:
    """Refuse an image size the two configurations cannot build."""
    whole = isinstance(image_size, numbers.Integral) and not isinstance(image_size, bool)
    if not whole or image_size not in IMAGE_SIZES:
        raise ValueError(f"image_size must be 28 (MNIST digits) or 64 (the original DCGAN), "
                         f"got {image_size!r}; resize your images to one of these.")


def _check_widths(channels: int, width: int | None, name: str) -> None:
    """Refuse zero, negative or fractional channel counts before torch builds empty layers."""
    check_whole_number(channels, "channels")
    if width is not None:
        check_whole_number(width, name)


def _up(in_channels: int, out_channels: int, kernel: int, stride: int, padding: int) -> list[nn.Module]:
    """Transposed conv -> BatchNorm -> ReLU: one generator block."""
    return [nn.ConvTranspose2d(in_channels, out_channels, kernel, stride, padding, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU(True)]


def _judging(conv: nn.Conv2d, spectral_norm: bool) -> nn.Module:
    """A discriminator conv, spectrally normalized when asked (its weight, reshaped to a matrix, divided
    by an estimate of its largest singular value: roughly, not exactly, a stretch of at most 1)."""
    return _spectral_norm(conv) if spectral_norm else conv


def _down(in_channels: int, out_channels: int, batch_norm: bool = True,
          spectral_norm: bool = False, bias: bool = False) -> list[nn.Module]:
    """Strided conv (halves height and width) -> BatchNorm -> LeakyReLU(0.2): one discriminator block.
    With ``spectral_norm`` the conv is spectrally normalized and there is no BatchNorm."""
    layers = [_judging(nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=bias), spectral_norm)]
    if batch_norm and not spectral_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers.append(nn.LeakyReLU(0.2, inplace=True))
    return layers


class DCGANGenerator(nn.Module):
    """z (N, latent_dim) -> images (N, channels, image_size, image_size) in [-1, 1]."""

    def __init__(self, latent_dim: int = 100, image_size: int = 28, channels: int = 1,
                 ngf: int | None = None):
        super().__init__()
        _check_size(image_size)
        latent_dim = check_whole_number(latent_dim, "latent_dim")
        _check_widths(channels, ngf, "ngf")
        ngf = ngf or (32 if image_size == 28 else 64)
        record_config(self, latent_dim=latent_dim, image_size=image_size, channels=channels, ngf=ngf)
        if image_size == 28:
            self.net = nn.Sequential(
                *_up(latent_dim, ngf * 4, 7, 1, 0),        # (N, 128, 7, 7)
                *_up(ngf * 4, ngf * 2, 4, 2, 1),           # (N, 64, 14, 14)
                nn.ConvTranspose2d(ngf * 2, channels, 4, 2, 1, bias=False),  # (N, 1, 28, 28)
                nn.Tanh(),
            )
        else:  # the original DCGAN: 5 transposed-conv blocks from 1x1 to 64x64
            self.net = nn.Sequential(
                *_up(latent_dim, ngf * 8, 4, 1, 0),        # (N, 512, 4, 4)
                *_up(ngf * 8, ngf * 4, 4, 2, 1),           # (N, 256, 8, 8)
                *_up(ngf * 4, ngf * 2, 4, 2, 1),           # (N, 128, 16, 16)
                *_up(ngf * 2, ngf, 4, 2, 1),               # (N, 64, 32, 32)
                nn.ConvTranspose2d(ngf, channels, 4, 2, 1, bias=False),      # (N, 3, 64, 64)
                nn.Tanh(),
            )
        guard_inputs(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.view(len(z), self.latent_dim, 1, 1))  # z as a 1x1 image with latent_dim channels

    def check_inputs(self, z):
        """z as a float tensor (N, latent_dim) on G's device (run before forward, see inputs.py)."""
        return (latent_input(z, self),)


class DCGANDiscriminator(nn.Module):
    """images (N, channels, image_size, image_size) in [-1, 1] -> one logit per image (N, 1).

    ``spectral_norm=True``: every conv is spectrally normalized (its weight divided by an estimate of
    its largest singular value) and D has no BatchNorm, so D does not judge an image partly by its
    batch. The shipped pretrained DCGAN uses it; lesson 04, section 8, compares it with the classic
    recipe at equal epochs.
    ``bias=True`` gives the convolutions biases. Without BatchNorm (which brings its own shift) a
    bias-free D gives every all-grey image the logit 0 ("unsure"), a place a generator can hide in.
    """

    def __init__(self, image_size: int = 28, channels: int = 1, ndf: int | None = None,
                 spectral_norm: bool = False, bias: bool = False):
        super().__init__()
        _check_size(image_size)
        _check_widths(channels, ndf, "ndf")
        ndf = ndf or (32 if image_size == 28 else 64)
        record_config(self, image_size=image_size, channels=channels, ndf=ndf, spectral_norm=spectral_norm,
                      bias=bias)
        sn, b = spectral_norm, bias
        if image_size == 28:
            self.net = nn.Sequential(
                *_down(channels, ndf, batch_norm=False, spectral_norm=sn, bias=b),  # (N, 32, 14, 14)  no BatchNorm on the input layer
                *_down(ndf, ndf * 2, spectral_norm=sn, bias=b),                     # (N, 64, 7, 7)
                _judging(nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=b), sn),               # (N, 1, 1, 1)
                nn.Flatten(),                                               # (N, 1) logit
            )
        else:
            self.net = nn.Sequential(
                *_down(channels, ndf, batch_norm=False, spectral_norm=sn, bias=b),  # (N, 64, 32, 32)
                *_down(ndf, ndf * 2, spectral_norm=sn, bias=b),                     # (N, 128, 16, 16)
                *_down(ndf * 2, ndf * 4, spectral_norm=sn, bias=b),                 # (N, 256, 8, 8)
                *_down(ndf * 4, ndf * 8, spectral_norm=sn, bias=b),                 # (N, 512, 4, 4)
                _judging(nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=b), sn),               # (N, 1, 1, 1)
                nn.Flatten(),                                               # (N, 1) logit
            )

        guard_inputs(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)

    def check_inputs(self, images):
        """Images (N, channels, size, size) in [-1, 1] on D's device (run before forward)."""
        return (image_input(images, self, self.channels, self.image_size),)


def weights_init(module: nn.Module) -> None:
    """DCGAN initialization, used as ``G.apply(weights_init)``: conv weights ~ N(0, 0.02²) (conv
    biases, where there are any, 0), BatchNorm scales ~ N(1, 0.02²) and shifts 0 (0.02: the std)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        weight = (module.parametrizations.weight.original if parametrize.is_parametrized(module, "weight")
                  else module.weight)  # a spectrally normalized conv keeps its raw weight here
        nn.init.normal_(weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
