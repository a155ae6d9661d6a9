"""Lesson 04's DCGAN recipes at equal epochs, over several seeds, scored as lesson 04 scores them.

* ``classic``: section 2's recipe (BatchNorm in D, Adam lr 2e-4, betas (0.5, 0.999), batches of 64),
  which section 8 and exercise 5 compare against.
* ``sn_ttur``: the shipped pretrained ``dcgan``'s recipe, read from its card (a spectrally
  normalized D without BatchNorm, D four times faster than G, betas (0, 0.9)), but trained for
  the same epochs as the others rather than the card's 200.
* ``beta1_0.9``: exercise 5's ablation, the classic recipe with Adam's default beta1 = 0.9 (the
  exercise compares the class entropy of 1000 samples after one epoch: ``--recipes classic beta1_0.9
  --epochs 1 --samples 1000``).
* ``batch32``: section 3's run, the one a learner makes in full mode (seed 0, 25 epochs): the
  classic recipe with batches of 32, about 1.7 times the updates in the same time. Before and after
  at equal wall time: ``--recipes classic batch32 --seeds 0 1 2 --seconds 120``. Other candidates
  tried for that run: ``batch16``, ``batch32_ema``, ``batch32_lr1e-4``, ``batch32_lr4e-4_ema``,
  ``lr4e-4``, ``lr4e-4_ema`` and ``smooth`` (real labels 0.9).
* lesson 09's toolkit, each the classic recipe with one change: ``hinge`` (the hinge loss), ``r1``
  (an R1 penalty, gamma 1), ``ema`` (sample from a moving average of G, decay 0.999; ``ema_0.99``
  0.99), ``sn`` (a spectrally normalized D without BatchNorm, the classic rates).

Each run trains with the course's GANTrainer on the 4000 training digits of the bundled subset (62
steps of 64 an epoch, 125 of 32) and, at every epoch in ``--epochs``, prints one line: the scores of
``metrics.score_generator`` on ``--samples`` generated digits (at most 1000) against the 1000
held-out digits, which no GAN and not the classifier trained on (Frechet distance, with its floor:
1000 training digits against them; precision and recall; class entropy; the rarest and the
commonest digit's share), the mean D(x) and D(G(z)) over all the steps so far, and the class
entropy of the 64 fixed-noise images. With EMA the average of G is scored. ``--seconds S`` trains
whole epochs until S seconds of training are spent and scores once at the end: recipes compared at
equal wall time. A summary per recipe follows. Runs on the course's device (``get_device()``);
30 epochs take a few minutes on a 2-core CPU.

Usage:  python benchmarks/dcgan_recipes.py [--recipes classic sn_ttur] [--seeds 0 1] [--epochs 30]
                                           [--samples 1000] [--seconds 120]
"""
import argparse
import time

import torch

from gan_utils import InMemoryBatches, get_device, load_mnist, seed_everything
from gan_utils.metrics import class_entropy, score_generator
from gan_utils.models import DCGANDiscriminator, DCGANGenerator, weights_init
from gan_utils.pretrained import pretrained_card
from gan_utils.train import GANTrainer

CLASSIC = {"lr": 2e-4, "betas": (0.5, 0.999)}   # lesson 04, section 2 (with batches of 64)
TOOLKIT = {"hinge": ({}, {"loss": "hinge"}), "r1": ({}, {"r1_weight": 1.0}), "ema": ({}, {"ema_decay": 0.999}),
           "ema_0.99": ({}, {"ema_decay": 0.99}), "sn": ({"spectral_norm": True}, {})}
# candidates for lesson 04's own run, which has about 2 minutes on a 2-core CPU: more, smaller steps
# (batch 32), a higher rate smoothed by EMA, one-sided label smoothing
FASTER = {"batch32": {}, "batch32_ema": {"ema_decay": 0.99}, "lr4e-4_ema": {"lr": 4e-4, "ema_decay": 0.99},
          "smooth": {"real_label": 0.9}, "batch32_lr1e-4": {"lr": 1e-4}, "batch16": {},
          "batch32_lr4e-4_ema": {"lr": 4e-4, "ema_decay": 0.99}, "lr4e-4": {"lr": 4e-4}}
BATCH_SIZES = {"batch32": 32, "batch32_ema": 32, "batch32_lr1e-4": 32, "batch32_lr4e-4_ema": 32, "batch16": 16}
RECIPES = ["classic", "sn_ttur", "beta1_0.9", *TOOLKIT, *FASTER]


def recipe(name: str) -> tuple[dict, dict]:
    """(D's options, the trainer's options) of a recipe; its batch size is BATCH_SIZES' (64 if not named)."""
    if name == "classic":
        return {}, CLASSIC
    if name == "beta1_0.9":
        return {}, CLASSIC | {"betas": (0.9, 0.999)}
    if name in TOOLKIT:
        D_options, changes = TOOLKIT[name]
        return D_options, CLASSIC | changes
    if name in FASTER:
        return {}, CLASSIC | FASTER[name]
    if name == "sn_ttur":
        card = pretrained_card("dcgan")
        options = card["trainer_options"]
        return card["discriminator"], {"lr": options["lr"], "lr_D": options["lr_D"], "betas": tuple(options["betas"])}
    raise ValueError(f"unknown recipe {name!r}; choose one of {', '.join(RECIPES)}")


def run(name: str, seed: int, checks: list[int], mnist, device, samples: int,
        seconds: float | None = None) -> list[dict]:
    """Train one recipe with one seed (weights, batches and z all from ``seed``, as section 3 does
    with seed 0) on ``mnist`` and return its scores at each epoch of ``checks`` (with ``seconds``:
    once, after that much training)."""
    D_options, options = recipe(name)
    seed_everything(seed)
    G, D = DCGANGenerator(), DCGANDiscriminator(**D_options)
    torch.manual_seed(seed)   # section 3 seeds again right before weights_init
    G.apply(weights_init), D.apply(weights_init)
    trainer = GANTrainer(G, D, InMemoryBatches(mnist.images, batch_size=BATCH_SIZES.get(name, 64), seed=seed), seed=seed,
                         device=device, **options)
    results, spent = [], 0.0
    for epoch in ([None] if seconds else sorted(checks)):
        while seconds and spent < seconds:          # equal wall time: whole epochs until the budget is spent
            start = time.perf_counter()
            trainer.fit(1, progress=False)
            spent += time.perf_counter() - start
        if not seconds:
            start = time.perf_counter()
            trainer.fit(epoch - trainer.epoch, progress=False)
            spent += time.perf_counter() - start
        scores = score_generator(trainer.G_to_sample, n=samples, train=mnist.images)
        shares = scores["class_histogram"]
        history = trainer.history
        results.append({"recipe": name, "seed": seed, "epoch": trainer.epoch, "fd": scores["frechet_distance"],
                        "floor": scores["real_floor"], "precision": scores["precision"], "recall": scores["recall"],
                        "entropy": scores["class_entropy"],
                        "rarest": min(range(10), key=shares.__getitem__), "rarest_share": min(shares),
                        "commonest": max(range(10), key=shares.__getitem__), "commonest_share": max(shares),
                        "D_x": history.mean("D_x"), "D_G_z": history.mean("D_G_z1"),
                        "fixed_entropy": class_entropy(trainer.sample_fixed()), "train_s": spent})
        print(line(results[-1]), flush=True)
    return results


def line(r: dict) -> str:
    return (f"{r['recipe']:<10} seed {r['seed']}  epoch {r['epoch']:>3}: FD {r['fd']:7.1f} ({r['fd'] / r['floor']:.1f} x "
            f"the floor {r['floor']:.1f})  precision {r['precision']:.2f}  recall {r['recall']:.2f}  "
            f"entropy {r['entropy']:.2f}  rarest {r['rarest']} {r['rarest_share']:.1%}, commonest "
            f"{r['commonest']} {r['commonest_share']:.1%}  |  mean D(x) {r['D_x']:.3f}, D(G(z)) {r['D_G_z']:.3f}, "
            f"gap {r['D_x'] - r['D_G_z']:.3f}; fixed-noise entropy {r['fixed_entropy']:.2f}  |  "
            f"{r['train_s']:.0f} s of training")


def summary(results: list[dict]) -> None:
    print("\nper recipe and epoch, over the seeds: mean [min, max]")
    for key in sorted({(r["recipe"], r["epoch"]) for r in results}, key=lambda k: (k[1], k[0])):
        rows = [r for r in results if (r["recipe"], r["epoch"]) == key]
        parts = []
        for figure, label in [("fd", "FD"), ("precision", "precision"), ("recall", "recall"), ("entropy", "entropy"), ("rarest_share", "rarest share"),
                              ("gap", "D(x) - D(G(z))"), ("fixed_entropy", "fixed-noise entropy")]:
            values = [r["D_x"] - r["D_G_z"] if figure == "gap" else r[figure] for r in rows]
            parts.append(f"{label} {sum(values) / len(values):.3g} [{min(values):.3g}, {max(values):.3g}]")
        print(f"{key[0]:<10} epoch {key[1]:>3} ({len(rows)} seeds): " + ", ".join(parts))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=["classic", "sn_ttur"], choices=RECIPES)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--epochs", nargs="+", type=int, default=[30], help="score at each of these epochs")
    parser.add_argument("--samples", type=int, default=1000, help="generated digits per score (at most 1000)")
    parser.add_argument("--seconds", type=float, help="train each run this long (whole epochs), then score")
    args = parser.parse_args(argv)
    device = get_device()
    mnist = load_mnist(source="bundled", verbose=False)   # the 4000 training digits
    print(f"device: {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads; training on "
          f"{len(mnist)} digits, scored against the 1000 held-out ones")
    results = [r for name in args.recipes for seed in args.seeds
               for r in run(name, seed, args.epochs, mnist, device, min(args.samples, 1000), args.seconds)]
    summary(results)


if __name__ == "__main__":
    main()
