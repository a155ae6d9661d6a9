"""Score a generator in one call: what lessons print at their end and the pretrained cards record."""
from functools import lru_cache

import torch
from torch import nn

from ..arguments import check_whole_number
from ..data.mnist import load_mnist
from ..data.split import reference_split
from ..language import say
from ..latent import truncated_noise
from ..settings import get_device
from ..models.sampling import class_count, evaluating, generate
from .manifold import memorisation, precision_recall_from_features
from .scores import (MAX_ENTROPY, accuracy_of, check_digits, digits_from_features, entropy_of, features,
                     frechet_from_features, histogram_of)


@torch.no_grad()
def draw_samples(G, n: int, seed: int = 0, labels: torch.Tensor | None = None,
                 batch_size: int = 500, threshold: float | None = None) -> torch.Tensor:
    """``n`` images from G in eval mode on seeded noise, on the CPU; a conditional G draws ``labels``
    (default: each class in turn, 0, 1, 2, ...). With ``threshold``, the noise is truncated there
    (``latent.truncated_noise``)."""
    _check_generator(G)
    if labels is None and class_count(G) is not None:
        labels = torch.arange(n) % class_count(G)
    device = next(G.parameters()).device
    z = truncated_noise(n, G.latent_dim, threshold, seed)
    chunks = []
    with evaluating(G):
        for i in range(0, n, batch_size):
            part = None if labels is None else labels[i:i + batch_size].to(device)
            chunks.append(generate(G, z[i:i + batch_size].to(device), part).float().cpu())
    return torch.cat(chunks)


@lru_cache(maxsize=1)
def bundled_split() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(training images, training labels, held-out images, held-out labels) of the bundled digits, read once."""
    bundled = load_mnist(source="bundled", split="all", verbose=False)
    train, held_out = reference_split(bundled.labels)
    return bundled.images[train], bundled.labels[train], bundled.images[held_out], bundled.labels[held_out]


def held_out_features() -> torch.Tensor:
    """The classifier's features of the 1000 held-out digits (1000, 64), computed once per device:
    every default score compares with them."""
    device = str(get_device())
    if device not in _held_out_features:
        _held_out_features[device] = features(bundled_split()[2])
    return _held_out_features[device]


_held_out_features: dict[str, torch.Tensor] = {}


def score_generator(G, reference: torch.Tensor | None = None, n: int = 1000, seed: int = 0,
                    train: torch.Tensor | None = None) -> dict:
    """Score G against real digits it never trained on, each score beside what real digits get.

    reference: the digits to compare with (default: the 1000 held-out bundled digits, which no
    lesson, shipped model or the classifier trains on). train: the digits G trained on (default:
    the bundled training split), for the floor and the memorisation check. Scores: the Frechet
    distance, with its floor (n training digits against the same reference, so the sample-size bias
    is the same on both sides); precision and recall (fidelity and diversity apart); the share of
    samples that copy a training digit; the class histogram and entropy; and for a conditional G the
    share classified as the requested digit and the Frechet distance per class."""
    n = check_whole_number(n, "n", minimum=2)
    train_default, train_labels, held_out, held_out_labels = bundled_split()
    reference = held_out if reference is None else reference
    train = train_default if train is None else train
    check_digits(reference, "reference", real=True)
    check_digits(train, "train", real=True)
    if min(len(reference), len(train)) < 4:
        raise ValueError(f"reference has {len(reference)} and train {len(train)} image(s); the scores "
                         f"need at least 4 on each side, and hundreds to mean much.")
    n_real = min(n, len(train))
    conditional = class_count(G) is not None
    labels = torch.arange(n) % G.num_classes if conditional else None
    fakes = draw_samples(G, n, seed, labels)
    check_digits(fakes, "G's images")
    reals = train[torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))[:n_real]]
    # each set passes the classifier once; every score below reads these features
    fake_f, real_f = features(fakes), features(reals)
    reference_f = held_out_features() if reference is held_out else features(reference)
    scores = {"samples": n, "reference": len(reference),
              "frechet_distance": round(frechet_from_features(fake_f, reference_f), 2),
              "real_floor": round(frechet_from_features(real_f, reference_f), 2)}
    k = min(3, len(reference) - 1, n - 1, n_real - 1)
    if k >= 1:
        generated = precision_recall_from_features(fake_f, reference_f, k)
        real = precision_recall_from_features(real_f, reference_f, k)
        scores |= {"precision": round(generated["precision"], 3), "recall": round(generated["recall"], 3),
                   "real_precision": round(real["precision"], 3), "real_recall": round(real["recall"], 3)}
    if len(reference) >= 100:
        scores["copied"] = round(memorisation(fakes, train, reference).copied, 4)
    digits = digits_from_features(fake_f)
    shares = histogram_of(digits)
    scores |= {"class_entropy": round(entropy_of(shares), 3), "max_entropy": round(MAX_ENTROPY, 3),
               "class_histogram": [round(v, 3) for v in shares.tolist()]}
    if conditional:
        overall, per_class = accuracy_of(digits, labels)
        scores["conditional_accuracy"] = round(overall, 4)
        scores["per_class_accuracy"] = [round(v, 3) for v in per_class.tolist()]
        if reference is held_out:
            scores |= _per_class_distances(fake_f, labels, train_default, train_labels, reference_f,
                                           held_out_labels)
    return scores


def _per_class_distances(fake_f, labels, train, train_labels, held_out_f, held_out_labels) -> dict:
    """For a conditional G: each digit's Frechet distance to the held-out digits of that class, beside
    the same distance for as many training digits of that class (the per-class floor)."""
    asked = [labels == digit for digit in range(10)]
    if min(min(int(a.sum()), int((held_out_labels == digit).sum())) for digit, a in enumerate(asked)) < 2:
        return {}
    floor_rows = torch.cat([(train_labels == digit).nonzero().flatten()[:int(a.sum())]
                            for digit, a in enumerate(asked)])
    floor_f, floor_labels = features(train[floor_rows]), train_labels[floor_rows]   # one pass for all ten
    distances, floors = [], []
    for digit in range(10):
        reference = held_out_f[held_out_labels == digit]
        distances.append(round(frechet_from_features(fake_f[asked[digit]], reference), 1))
        floors.append(round(frechet_from_features(floor_f[floor_labels == digit], reference), 1))
    return {"per_class_frechet": distances, "per_class_floor": floors}


def _check_generator(G) -> None:
    """Refuse anything but a generator: an ``nn.Module`` with parameters and ``latent_dim``."""
    has_parameters = isinstance(G, nn.Module) and next(G.parameters(), None) is not None
    if not (has_parameters and isinstance(getattr(G, "latent_dim", None), int)):
        raise TypeError(f"G should be a generator: an nn.Module with parameters and a .latent_dim, "
                        f"like the course's models; got {type(G).__name__}. (Passed the "
                        f"discriminator? Pass G.)")


def print_scores(scores: dict, name: str = "generator") -> None:
    """The scores in a few readable lines, each with what it measures and what real digits get."""
    fd, floor = f"{scores['frechet_distance']:.1f}", f"{scores['real_floor']:.1f}"
    entropy, best = f"{scores['class_entropy']:.2f}", f"{scores['max_entropy']:.2f}"
    count = scores.get("reference", "the")
    print(say(f"{name}, against {count} held-out real digits it never trained on:",
              f"{name}，对照 {count} 个它从未训练过的留出真实数字："))
    print(say(f"  Frechet distance {fd}   (new real digits: {floor}; lower is better: how far from real, all in one number)",
              f"  弗雷歇距离 {fd}   （新的真实数字：{floor}；越低越好：与真实数据差多远，合成一个数）"))
    if "precision" in scores:
        p, rp = f"{scores['precision']:.2f}", f"{scores['real_precision']:.2f}"
        r, rr = f"{scores['recall']:.2f}", f"{scores['real_recall']:.2f}"
        print(say(f"  precision {p}   (real: {rp}; share of samples that land among real digits: fidelity)",
                  f"  精确率 {p}   （真实：{rp}；落在真实数字之间的样本比例：保真度）"))
        print(say(f"  recall    {r}   (real: {rr}; share of real digits with samples near them: diversity)",
                  f"  召回率 {r}   （真实：{rr}；附近有样本的真实数字比例：多样性）"))
    if "copied" in scores:
        copied = f"{scores['copied']:.1%}"
        print(say(f"  copied    {copied}   (new real digits: about 1%; samples nearer a training digit than 99% of new digits)",
                  f"  复制     {copied}   （新的真实数字：约 1%；比 99% 的新数字更接近某个训练数字的样本）"))
    print(say(f"  class entropy {entropy} of {best} (all ten digits equally often = {best})",
              f"  类别熵 {entropy}，最大 {best}（十个数字出现得一样多时 = {best}）"))
    drawn = "  ".join(f"{d}:{share:.0%}" for d, share in enumerate(scores["class_histogram"]))
    print(say("  digits drawn: ", "  画出的数字：") + drawn)
    if "conditional_accuracy" in scores:
        accuracy = f"{scores['conditional_accuracy']:.1%}"
        print(say(f"  classified as the requested digit: {accuracy}", f"  被分类为所要求数字的比例：{accuracy}"))
        per_digit = "  ".join(f"{d}:{a:.0%}" for d, a in enumerate(scores["per_class_accuracy"]))
        print(say("  per digit: ", "  各数字：") + per_digit)
    if "per_class_frechet" in scores:
        per_digit = "  ".join(f"{d}:{v:.0f}" for d, v in enumerate(scores["per_class_frechet"]))
        floors = "  ".join(f"{d}:{v:.0f}" for d, v in enumerate(scores["per_class_floor"]))
        print(say("  Frechet distance per digit: ", "  各数字的弗雷歇距离：") + per_digit)
        print(say("    new real digits per digit: ", "    新的真实数字（各数字）：") + floors)
