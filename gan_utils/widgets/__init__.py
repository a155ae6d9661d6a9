"""Widgets: the sliders of lesson 06's latent explorer (with the plain state class behind them)
and lesson 07's toy GAN stepper, each carrying a still picture for pages without a kernel.
The latent-space math they use is in ``gan_utils.latent``."""
from .explorer import LatentExplorer, Throttle
from .picture import WithPicture, figure_png, interactive_with_picture
from .stepper import build_toy_stepper
from .ui import build_latent_explorer

__all__ = ["LatentExplorer", "Throttle", "WithPicture", "build_latent_explorer", "build_toy_stepper",
           "figure_png", "interactive_with_picture"]
