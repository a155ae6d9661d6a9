import numpy as np
import pytest
import torch
from PIL import Image

from gan_utils.data.pixels import (ImageShapeError, check_image_batch, denormalize,
                                   mnist_transform, pixels_to_images)


def test_transform_maps_uint8_hwc_to_chw_in_minus_one_one():
    pixels = np.array([[0, 255], [51, 204]], dtype=np.uint8)
    x = mnist_transform()(Image.fromarray(pixels))
    assert x.shape == (1, 2, 2)
    assert torch.allclose(x[0], torch.tensor([[-1.0, 1.0], [-0.6, 0.6]]))
    rgb = mnist_transform(channels=3)(Image.fromarray(np.zeros((4, 4, 3), dtype=np.uint8)))
    assert rgb.shape == (3, 4, 4) and rgb.eq(-1).all()


def test_three_channel_stats_on_a_grayscale_image_is_a_clear_error():
    with pytest.raises(ImageShapeError, match="1 .grayscale. or 3 .RGB."):
        mnist_transform(channels=2)


def test_pixels_to_images_matches_the_transform_and_denormalize_inverts_it():
    pixels = torch.randint(0, 256, (5, 28, 28), dtype=torch.uint8)
    images = pixels_to_images(pixels)
    expected = torch.stack([mnist_transform()(Image.fromarray(p.numpy())) for p in pixels])
    assert images.shape == (5, 1, 28, 28) and torch.allclose(images, expected, atol=1e-6)
    assert torch.allclose(denormalize(images) * 255, pixels.unsqueeze(1).float(), atol=1e-3)
    assert denormalize(torch.tensor([-3.0, 3.0])).tolist() == [0.0, 1.0]
    with pytest.raises(ImageShapeError, match="uint8"):
        pixels_to_images(pixels.float())


@pytest.mark.parametrize("images, message", [
    ([[0.0]], "should be a torch.Tensor"),
    (torch.zeros(28, 28, 1), "HWC image"),
    (torch.zeros(8, 28, 28), r"unsqueeze\(1\)"),
    (torch.zeros(8, 784), r"view\(-1, 1, 28, 28\)"),
    (torch.zeros(8, 3, 28, 28), "1 channel.*got 3 channel"),
    (torch.zeros(8, 28, 28, 1), "channels seem to be last"),
    (torch.zeros(8, 1, 32, 32), "28x28 pixels.*got 32x32"),
    (torch.zeros(8, 1, 28, 28, dtype=torch.uint8), "should be floats"),
    (torch.rand(8, 1, 28, 28), r"look like \[0, 1\] images"),
    (torch.rand(8, 1, 28, 28) * 255, "0..255 pixels"),
])
def test_bad_batches_name_what_was_expected_and_received(images, message):
    with pytest.raises(ImageShapeError, match=message):
        check_image_batch(images, channels=1, size=28)


def test_a_good_batch_passes():
    check_image_batch(torch.rand(4, 1, 28, 28) * 2 - 1, channels=1, size=28)
    check_image_batch(torch.rand(4, 3, 64, 64), value_range=None)
