"""Latent-space exploration (lesson 06): the math and the state behind the sliders."""
from .explorer import LatentExplorer, Throttle
from .latent import ink_change, interpolation_path, lerp, principal_directions, random_directions, slerp
from .ui import build_latent_explorer

__all__ = ["LatentExplorer", "Throttle", "build_latent_explorer", "ink_change", "interpolation_path", "lerp", "principal_directions",
           "random_directions", "slerp"]
