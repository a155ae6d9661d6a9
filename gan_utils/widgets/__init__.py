"""Widgets: latent-space exploration (lesson 06), the math and the state behind the sliders, and
the toy GAN stepper (lesson 07)."""
from .explorer import LatentExplorer, Throttle
from .latent import ink_change, interpolation_path, lerp, principal_directions, random_directions, slerp
from .stepper import build_toy_stepper
from .ui import build_latent_explorer

__all__ = ["LatentExplorer", "Throttle", "build_latent_explorer", "build_toy_stepper", "ink_change", "interpolation_path", "lerp", "principal_directions",
           "random_directions", "slerp"]
