"""Fast batching: the whole (small) dataset lives in one tensor; an epoch shuffles indices."""
import torch

from .pixels import ImageShapeError, check_image_batch


class InMemoryBatches:
    """Iterate over shuffled mini-batches of an in-memory image tensor (and optional labels).

    No per-image PIL work and no worker processes: each batch is one indexing operation,
    which is many times faster than a ``DataLoader`` over a transformed dataset on a CPU.
    Yields ``x`` (B, C, H, W) or ``(x, y)`` when labels are given.
    """

    def __init__(self, images: torch.Tensor, batch_size: int = 64, labels: torch.Tensor | None = None,
                 shuffle: bool = True, drop_last: bool = True, seed: int | None = None,
                 device: torch.device | str | None = None):
        check_image_batch(images, name="images")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if drop_last and batch_size > len(images):
            raise ValueError(f"batch_size={batch_size} is larger than the {len(images)} images, so "
                             f"drop_last=True would give no batches: use a smaller batch_size.")
        if labels is not None and len(labels) != len(images):
            raise ImageShapeError(f"labels has {len(labels)} entries but images has {len(images)}")
        self.device = torch.device(device) if device is not None else images.device
        self.images = images.to(self.device)
        self.labels = labels.to(self.device) if labels is not None else None
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed) if seed is not None else None

    def to(self, device: torch.device | str) -> "InMemoryBatches":
        """Move the images (and labels) to ``device`` once, so each batch is made there."""
        self.device = torch.device(device)
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
