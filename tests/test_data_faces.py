import numpy as np
import pytest
from PIL import Image

from gan_utils.data import load_image_folder
from gan_utils.data.faces import FACE_SIZE, draw_face, draw_faces


def test_the_same_seed_draws_the_same_face_and_another_seed_another_one():
    first = np.asarray(draw_face(np.random.default_rng(7)))
    again = np.asarray(draw_face(np.random.default_rng(7)))
    other = np.asarray(draw_face(np.random.default_rng(8)))
    assert first.shape == (FACE_SIZE[1], FACE_SIZE[0], 3)
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_faces_vary_in_colour_and_layout():
    """32 faces: their backgrounds, skin and hair differ, so the per-pixel spread is large."""
    rng = np.random.default_rng(0)
    faces = np.stack([np.asarray(draw_face(rng), dtype=np.float64) / 255 for _ in range(32)])
    assert faces.std(axis=0).mean() > 0.15
    centre = faces[:, 30:60, 25:55].mean(axis=(1, 2))            # (32, 3): the middle of each face
    assert np.ptp(centre, axis=0).max() > 0.3                    # skin tones from light to dark


def test_draw_faces_writes_an_image_folder_the_dcgan_reads(tmp_path):
    root = draw_faces(tmp_path / "drawn", 5, seed=1)
    files = sorted((root / "faces").glob("*.png"))
    assert len(files) == 5 and Image.open(files[0]).size == FACE_SIZE
    dataset = load_image_folder(root, image_size=64, channels=3)
    x, label = dataset[4]
    assert len(dataset) == 5 and x.shape == (3, 64, 64) and label == 0 and x.min() >= -1


def test_a_count_that_is_not_a_whole_number_is_refused(tmp_path):
    with pytest.raises((TypeError, ValueError), match="count"):
        draw_faces(tmp_path, 2.5)
    with pytest.raises((TypeError, ValueError), match="count"):
        draw_faces(tmp_path, 0)
