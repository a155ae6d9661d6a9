import numpy as np
import pytest
from PIL import Image

from gan_utils.data import ImageFolderError, load_image_folder
from gan_utils.data.pixels import ImageShapeError


def save_images(folder, count, size=(80, 60)):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        pixels = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i:03d}.png")


def test_a_folder_of_faces_gives_64x64_rgb_in_minus_one_one(tmp_path):
    save_images(tmp_path / "faces", 3)
    dataset = load_image_folder(tmp_path, image_size=64, channels=3)
    x, label = dataset[0]
    assert len(dataset) == 3 and label == 0
    assert x.shape == (3, 64, 64) and x.min() >= -1 and x.max() <= 1
    gray, _ = load_image_folder(tmp_path, image_size=32, channels=1)[1]
    assert gray.shape == (1, 32, 32)


def test_images_outside_a_class_subfolder_explain_the_layout(tmp_path):
    save_images(tmp_path, 2)
    with pytest.raises(ImageFolderError, match="2 image.*directly.*one subfolder per class"):
        load_image_folder(tmp_path)


def test_an_empty_or_missing_folder_is_a_clear_error(tmp_path):
    (tmp_path / "faces").mkdir()
    with pytest.raises(ImageFolderError, match="found no images"):
        load_image_folder(tmp_path)
    with pytest.raises(ImageFolderError, match="does not exist"):
        load_image_folder(tmp_path / "nowhere")


def test_bad_size_or_channels(tmp_path):
    save_images(tmp_path / "faces", 1)
    with pytest.raises(ValueError, match="image_size should be a whole number.*8"):
        load_image_folder(tmp_path, image_size=4)
    with pytest.raises(ImageShapeError, match="1 .grayscale. or 3 .RGB."):
        load_image_folder(tmp_path, channels=4)


def test_the_transform_resizes_crops_and_normalizes_any_picture():
    from gan_utils.data import image_folder_transform
    picture = Image.fromarray(np.full((60, 80, 3), 255, dtype=np.uint8))  # white, 80 wide
    x = image_folder_transform(image_size=16, channels=3)(picture)
    assert x.shape == (3, 16, 16) and x.eq(1).all()
