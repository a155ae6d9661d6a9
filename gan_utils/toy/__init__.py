"""The 2D GAN lab of lesson 07: toy data, mode coverage, the ToyGAN and its pictures."""
from .coverage import Coverage, mode_coverage
from .data import MODE_STD, TOY_DATASETS, mode_centers, sample_toy
from .lab import TOY_LOSSES, ToyGAN
from .names import DISPLAY_NAMES, toy_name
from .view import (ToyLiveView, decision_surface, draw_centre_path, draw_toy_gan, gradient_field, mean_pull,
                   plot_toy_history, render_toy_png, toy_animation)

__all__ = ["Coverage", "DISPLAY_NAMES", "MODE_STD", "TOY_DATASETS", "TOY_LOSSES", "ToyGAN", "ToyLiveView",
           "decision_surface", "draw_centre_path", "draw_toy_gan", "gradient_field", "mean_pull", "mode_centers",
           "mode_coverage", "plot_toy_history", "render_toy_png", "sample_toy", "toy_animation", "toy_name"]
