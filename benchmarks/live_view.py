"""Benchmark: how much the live training view slows training down.

Trains the MLP GAN for the same number of epochs with and without ``viz.LiveView`` (which
renders the curves and the latest grid every ``--every`` seconds) and prints the overhead.

    .venv/bin/python benchmarks/live_view.py              # 100 epochs each, a redraw every 5 s
"""
import argparse
import copy
import time

import matplotlib

matplotlib.use("Agg")

from gan_utils import InMemoryBatches, load_mnist, seed_everything  # noqa: E402
from gan_utils.models import MLPDiscriminator, MLPGenerator  # noqa: E402
from gan_utils.train import GANTrainer  # noqa: E402
from gan_utils.viz import LiveView  # noqa: E402


def seconds(G, D, images, epochs: int, live=None, every: float = 5.0) -> float:
    trainer = GANTrainer(copy.deepcopy(G), copy.deepcopy(D), InMemoryBatches(images, 64, seed=0), seed=0)
    start = time.perf_counter()
    trainer.fit(epochs, progress=False, live=live, live_every=every)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between redraws (default 5)")
    args = parser.parse_args()
    images = load_mnist(verbose=False).images
    seed_everything(0)
    G, D = MLPGenerator(), MLPDiscriminator()
    seconds(G, D, images, 1)  # warm-up
    plain = seconds(G, D, images, args.epochs)
    view = LiveView()
    live = seconds(G, D, images, args.epochs, live=view, every=args.every)
    print(f"MLP GAN, {args.epochs} epochs: {plain:.1f} s without the live view, {live:.1f} s with it "
          f"({view.frames_drawn} redraws, one every {args.every:g} s): overhead {100 * (live / plain - 1):+.1f} %")


if __name__ == "__main__":
    main()
