"""Compare DCGAN training recipes on the bundled digits: how the pretrained DCGAN's recipe was chosen.

    .venv/bin/python scripts/dcgan_recipe_sweep.py classic '{"checks": [30, 60]}'
    .venv/bin/python scripts/dcgan_recipe_sweep.py sn_ttur '{"D": "sn", "lr_D": 4e-4, "lr": 1e-4, "betas": [0.0, 0.9]}'

A recipe is a JSON dict: "D" is "bn" (the classic DCGAN D), "plain" (no BatchNorm), "sn" (spectral
norm, no BatchNorm) or "pac" (D judges pairs of images, PacGAN), with "ndf", "ngf", "bs", "lr",
"lr_D", "betas", "real_label" and "checks" (the epochs at which to score). At each check it prints
one JSON line with the scores of G and of an exponential moving average of G's weights (decay 0.999).
Runs on the GPU when there is one (each run takes minutes there, much longer on a CPU).
"""
import json
import sys
import time

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from gan_utils import InMemoryBatches, get_device, load_mnist, seed_everything
from gan_utils.metrics import score_generator
from gan_utils.models import DCGANDiscriminator, DCGANGenerator, weights_init
from gan_utils.train import GANTrainer


class PlainDiscriminator(nn.Module):
    """The 28x28 DCGAN discriminator without BatchNorm; ``pack=2`` judges pairs of images (PacGAN)."""

    def __init__(self, ndf: int = 32, pack: int = 1):
        super().__init__()
        self.pack = pack
        self.net = nn.Sequential(
            nn.Conv2d(pack, ndf, 4, 2, 1), nn.LeakyReLU(0.2),           # (N, 32, 14, 14)
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1), nn.LeakyReLU(0.2),        # (N, 64, 7, 7)
            nn.Conv2d(ndf * 2, 1, 7, 1, 0), nn.Flatten(),               # (N, 1) logit
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images.reshape(-1, self.pack, 28, 28))


class AveragingTrainer(GANTrainer):
    """GANTrainer that also keeps an exponential moving average of G's weights."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.G_average = AveragedModel(self.G, multi_avg_fn=get_ema_multi_avg_fn(0.999), use_buffers=True)

    def train_step(self, *batches):
        figures = super().train_step(*batches)
        self.G_average.update_parameters(self.G)
        return figures


def build(recipe: dict) -> tuple[nn.Module, nn.Module]:
    G = DCGANGenerator(ngf=recipe.get("ngf", 32)).apply(weights_init)
    ndf, kind = recipe.get("ndf", 32), recipe.get("D", "bn")
    D = {"bn": lambda: DCGANDiscriminator(ndf=ndf),
         "sn": lambda: DCGANDiscriminator(ndf=ndf, spectral_norm=True),
         "plain": lambda: PlainDiscriminator(ndf),
         "pac": lambda: PlainDiscriminator(ndf, pack=2)}[kind]()
    return G, D.apply(weights_init)


def main() -> None:
    name, recipe = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    device = get_device()
    mnist = load_mnist(source="bundled", verbose=False)
    seed_everything(0)
    G, D = build(recipe)
    batches = InMemoryBatches(mnist.images, batch_size=recipe.get("bs", 64), seed=0, device=device)
    trainer = AveragingTrainer(G, D, batches, lr=recipe.get("lr", 2e-4), lr_D=recipe.get("lr_D"),
                               betas=tuple(float(b) for b in recipe.get("betas", (0.5, 0.999))),
                               real_label=recipe.get("real_label", 1.0), seed=0, device=device)
    if recipe.get("D") == "pac":
        trainer.joint_D_step = False  # pairs must not mix real and fake images
    start, done = time.perf_counter(), 0
    for epoch in recipe.get("checks", [30, 60, 100, 150]):
        trainer.fit(epoch - done, progress=False)
        done = epoch
        for which, model in (("G", trainer.G), ("average", trainer.G_average.module)):
            model.latent_dim = G.latent_dim
            scores = score_generator(model.cpu(), train=mnist.images)  # drawn in eval mode, against the held-out digits
            model.to(device)
            print(json.dumps({"name": name, "epoch": epoch, "which": which, "fd": scores["frechet_distance"],
                              "entropy": scores["class_entropy"], "shares": scores["class_histogram"],
                              "seconds": round(time.perf_counter() - start)}), flush=True)


if __name__ == "__main__":
    main()
