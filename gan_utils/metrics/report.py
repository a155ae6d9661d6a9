"""Score a generator in one call: what lessons print at their end and the pretrained cards record."""
import torch
from torch import nn

from ..arguments import check_whole_number
from ..language import say
from ..models.sampling import class_count, evaluating, generate
from .scores import (MAX_ENTROPY, check_digits, class_entropy, class_histogram, conditional_accuracy,
                     frechet_distance, real_floor)


@torch.no_grad()
def draw_samples(G, n: int, seed: int = 0, labels: torch.Tensor | None = None,
                 batch_size: int = 500) -> torch.Tensor:
    """``n`` images from G in eval mode on seeded noise (for a conditional G, for ``labels``), on the CPU."""
    _check_generator(G)
    device = next(G.parameters()).device
    z = torch.randn(n, G.latent_dim, generator=torch.Generator().manual_seed(seed))
    chunks = []
    with evaluating(G):
        for i in range(0, n, batch_size):
            part = None if labels is None else labels[i:i + batch_size].to(device)
            chunks.append(generate(G, z[i:i + batch_size].to(device), part).float().cpu())
    return torch.cat(chunks)


def score_generator(G, real_images: torch.Tensor, n: int = 2500, seed: int = 0) -> dict:
    """Frechet distance (with the real-vs-real floor), class histogram and entropy, and for a
    conditional G the share of samples classified as the requested digit (overall, per class).
    ``real_images`` are (N, 1, 28, 28) in [-1, 1], like ``load_mnist().images``."""
    n = check_whole_number(n, "n", minimum=2)
    check_digits(real_images, "real_images", real=True)
    if len(real_images) < 4:
        raise ValueError(f"real_images has {len(real_images)} image(s); the scores need at least 4 "
                         f"(two sets of 2 for the real-vs-real floor), and hundreds to mean much.")
    conditional = class_count(G) is not None
    labels = torch.arange(n) % G.num_classes if conditional else None
    fakes = draw_samples(G, n, seed, labels)
    check_digits(fakes, "G's images")
    reals = real_images[torch.randperm(len(real_images), generator=torch.Generator().manual_seed(seed))[:n]]
    scores = {"samples": n,
              "frechet_distance": round(frechet_distance(fakes, reals), 2),
              "real_floor": round(real_floor(real_images, min(n, len(real_images) // 2), seed=seed), 2),
              "class_entropy": round(class_entropy(fakes), 3), "max_entropy": round(MAX_ENTROPY, 3),
              "class_histogram": [round(v, 3) for v in class_histogram(fakes).tolist()]}
    if conditional:
        overall, per_class = conditional_accuracy(fakes, labels)
        scores["conditional_accuracy"] = round(overall, 4)
        scores["per_class_accuracy"] = [round(v, 3) for v in per_class.tolist()]
    return scores


def _check_generator(G) -> None:
    """Refuse anything but a generator: an ``nn.Module`` with parameters and ``latent_dim``."""
    has_parameters = isinstance(G, nn.Module) and next(G.parameters(), None) is not None
    if not (has_parameters and isinstance(getattr(G, "latent_dim", None), int)):
        raise TypeError(f"G should be a generator: an nn.Module with parameters and a .latent_dim, "
                        f"like the course's models; got {type(G).__name__}. (Passed the "
                        f"discriminator? Pass G.)")


def print_scores(scores: dict, name: str = "generator") -> None:
    """The scores in a few readable lines."""
    fd, floor = f"{scores['frechet_distance']:.1f}", f"{scores['real_floor']:.1f}"
    entropy, best = f"{scores['class_entropy']:.2f}", f"{scores['max_entropy']:.2f}"
    print(say(f"{name}: Frechet distance {fd} (real vs real: {floor}, lower is better)",
              f"{name}：弗雷歇距离 {fd}（真实对真实：{floor}，越低越好）"))
    print(say(f"  class entropy {entropy} of {best} (all ten digits equally often = {best})",
              f"  类别熵 {entropy}，最大 {best}（十个数字出现得一样多时 = {best}）"))
    drawn = "  ".join(f"{d}:{share:.0%}" for d, share in enumerate(scores["class_histogram"]))
    print(say("  digits drawn: ", "  画出的数字：") + drawn)
    if "conditional_accuracy" in scores:
        accuracy = f"{scores['conditional_accuracy']:.1%}"
        print(say(f"  classified as the requested digit: {accuracy}", f"  被分类为所要求数字的比例：{accuracy}"))
        per_digit = "  ".join(f"{d}:{a:.0%}" for d, a in enumerate(scores["per_class_accuracy"]))
        print(say("  per digit: ", "  各数字：") + per_digit)
