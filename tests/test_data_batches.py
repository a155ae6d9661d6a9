import pytest
import torch

from gan_utils.data import InMemoryBatches
from gan_utils.data.pixels import ImageShapeError


def make_images(n):
    return torch.linspace(-1, 1, n).view(n, 1, 1, 1).expand(n, 1, 28, 28).contiguous()


def test_an_epoch_visits_every_image_once_in_shuffled_order():
    images, labels = make_images(100), torch.arange(100)
    batches = InMemoryBatches(images, batch_size=10, labels=labels, seed=0)
    seen = torch.cat([y for _, y in batches])
    assert len(batches) == 10 and sorted(seen.tolist()) == list(range(100))
    assert seen.tolist() != list(range(100))
    for x, y in batches:
        assert x.shape == (10, 1, 28, 28) and torch.equal(x[:, 0, 0, 0], images[y, 0, 0, 0])


def test_epochs_differ_and_a_seed_repeats_them():
    a = [b for b in InMemoryBatches(make_images(20), batch_size=5, seed=1)]
    b = [b for b in InMemoryBatches(make_images(20), batch_size=5, seed=1)]
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    batches = InMemoryBatches(make_images(20), batch_size=20, seed=1)
    first, second = next(iter(batches)), next(iter(batches))
    assert not torch.equal(first, second)


def test_drop_last_and_unshuffled_order():
    batches = InMemoryBatches(make_images(25), batch_size=10, drop_last=False, shuffle=False)
    sizes = [len(x) for x in batches]
    assert sizes == [10, 10, 5] and len(batches) == 3
    assert len(InMemoryBatches(make_images(25), batch_size=10)) == 2


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="larger than the 5 images"):
        InMemoryBatches(make_images(5), batch_size=64)
    with pytest.raises(ValueError, match="batch_size should be a whole number"):
        InMemoryBatches(make_images(5), batch_size=0)
    with pytest.raises(ImageShapeError, match="labels has 3 entries"):
        InMemoryBatches(make_images(5), batch_size=2, labels=torch.arange(3))
    with pytest.raises(ImageShapeError, match=r"\[0, 1\] images"):
        InMemoryBatches(torch.rand(5, 1, 28, 28), batch_size=2)
