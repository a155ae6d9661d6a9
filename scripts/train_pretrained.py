"""Train the shipped generators with the course's own training room, in full mode, on the CPU.

    .venv/bin/python scripts/train_pretrained.py                 # all three
    .venv/bin/python scripts/train_pretrained.py dcgan cgan      # some of them

Each is trained on the bundled 5000 digits, scored with gan_utils.metrics on 2500 samples, and
written to data/pretrained/<name>.pt (half precision) with a JSON card: the command, seed, epochs,
wall time, torch threads and scores.
"""
import sys
import time

import torch

from gan_utils import InMemoryBatches, load_mnist, seed_everything
from gan_utils.metrics import print_scores, score_generator
from gan_utils.models import (ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, DCGANDiscriminator,
                              DCGANGenerator, MLPDiscriminator, MLPGenerator, weights_init)
from gan_utils.pretrained import PRETRAINED, save_pretrained
from gan_utils.train import GANTrainer

SEED = 0
DEFAULTS = {"lr": 2e-4, "betas": (0.5, 0.999)}  # the DCGAN paper's Adam settings
RECIPES = {  # name: (build G and D, epochs, trainer options on top of DEFAULTS)
    "mlp_gan": (lambda: (MLPGenerator(), MLPDiscriminator()), 400, {}),
    # The classic DCGAN (lesson 04) drops part of the digit 1 and scores FD 137; a spectrally normalized
    # D without BatchNorm, trained faster than G (two time-scales), covers all ten digits (lesson 04).
    "dcgan": (lambda: (DCGANGenerator().apply(weights_init),
                       DCGANDiscriminator(spectral_norm=True).apply(weights_init)), 200,
              {"lr": 1e-4, "lr_D": 4e-4, "betas": (0.0, 0.9)}),
    "cgan": (lambda: (ConditionalDCGANGenerator().apply(weights_init),
                      ConditionalDCGANDiscriminator().apply(weights_init)), 60, {}),
}


def train(name: str, mnist) -> None:
    build, epochs, options = RECIPES[name]
    seed_everything(SEED)
    G, D = build()
    labels = mnist.labels if name == "cgan" else None
    batches = InMemoryBatches(mnist.images, batch_size=64, labels=labels, seed=SEED)
    settings = DEFAULTS | options
    trainer = GANTrainer(G, D, batches, seed=SEED, **settings)
    start = time.perf_counter()
    trainer.fit(epochs)
    seconds = time.perf_counter() - start
    scores = score_generator(trainer.G.cpu().eval(), mnist.images)
    print_scores(scores, name)
    card = {"name": name, "what": PRETRAINED[name], "command": f"python scripts/train_pretrained.py {name}",
            "seed": SEED, "epochs": epochs, "steps": trainer.step, "batch_size": 64,
            "data": mnist.describe(), "optimizer": "Adam", "trainer_options": settings,
            "discriminator": D.config, "device": str(trainer.device), "torch_threads": torch.get_num_threads(),
            "wall_time_seconds": round(seconds, 1), "torch": torch.__version__, "scores": scores}
    print(f"wrote {save_pretrained(trainer.G, name, card)} ({seconds:.0f} s of training)")


def main() -> None:
    names = sys.argv[1:] or list(RECIPES)
    unknown = [name for name in names if name not in RECIPES]
    if unknown:
        sys.exit(f"unknown name(s) {unknown}; choose from {list(RECIPES)}")
    mnist = load_mnist(source="bundled", verbose=False)
    for name in names:
        train(name, mnist)


if __name__ == "__main__":
    main()
