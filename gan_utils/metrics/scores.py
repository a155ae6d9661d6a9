"""How good is a generator? Scores computed with the course's digit classifier.

* ``frechet_distance``: how far the generated digits' features are from real ones (lower is better;
  compare with ``real_floor``, the distance between two halves of the real data).
* ``class_histogram`` / ``class_entropy``: which digits a generator draws; a low entropy means it
  draws only a few kinds (mode collapse). The maximum is ln 10 = 2.303.
* ``conditional_accuracy``: for a conditional generator, the share of samples that the classifier
  reads as the digit that was asked for (overall and per class).
"""
import math

import torch

from ..data.batches import as_labels
from ..data.pixels import ImageShapeError, check_image_batch
from ..arguments import check_whole_number
from ..settings import get_device
from .classifier import load_classifier

MAX_ENTROPY = math.log(10)


@torch.no_grad()
def _in_batches(part: str, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """The classifier's ``part`` ("forward" or "features") for all images, computed on the course's
    device (a GPU when there is one) in chunks, returned on the CPU."""
    device = get_device()
    function = getattr(load_classifier(device), part)
    return torch.cat([function(images[i:i + batch_size].float().to(device)).cpu()
                      for i in range(0, len(images), batch_size)])


def check_digits(images, name: str = "images", real: bool = False) -> None:
    """Refuse anything but a non-empty (N, 1, 28, 28) float batch in [-1, 1], what the classifier
    reads. With ``real``, a batch in [0, 1] is refused too: real digits have a black background at
    -1, while a generator's (even a failing one's) output is scored as it is."""
    check_image_batch(images, channels=1, size=28, guess_zero_one=real, name=name)
    if len(images) == 0:
        raise ImageShapeError(f"{name} is empty, shape {tuple(images.shape)}: the scores need "
                              f"images (hundreds for a meaningful score).")


def classify(images: torch.Tensor) -> torch.Tensor:
    """The classifier's digit (0..9) for each image of a (N, 1, 28, 28) batch in [-1, 1]."""
    check_digits(images)
    return _in_batches("forward", images).argmax(dim=1)


def features(images: torch.Tensor) -> torch.Tensor:
    """The classifier's 64 features per image, (N, 64), in float64 for the statistics."""
    check_digits(images)
    return _in_batches("features", images).double()


def digits_from_features(feature_rows: torch.Tensor) -> torch.Tensor:
    """The classifier's digit for each row of ``features`` (N, 64): its head applied to them, so
    a report that already has the features needs no second pass through the network."""
    device = get_device()   # the classifier already loaded there by ``features``
    with torch.no_grad():
        return load_classifier(device).head(feature_rows.float().to(device)).argmax(dim=1).cpu()


def _sqrt_psd(matrix: torch.Tensor) -> torch.Tensor:
    values, vectors = torch.linalg.eigh(matrix)
    return vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T


def frechet_distance(images_a: torch.Tensor, images_b: torch.Tensor) -> float:
    """Frechet distance between the feature distributions of two image batches (each >= 2 images):
    |mu_a - mu_b|^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2))."""
    check_digits(images_a, "images_a")
    check_digits(images_b, "images_b")
    if len(images_a) < 2 or len(images_b) < 2:
        raise ValueError("the Frechet distance needs at least 2 images on each side (use hundreds).")
    return frechet_from_features(features(images_a), features(images_b))


def frechet_from_features(fa: torch.Tensor, fb: torch.Tensor) -> float:
    """``frechet_distance`` on features already computed, (N_a, 64) and (N_b, 64): what a report
    that compares one set with several others uses, so each set passes the classifier once."""
    mu_a, mu_b = fa.mean(0), fb.mean(0)
    cov_a, cov_b = torch.cov(fa.T), torch.cov(fb.T)
    root_a = _sqrt_psd(cov_a)
    cross = _sqrt_psd(root_a @ cov_b @ root_a)  # same trace as (C_a C_b)^(1/2)
    value = (mu_a - mu_b).square().sum() + torch.trace(cov_a + cov_b - 2 * cross)
    return max(0.0, value.item())


def real_floor(real_images: torch.Tensor, n: int, repeats: int = 5, seed: int = 0) -> float:
    """The Frechet distance between two disjoint random sets of ``n`` real images, averaged over
    ``repeats`` splits: the best a generator scored on ``n`` samples can hope for, since two finite
    samples never match exactly."""
    check_digits(real_images, "real_images", real=True)
    n, repeats = check_whole_number(n, "n", minimum=2), check_whole_number(repeats, "repeats")
    if 2 * n > len(real_images):
        raise ValueError(f"need {2 * n} real images for two sets of {n}, have {len(real_images)}")
    generator = torch.Generator().manual_seed(seed)
    distances = []
    for _ in range(repeats):
        order = torch.randperm(len(real_images), generator=generator)
        distances.append(frechet_distance(real_images[order[:n]], real_images[order[n:2 * n]]))
    return sum(distances) / len(distances)


def class_histogram(images: torch.Tensor) -> torch.Tensor:
    """The share of images the classifier assigns to each digit, a (10,) tensor summing to 1."""
    return histogram_of(classify(images))


def histogram_of(digits: torch.Tensor) -> torch.Tensor:
    """The share of each digit 0..9 among classified ``digits`` (N,), a (10,) tensor summing to 1."""
    return torch.bincount(digits, minlength=10).double() / len(digits)


def class_entropy(images: torch.Tensor) -> float:
    """Entropy (nats) of the class histogram: ln 10 = 2.303 when all digits are equally common,
    0 when every image is the same digit."""
    return entropy_of(class_histogram(images))


def entropy_of(shares: torch.Tensor) -> float:
    """Entropy (nats) of a class histogram ``shares`` (10,)."""
    shares = shares[shares > 0]
    return float(-(shares * shares.log()).sum()) + 0.0  # + 0.0 turns -0.0 (one digit only) into 0.0


def conditional_accuracy(images: torch.Tensor, labels: torch.Tensor) -> tuple[float, torch.Tensor]:
    """(overall share, per-class shares (10,)) of images classified as the digit in ``labels``."""
    check_digits(images)
    labels = as_labels(labels, len(images)).cpu()
    if labels.max() > 9:
        raise ValueError(f"labels should be digits 0..9, the classes the classifier reads; got "
                         f"values up to {labels.max().item()}.")
    return accuracy_of(classify(images), labels)


def accuracy_of(digits: torch.Tensor, labels: torch.Tensor) -> tuple[float, torch.Tensor]:
    """``conditional_accuracy`` for classified ``digits`` (N,) and the requested ``labels`` (N,)."""
    correct = (digits == labels).double()
    per_class = torch.stack([correct[labels == digit].mean() if (labels == digit).any()
                             else torch.tensor(float("nan"), dtype=torch.float64) for digit in range(10)])
    return float(correct.mean()), per_class
