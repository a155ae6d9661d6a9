"""Pictures: image grids through torchvision's make_grid, shown with matplotlib and saved as PNG."""
from pathlib import Path

import torch
from torchvision.utils import make_grid, save_image

from ..data.pixels import denormalize
from ..arguments import check_whole_number
from ..models.inputs import as_tensor, check_images

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 2) -> torch.Tensor:
    """(N, C, H, W) images in [-1, 1] (a tensor or a numpy array) -> one (3, H', W') grid in [0, 1]."""
    images = _image_batch(images)
    nrow = check_whole_number(nrow, "nrow (images per row)")
    return make_grid(denormalize(images.detach().cpu()), nrow=nrow, padding=padding, pad_value=1.0)


def _image_batch(images) -> torch.Tensor:
    """A checked, non-empty batch of [-1, 1] images; a list of tensors is refused with the fix."""
    if isinstance(images, (list, tuple)) and images and all(isinstance(i, torch.Tensor) for i in images):
        raise TypeError(f"images should be one tensor (N, C, H, W), got a {type(images).__name__} of "
                        f"{len(images)} tensors: join them with torch.stack(images) (single images) "
                        f"or torch.cat(images) (batches).")
    images = as_tensor(images)
    check_images(images)
    if len(images) == 0:
        raise ValueError(f"there are no images to draw: got 0 images {tuple(images.shape)}; pass "
                         f"at least one.")
    return images


def writable_file(path: str | Path, suffixes: tuple[str, ...], what: str) -> Path:
    """``path`` as a Path whose folders exist (created if needed), refused with the fix when it is a
    folder, lacks a known suffix, or has a file in the way of its folder."""
    path = Path(path)
    if path.is_dir():
        example = path / ("picture" + suffixes[0])
        raise ValueError(f"{path} is a folder; give a file name inside it, e.g. {example}")
    if path.suffix.lower() not in suffixes:
        raise ValueError(f"{what} should end in {' or '.join(suffixes)}, got {path.name!r}; "
                         f"e.g. {path.with_suffix(suffixes[0])}")
    blocking = next((p for p in [path.parent, *path.parent.parents] if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ValueError(f"cannot save to {path}: {blocking} is a file, not a folder; choose another "
                         f"folder or remove that file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def save_grid(images: torch.Tensor, path: str | Path, nrow: int = 8) -> Path:
    """Save a grid of [-1, 1] images as a PNG (folders are created); returns the path."""
    grid = image_grid(images, nrow=nrow)  # checked before anything is written
    path = writable_file(path, IMAGE_SUFFIXES, "the image file name")
    save_image(grid, str(path))
    return path


def show_grid(images: torch.Tensor, nrow: int = 8, title: str | None = None, ax=None,
              save_to: str | Path | None = None):
    """Draw a grid of [-1, 1] images (and save it as a PNG when ``save_to`` is given)."""
    import matplotlib.pyplot as plt
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
