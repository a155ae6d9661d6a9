"""Fidelity, diversity and memorisation, measured apart (lesson 09).

One Frechet distance folds three questions into one number. These answer them one at a time, in
the feature space of the course's digit classifier (64 numbers per image):

* ``precision_recall``: the share of generated digits that fall on the real digits' manifold
  (precision: are they realistic?) and of real digits that fall on the generated ones' (recall: is
  every kind of digit drawn?), each manifold a union of k-nearest-neighbour balls (Kynkaanniemi et
  al. 2019, "Improved Precision and Recall Metric for Assessing Generative Models").
* ``memorisation``: each sample's distance to its nearest training digit, set against the same
  distance for real digits the generator never saw. A generator that returns its training digits
  scores near the floor on the Frechet distance against them; this is what catches it.
* ``reference_split`` (from ``data/split.py``): which bundled digits are held out (the classifier's 1000).
"""
from dataclasses import dataclass

import torch

from ..arguments import check_whole_number
from .scores import check_digits, features


def _kth_neighbour_radius(points: torch.Tensor, k: int) -> torch.Tensor:
    """For each point, the distance to its k-th nearest other point of the same set, (N,)."""
    distances = torch.cdist(points, points)                            # (N, N), 0 on the diagonal
    return distances.kthvalue(k + 1, dim=1).values                      # +1: skip the point itself


def _inside(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor) -> torch.Tensor:
    """For each point, whether it lies in at least one ball (centre, radius), (N,) bool."""
    return (torch.cdist(points, centres) <= radii[None, :]).any(dim=1)


def precision_recall(generated: torch.Tensor, real: torch.Tensor, k: int = 3) -> dict[str, float]:
    """Precision (share of generated digits inside the real manifold) and recall (share of real digits
    inside the generated manifold), both in [0, 1]; each manifold is the union of balls around its
    points reaching their k-th nearest neighbour. Use the same number of images on both sides
    (hundreds at least): the balls grow as the sets shrink. Precision trusts the features: uniform
    noise and blank blobs land inside the wide balls of a few faint real digits (measured: precision
    1.0 for both, recall 0), so read it beside the Frechet distance and a look at the samples."""
    k = check_whole_number(k, "k")
    check_digits(generated, "generated")
    check_digits(real, "real", real=True)
    if min(len(generated), len(real)) <= k:
        raise ValueError(f"precision and recall with k={k} need more than {k} images on each side "
                         f"(hundreds to mean much); got {len(generated)} generated and {len(real)} real.")
    return precision_recall_from_features(features(generated), features(real), k)


def precision_recall_from_features(fake_features: torch.Tensor, real_features: torch.Tensor,
                                   k: int = 3) -> dict[str, float]:
    """``precision_recall`` on features already computed, (N_fake, 64) and (N_real, 64)."""
    precision = _inside(fake_features, real_features, _kth_neighbour_radius(real_features, k))
    recall = _inside(real_features, fake_features, _kth_neighbour_radius(fake_features, k))
    return {"precision": precision.double().mean().item(), "recall": recall.double().mean().item()}


@dataclass
class Memorisation:
    """Nearest-training-digit distances (pixels, Euclidean) of samples and of held-out real digits.

    ``copied`` is the share of samples closer to a training digit than all but 1 % of the held-out
    digits are: about 0.01 for a generator that draws new digits like the real ones, near 1 for one
    that returns its training digits. ``nearest`` (N,) indexes each sample's nearest training digit."""
    sample_distances: torch.Tensor
    reference_distances: torch.Tensor
    nearest: torch.Tensor
    threshold: float
    copied: float

    def __repr__(self) -> str:
        return (f"Memorisation(copied={self.copied:.1%} of samples closer to a training digit than "
                f"99 % of held-out digits; median distance {self.sample_distances.median():.2f} against "
                f"{self.reference_distances.median():.2f} for held-out digits)")


def _nearest(images: torch.Tensor, train: torch.Tensor, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """(distance, index) of each image's nearest training image, in pixels, computed in chunks."""
    flat_train = train.flatten(1).double()
    distances, indices = [], []
    for i in range(0, len(images), batch_size):
        d = torch.cdist(images[i:i + batch_size].flatten(1).double(), flat_train)   # (B, N_train)
        value, index = d.min(dim=1)
        distances.append(value)
        indices.append(index)
    return torch.cat(distances), torch.cat(indices)


def memorisation(samples: torch.Tensor, train_images: torch.Tensor,
                 reference_images: torch.Tensor) -> Memorisation:
    """How close ``samples`` come to the digits the generator trained on (``train_images``), set against
    how close real digits it never saw (``reference_images``) come to them. All (N, 1, 28, 28) in [-1, 1]."""
    check_digits(samples, "samples")
    check_digits(train_images, "train_images", real=True)
    check_digits(reference_images, "reference_images", real=True)
    if len(reference_images) < 100:
        raise ValueError(f"reference_images has {len(reference_images)} digits; the 1 % threshold "
                         f"needs at least 100 held-out digits (the course holds out 1000).")
    sample_distances, nearest = _nearest(samples.float(), train_images.float())
    reference_distances, _ = _nearest(reference_images.float(), train_images.float())
    threshold = torch.quantile(reference_distances, 0.01).item()
    copied = (sample_distances < threshold).double().mean().item()
    return Memorisation(sample_distances, reference_distances, nearest, threshold, copied)
