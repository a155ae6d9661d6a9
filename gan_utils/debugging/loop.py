"""The bug lab's training code (lesson 08): lesson 03's GAN written out in plain PyTorch, small
enough to read in one screen. Each bug in ``bugs.py`` changes exactly one line of this file.

Nothing here is a flag: a bug is this source with one line replaced, compiled again.
"""
import torch
from torch import nn

from ..train.diagnosis import layer_gradient_norms


def build_generator(latent_dim: int = 64) -> nn.Module:
    """z (N, latent_dim) -> images (N, 1, 28, 28) in (-1, 1)."""
    return nn.Sequential(
        nn.Linear(latent_dim, 256),                   # (N, 256)
        nn.ReLU(),
        nn.Linear(256, 784),                          # (N, 784)
        nn.Tanh(),                                    # pixels in (-1, 1), like the data
        nn.Unflatten(1, (1, 28, 28)),                 # (N, 1, 28, 28)
    )


def build_discriminator() -> nn.Module:
    """images (N, 1, 28, 28) -> one logit per image (N, 1)."""
    return nn.Sequential(
        nn.Flatten(),                                 # (N, 784)
        nn.Linear(784, 256),                          # (N, 256)
        nn.LeakyReLU(0.2),
        nn.Linear(256, 1),                            # (N, 1) logit: no Sigmoid with BCEWithLogitsLoss
    )


def make_optimizers(G: nn.Module, D: nn.Module, lr: float = 2e-4):
    """Adam for each player, each over its own parameters."""
    opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    return opt_G, opt_D


def prepare(images: torch.Tensor) -> torch.Tensor:
    """The real images as D sees them: MNIST in [-1, 1], like G's Tanh output."""
    return images


def train_step(G, D, opt_G, opt_D, x_real, z, z_G) -> dict:
    """One step of the classic loop: D learns real -> 1 and fake -> 0, then G learns to make D say
    1 on fresh fakes. Returns the figures the health panel reads."""
    criterion = nn.BCEWithLogitsLoss()
    opt_D.zero_grad()
    opt_G.zero_grad()
    real_labels = torch.ones(len(x_real), 1, device=x_real.device)    # (N, 1): "real"
    fake_labels = torch.zeros(len(x_real), 1, device=x_real.device)   # (N, 1): "fake"

    # 1. D's step
    x_fake = G(z)                                      # (N, 1, 28, 28)
    logits_real = D(x_real)                            # (N, 1)
    logits_fake = D(x_fake.detach())                   # detach: D's step must not reach G
    loss_D = (criterion(logits_real, real_labels) + criterion(logits_fake, fake_labels)) / 2
    loss_D.backward()
    D_before = weights_of(D)
    opt_D.step()
    leak = gradient_norm(G)                            # what reached G in D's step: 0 when healthy

    # 2. G's step, on fresh fakes
    logits_G = D(G(z_G))                               # (N, 1)
    loss_G = criterion(logits_G, real_labels)          # non-saturating: make D say "real"
    loss_G.backward()
    G_before = weights_of(G)
    opt_G.step()

    with torch.no_grad():                              # the figures, as 0-dim tensors (read later)
        return layer_gradient_norms(G) | {
            "loss_D": loss_D, "loss_G": loss_G, "grad_G_in_D_step": leak,
            "D_step": step_length(D, D_before), "G_step": step_length(G, G_before),
            "D_x": torch.sigmoid(logits_real).mean(), "D_G_z1": torch.sigmoid(logits_fake).mean(),
            "D_G_z2": torch.sigmoid(logits_G).mean(),
            "fake_min": x_fake.min(), "fake_max": x_fake.max(), "real_min": x_real.min(), "real_max": x_real.max()}


def mix(x_real, x_fake) -> torch.Tensor:
    """Points on the straight line between each real image and its fake: eps * real + (1 - eps) * fake."""
    eps = torch.rand(len(x_real), 1, 1, 1, device=x_real.device)      # one mixing weight per example
    return eps * x_real + (1 - eps) * x_fake


def gradient_penalty(C, x_real, x_fake) -> torch.Tensor:
    """WGAN-GP's penalty: mean of (|grad C(x_hat)| - 1)^2 at points x_hat between real and fake."""
    x_hat = mix(x_real, x_fake).requires_grad_(True)
    grads, = torch.autograd.grad(C(x_hat).sum(), x_hat, create_graph=True)   # (N, 1, 28, 28)
    return (grads.flatten(1).norm(dim=1) - 1).square().mean()   # one norm per example


def wgan_step(G, C, opt_G, opt_C, x_real, z, z_G, gp_weight: float = 10.0) -> dict:
    """One WGAN-GP step: the critic widens E[C(x)] - E[C(G(z))] under the penalty, then G moves
    its fakes to where the critic scores high."""
    opt_C.zero_grad()
    x_fake = G(z).detach()
    wasserstein = C(x_real).mean() - C(x_fake).mean()
    gp = gradient_penalty(C, x_real, x_fake)
    (-wasserstein + gp_weight * gp).backward()
    opt_C.step()

    opt_G.zero_grad()
    loss_G = -C(G(z_G)).mean()
    loss_G.backward()
    opt_G.step()
    return layer_gradient_norms(G) | {
        "wasserstein": wasserstein.detach(), "gp": gp.detach(), "loss_G": loss_G.detach(),
        "critic_slope": critic_slope(C, x_real, x_fake), "mix_on_line": on_line(mix(x_real, x_fake), x_real, x_fake)}


def critic_slope(C, x_real, x_fake) -> float:
    """The critic's mean slope |grad C| at points between each real and its fake: what the penalty
    should hold near 1 (measured here on its own, whatever gradient_penalty does)."""
    eps = torch.rand(len(x_real), 1, 1, 1, device=x_real.device)
    x_hat = (eps * x_real + (1 - eps) * x_fake).requires_grad_(True)
    grads, = torch.autograd.grad(C(x_hat).sum(), x_hat)
    return grads.flatten(1).norm(dim=1).mean()


def on_line(x_hat, x_real, x_fake) -> torch.Tensor:
    """How well points lie on the lines from each fake to its real image: the mean cosine between
    x_hat - x_fake and x_real - x_fake (1 when every x_hat is on its line)."""
    return nn.functional.cosine_similarity((x_hat - x_fake).flatten(1), (x_real - x_fake).flatten(1)).mean()


def gradient_norm(model: nn.Module) -> torch.Tensor:
    """The length of all of ``model``'s gradients together (0 where nothing arrived)."""
    grads = [p.grad.detach().norm() for p in model.parameters() if p.grad is not None]
    return torch.stack(grads).norm() if grads else torch.zeros(())


def weights_of(model: nn.Module) -> list[torch.Tensor]:
    """A copy of ``model``'s weights, to measure how far the next optimizer step moves them."""
    return [p.detach().clone() for p in model.parameters()]


def step_length(model: nn.Module, before: list[torch.Tensor]) -> torch.Tensor:
    """How far one optimizer step moved ``model``'s weights: |theta_after - theta_before|. Adam moves
    every weight by about the learning rate, so this follows the learning rate more than the loss."""
    return torch.stack([(p.detach() - b).norm() for p, b in zip(model.parameters(), before)]).norm()
