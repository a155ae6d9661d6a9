"""Widgets: the sliders of lesson 06's latent explorer (with the plain state class behind them)
and lesson 07's toy GAN stepper. The latent-space math they use is in ``gan_utils.latent``."""
from .explorer import LatentExplorer, Throttle
from .stepper import build_toy_stepper
from .ui import build_latent_explorer

__all__ = ["LatentExplorer", "Throttle", "build_latent_explorer", "build_toy_stepper"]
