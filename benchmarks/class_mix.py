"""How much of the pretrained dcgan's Frechet distance is its class mix? (lesson 05, section 8)

The dcgan draws its digits in an uneven mix (its card's class histogram, 6.4 % to 13.2 %), while
the real digits are an even one, and the Frechet distance counts the mix too. This scores, for
three random splits of the bundled digits into two halves, 1000 digits a side against 1000 real
digits of the other half:

* an even mix of real digits (the real-vs-real floor at this size),
* real digits drawn in the dcgan's mix (what the mix alone costs),
* the dcgan's own samples.

Usage:  python benchmarks/class_mix.py      (a few seconds on a 2-core CPU)
"""
import torch

from gan_utils import load_mnist
from gan_utils.metrics import draw_samples, frechet_distance
from gan_utils.pretrained import load_pretrained, pretrained_card

SIDE, SPLITS = 1000, 3


def in_mix(images, labels, pool, shares, generator):
    """``SIDE`` images from ``pool`` (indices) in the class mix ``shares`` (10 numbers summing to 1)."""
    counts = (shares / shares.sum() * SIDE).round().long()
    picked = []
    for digit in range(10):
        of_digit = pool[labels[pool] == digit]
        picked.append(of_digit[torch.randperm(len(of_digit), generator=generator)[:counts[digit]]])
    return images[torch.cat(picked)]


def main() -> None:
    mnist = load_mnist(source="bundled", verbose=False)
    shares = torch.tensor(pretrained_card("dcgan")["scores"]["class_histogram"])
    G = load_pretrained("dcgan")
    print(f"the dcgan's class mix: {' '.join(f'{d}:{s:.1%}' for d, s in enumerate(shares.tolist()))}")
    for split in range(SPLITS):
        generator = torch.Generator().manual_seed(split)
        order = torch.randperm(len(mnist.images), generator=generator)
        half_a, half_b = order[:len(order) // 2], order[len(order) // 2:]
        others = mnist.images[half_b[:SIDE]]
        even = frechet_distance(mnist.images[half_a[:SIDE]], others)
        skewed = frechet_distance(in_mix(mnist.images, mnist.labels, half_a, shares, generator), others)
        fakes = frechet_distance(draw_samples(G, SIDE, seed=split), others)
        print(f"split {split}: even real mix {even:.1f}   real digits in the dcgan's mix {skewed:.1f}   "
              f"the dcgan's samples {fakes:.1f}")


if __name__ == "__main__":
    main()
