"""How fast the training core runs each lesson's configuration, on this machine's device.

Seconds per epoch of the 4000 training digits (62 steps of 64) for the image GANs of lessons 03-05
and 07, and per 500 steps of lesson 07's 2D lab; the best of ``--repeats`` timed runs after one
warm-up. It uses only calls that every version of the course has, so the same file can time two
checkouts (``PYTHONPATH=path/to/checkout python benchmarks/training_core.py``).

Usage:  python benchmarks/training_core.py [--repeats 3]
"""
import argparse
import inspect
import time

import torch

from gan_utils import InMemoryBatches, get_device, load_mnist
from gan_utils.models import (ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, DCGANDiscriminator,
                              DCGANGenerator, MLPDiscriminator, MLPGenerator, weights_init)
from gan_utils.toy import ToyGAN
from gan_utils.train import GANTrainer, WGANTrainer


def image_trainer(name: str, mnist, device):
    torch.manual_seed(0)
    labels = mnist.labels if name == "05 conditional DCGAN" else None
    batches = InMemoryBatches(mnist.images, batch_size=64, labels=labels, seed=0)
    if name == "03 MLP GAN":
        return GANTrainer(MLPGenerator(), MLPDiscriminator(), batches, seed=0, device=device)
    if name == "04 DCGAN":
        return GANTrainer(DCGANGenerator().apply(weights_init), DCGANDiscriminator().apply(weights_init),
                          batches, seed=0, device=device)
    if name == "05 conditional DCGAN":
        return GANTrainer(ConditionalDCGANGenerator().apply(weights_init),
                          ConditionalDCGANDiscriminator().apply(weights_init), batches, seed=0, device=device)
    # lesson 07's WGAN-GP: two critic updates per G update (named d_steps, earlier n_critic)
    two = "d_steps" if "d_steps" in inspect.signature(WGANTrainer).parameters else "n_critic"
    return WGANTrainer(DCGANGenerator().apply(weights_init), DCGANDiscriminator(spectral_norm=True).apply(weights_init),
                       batches, lr=2e-4, betas=(0.0, 0.9), seed=0, device=device, **{two: 2})


def best_time(run, repeats: int) -> float:
    run()  # warm-up: first-call allocations
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    device = get_device()
    mnist = load_mnist(source="bundled")
    print(f"device: {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    for name in ("03 MLP GAN", "04 DCGAN", "05 conditional DCGAN", "07 WGAN-GP DCGAN"):
        trainer = image_trainer(name, mnist, device)
        seconds = best_time(lambda: trainer.fit(1, progress=False), args.repeats)
        print(f"{name:<24} {seconds:6.2f} s per epoch")
    lab = ToyGAN(data="ring", seed=0)
    seconds = best_time(lambda: lab.train(500, progress=False), args.repeats)
    print(f"{'07 2D lab (ring)':<24} {seconds:6.2f} s per 500 steps")


if __name__ == "__main__":
    main()
