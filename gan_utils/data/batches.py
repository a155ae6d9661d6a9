"""Fast batching: the whole (small) dataset lives in one tensor; an epoch shuffles indices."""
import numpy as np
import torch

from ..arguments import check_whole_number
from ..settings import get_device
from .pixels import ImageShapeError, check_image_batch


class InMemoryBatches:
    """Iterate over shuffled mini-batches of an in-memory image tensor (and optional labels).

    No per-image PIL work and no worker processes: each batch is one indexing operation,
    which is many times faster than a ``DataLoader`` over a transformed dataset on a CPU.
    Yields ``x`` (B, C, H, W) or ``(x, y)`` when labels are given. NumPy arrays and float64
    images are accepted (and made float32); labels of any integer dtype become long.
    """

    def __init__(self, images: torch.Tensor, batch_size: int = 64, labels: torch.Tensor | None = None,
                 shuffle: bool = True, drop_last: bool = True, seed: int | None = None,
                 device: torch.device | str | None = None):
        images = as_image_batch(images)
        self.batch_size = _check_batch_size(batch_size, len(images), drop_last)
        labels = as_labels(labels, len(images))
        self.device = get_device(device) if device is not None else images.device
        self.images = images.to(self.device)
        self.labels = labels.to(self.device) if labels is not None else None
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed) if seed is not None else None

    def to(self, device: torch.device | str) -> "InMemoryBatches":
        """Move the images (and labels) to ``device`` once, so each batch is made there."""
        self.device = get_device(device)
        self.images = self.images.to(self.device)
        self.labels = self.labels.to(self.device) if self.labels is not None else None
        return self

    def __len__(self) -> int:
        full, rest = divmod(len(self.images), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1

    def __iter__(self):
        n = len(self.images)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        order = order.to(self.device)
        for i in range(len(self)):
            index = order[i * self.batch_size:(i + 1) * self.batch_size]
            if self.labels is None:
                yield self.images[index]
            else:
                yield self.images[index], self.labels[index]


def as_image_batch(images) -> torch.Tensor:
    """A non-empty (N, C, H, W) float batch in [-1, 1], checked; a NumPy array becomes a tensor
    and float64 (NumPy's default) becomes float32, the dtype the models use."""
    images = torch.from_numpy(images) if isinstance(images, np.ndarray) else images
    check_image_batch(images, name="images")
    if len(images) == 0:
        raise ImageShapeError(f"images is empty, shape {tuple(images.shape)}: there is nothing to "
                              f"batch. Check the filter or slice that made it.")
    return images.float() if images.dtype == torch.float64 else images


def as_labels(labels, count: int) -> torch.Tensor | None:
    """``count`` class labels as a long tensor (N,): lists, NumPy arrays and any integer or bool
    dtype are converted; floats and one-hot rows are refused with the fix."""
    if labels is None:
        return None
    labels = torch.as_tensor(np.asarray(labels)) if not isinstance(labels, torch.Tensor) else labels
    if labels.dim() == 2 and labels.shape[1] > 1:
        raise ImageShapeError(f"labels should be one class number per image, shape (N,); got "
                              f"{tuple(labels.shape)}, which looks one-hot: use labels.argmax(1).")
    if labels.dim() != 1:
        raise ImageShapeError(f"labels should be one class number per image, shape (N,); got "
                              f"{tuple(labels.shape)}.")
    if labels.is_floating_point() or labels.is_complex():
        raise ImageShapeError(f"labels should be whole class numbers (0, 1, 2, ...), got dtype "
                              f"{labels.dtype}: use labels.long() if they are whole numbers.")
    if len(labels) != count:
        raise ImageShapeError(f"labels has {len(labels)} entries but images has {count}: give "
                              f"one label per image.")
    if len(labels) and labels.min() < 0:
        raise ImageShapeError(f"labels should be class numbers 0, 1, 2, ..., got a negative one "
                              f"({labels.min().item()}).")
    return labels.long()


def _check_batch_size(batch_size: int, count: int, drop_last: bool) -> int:
    """``batch_size`` as an int, refused when it is no whole number >= 1 or, with drop_last,
    larger than the data (an epoch would have no batch at all)."""
    batch_size = check_whole_number(batch_size, "batch_size")
    if drop_last and batch_size > count:
        raise ValueError(f"batch_size={batch_size} is larger than the {count} images, so "
                         f"drop_last=True would give no batches: use a smaller batch_size.")
    return batch_size
