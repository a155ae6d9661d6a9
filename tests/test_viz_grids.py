import matplotlib
import pytest
import torch
from PIL import Image

from gan_utils.data.pixels import ImageShapeError
from gan_utils.viz import image_grid, save_grid, show_grid

matplotlib.use("Agg")


def test_grid_is_made_in_zero_one_with_the_right_layout():
    images = torch.full((16, 1, 28, 28), -1.0)
    grid = image_grid(images, nrow=8, padding=2)
    assert grid.shape == (3, 2 * 30 + 2, 8 * 30 + 2)
    assert grid.min() == 0.0 and grid.max() == 1.0  # black digits, white padding


def test_show_grid_saves_a_png(tmp_path):
    path = tmp_path / "sub" / "grid.png"
    show_grid(torch.rand(4, 1, 28, 28) * 2 - 1, nrow=2, title="four", save_to=path)
    assert Image.open(path).size == (2 * 30 + 2, 2 * 30 + 2)


def test_show_grid_rejects_zero_one_images():
    with pytest.raises(ImageShapeError, match=r"\[0, 1\] images"):
        show_grid(torch.rand(4, 1, 28, 28))


def test_save_grid_writes_a_png_and_returns_its_path(tmp_path):
    path = save_grid(torch.zeros(3, 1, 28, 28), tmp_path / "a" / "b.png", nrow=3)
    assert path.exists() and Image.open(path).size == (3 * 30 + 2, 30 + 2)
