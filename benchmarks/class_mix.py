"""How much of the pretrained dcgan's Frechet distance is its class mix? (lesson 05, section 8)

The dcgan draws its digits in an uneven mix (its card's class histogram), while the real digits are
an even one, and the Frechet distance counts the mix too. This scores, against the 1000 held-out
digits, for three random draws of 1000 of the 4000 training digits:

* an even mix of real digits (the floor the lessons print),
* real digits drawn in the dcgan's mix (what the mix alone costs),
* the dcgan's own samples (1000, a new seed per draw).

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
    mnist = load_mnist(source="bundled", verbose=False)                     # the training digits
    held_out = load_mnist(source="bundled", split="held-out", verbose=False).images
    shares = torch.tensor(pretrained_card("dcgan")["scores"]["class_histogram"])
    G = load_pretrained("dcgan")
    print(f"the dcgan's class mix: {' '.join(f'{d}:{s:.1%}' for d, s in enumerate(shares.tolist()))}")
    for draw in range(SPLITS):
        generator = torch.Generator().manual_seed(draw)
        pool = torch.randperm(len(mnist.images), generator=generator)
        even = frechet_distance(mnist.images[pool[:SIDE]], held_out)
        skewed = frechet_distance(in_mix(mnist.images, mnist.labels, pool, shares, generator), held_out)
        fakes = frechet_distance(draw_samples(G, SIDE, seed=draw), held_out)
        print(f"draw {draw}: even real mix {even:.1f}   real digits in the dcgan's mix {skewed:.1f}   "
              f"the dcgan's samples {fakes:.1f}")


if __name__ == "__main__":
    main()
