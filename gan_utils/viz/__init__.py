"""Pictures: image grids, the training-progress animation, loss and D-output curves, a live view;
their colours are named in ``gan_utils.viz.colors``."""
from . import colors
from .animation import animation_player, pick_frames, progress_animation, save_gif, show_progress
from .curves import moving_average, plot_d_outputs, plot_losses, plot_training
from .grids import image_grid, save_grid, show_grid
from .health import plot_health, show_health
from .live import LiveView

__all__ = ["LiveView", "animation_player", "image_grid", "moving_average", "pick_frames", "plot_d_outputs",
           "plot_health", "plot_losses", "plot_training", "progress_animation", "save_gif", "save_grid",
           "show_grid", "show_health", "show_progress"]
