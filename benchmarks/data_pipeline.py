"""Benchmark: the training loop over InMemoryBatches vs the classic DataLoader + transforms.

Same model, same starting weights, same number of steps; only where the batches come from
differs. Prints images per second for both pipelines and their ratio, for the MLP GAN and the
28x28 DCGAN.

    .venv/bin/python benchmarks/data_pipeline.py            # 2 epochs of the bundled digits each
    .venv/bin/python benchmarks/data_pipeline.py --epochs 1 --threads 2
"""
import argparse
import copy
import time

import torch
from torch.utils.data import DataLoader
from torchvision import transforms

from gan_utils import InMemoryBatches, load_mnist, seed_everything
from gan_utils.data import mnist_dataset
from gan_utils.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator, weights_init
from gan_utils.train import GANTrainer


def models(name: str):
    seed_everything(0)
    if name == "MLP GAN":
        return MLPGenerator(), MLPDiscriminator()
    G, D = DCGANGenerator(), DCGANDiscriminator()
    return G.apply(weights_init), D.apply(weights_init)


def images_per_second(G, D, batches, epochs: int) -> float:
    """Train copies of G and D for ``epochs`` epochs over ``batches``; real images seen per second."""
    trainer = GANTrainer(copy.deepcopy(G), copy.deepcopy(D), batches, seed=0)
    trainer.fit(1, progress=False)  # warm-up epoch: first-call allocations, worker start-up
    start = time.perf_counter()
    steps_before = trainer.step
    trainer.fit(epochs, progress=False)
    elapsed = time.perf_counter() - start
    return (trainer.step - steps_before) * 64 / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per pipeline (default 2)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    mnist = load_mnist(verbose=False)
    classic_transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    print(f"data: {mnist.describe()}; batch_size 64; torch threads {torch.get_num_threads()}; "
          f"{args.epochs} timed epoch(s) per pipeline after one warm-up epoch")
    print(f"{'model':<10} {'DataLoader + transforms':>24} {'InMemoryBatches':>17} {'speed-up':>9}")
    for name in ("MLP GAN", "DCGAN"):
        G, D = models(name)
        loader = DataLoader(mnist_dataset(transform=classic_transform), batch_size=64, shuffle=True,
                            drop_last=True)
        classic = images_per_second(G, D, loader, args.epochs)
        in_memory = images_per_second(G, D, InMemoryBatches(mnist.images, batch_size=64, seed=0),
                                      args.epochs)
        print(f"{name:<10} {classic:>18.0f} img/s {in_memory:>11.0f} img/s {in_memory / classic:>8.2f}x")


if __name__ == "__main__":
    main()
