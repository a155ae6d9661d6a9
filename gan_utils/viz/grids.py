"""Pictures: image grids through torchvision's make_grid, shown with matplotlib and saved as PNG."""
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torchvision.utils import make_grid, save_image

from ..data.pixels import check_image_batch, denormalize


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 2) -> torch.Tensor:
    """(N, C, H, W) images in [-1, 1] -> one (3, H', W') grid in [0, 1]."""
    check_image_batch(images, name="images")
    return make_grid(denormalize(images.detach().cpu()), nrow=nrow, padding=padding, pad_value=1.0)


def save_grid(images: torch.Tensor, path: str | Path, nrow: int = 8) -> Path:
    """Save a grid of [-1, 1] images as a PNG (folders are created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(image_grid(images, nrow=nrow), str(path))
    return path


def show_grid(images: torch.Tensor, nrow: int = 8, title: str | None = None, ax=None,
              save_to: str | Path | None = None):
    """Draw a grid of [-1, 1] images (and save it as a PNG when ``save_to`` is given)."""
    grid = image_grid(images, nrow=nrow)
    if save_to is not None:
        save_grid(images, save_to, nrow=nrow)
    if ax is None:
        size = min(8.0, 0.6 * nrow + 1.0)
        _, ax = plt.subplots(figsize=(size, size * grid.shape[1] / grid.shape[2]))
    ax.imshow(grid.permute(1, 2, 0).numpy(), interpolation="nearest")  # CHW -> HWC for matplotlib
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
