"""Lesson 07's MNIST mode collapse, with its settings and seed: a generator ten times faster than
its discriminator draws fewer kinds of digit than the balanced run (class entropy; the claims of
tools/outcomes.py, whose margins tools/margins.py measures over seeds and CPU kernel paths)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from outcomes import MNIST_CLAIMS, mnist_collapse  # noqa: E402


def test_generator_faster_than_discriminator_collapses_onto_fewer_digits():
    entropies = mnist_collapse(seed=0)
    for claim in MNIST_CLAIMS:
        assert claim.holds(entropies), (claim.says, entropies)
