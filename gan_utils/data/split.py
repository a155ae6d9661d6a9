"""The held-out digits: 1000 of the bundled 5000 (the last 100 of each class in file order) that the
digit classifier never trains on, the reference an honest score compares a generator with (lesson 09).
``load_mnist(split="train")`` gives the other 4000; with the full MNIST on disk, its 60 000 digits
less any that equals a held-out one."""
import torch

TRAIN_PER_CLASS = 400   # the bundled set has 500 of each digit: 400 to train on, 100 held out
SPLITS = ("all", "train", "held-out")


def reference_split(labels: torch.Tensor, per_class_train: int = TRAIN_PER_CLASS) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (training, held out) of the bundled digits: the first ``per_class_train`` of each class
    in file order, and the rest. ``scripts/train_classifier.py`` trains on the first part and tests on
    the second, so the held-out digits are unseen by the classifier behind every score."""
    train, held_out = [], []
    for digit in range(10):
        indices = (labels == digit).nonzero().flatten()
        train.append(indices[:per_class_train])
        held_out.append(indices[per_class_train:])
    return torch.cat(train), torch.cat(held_out)


def check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} (\"train\": the digits GANs may train on, "
                         f"\"held-out\": the 1000 reference digits), got {split!r}")


def keep_for_split(pixels: torch.Tensor, bundled_pixels: torch.Tensor, bundled_labels: torch.Tensor,
                   split: str, from_bundled: bool) -> torch.Tensor | None:
    """Indices into ``pixels`` that ``split`` keeps (None: all of them). The held-out digits are always
    the bundled ones; training on another set (the full MNIST) drops its exact copies of them."""
    if split == "all":
        return None
    train, held_out = reference_split(bundled_labels)
    if from_bundled:
        return train if split == "train" else held_out
    if split == "held-out":
        raise ValueError("the held-out digits are the bundled subset's: load them with "
                         "load_mnist(source=\"bundled\", split=\"held-out\").")
    held = {bytes(image.numpy().tobytes()) for image in bundled_pixels[held_out]}
    return torch.tensor([i for i, image in enumerate(pixels) if image.numpy().tobytes() not in held], dtype=torch.long)
