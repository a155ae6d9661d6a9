"""Wasserstein GAN with gradient penalty (WGAN-GP): the critic step, the generator step, the loop.

The critic C is a discriminator without a final sigmoid: it gives any real number, higher for
"more real". It is trained to widen E[C(x)] - E[C(G(z))], an estimate of the Wasserstein distance
between the real and generated distributions, while a gradient penalty keeps C's slope near 1
(Gulrajani et al., 2017, "Improved Training of Wasserstein GANs").
"""
import torch
from torch import nn

from .steps import _judge, frozen, has_batch_norm
from .trainer import GANTrainer


def gradient_penalty(C: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor,
                     labels: torch.Tensor | None = None,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """mean over the batch of (|grad_x C(x_hat)| - 1)^2, at random points x_hat on the straight
    lines between real and fake samples. Differentiable, so it can be added to C's loss."""
    if x_real.shape != x_fake.shape:
        raise ValueError(f"real and fake batches must have the same shape to mix them, got "
                         f"{tuple(x_real.shape)} and {tuple(x_fake.shape)}")
    eps_shape = (len(x_real),) + (1,) * (x_real.dim() - 1)          # one mixing weight per sample
    eps = torch.rand(eps_shape, generator=generator).to(x_real.device)
    x_hat = (eps * x_real + (1 - eps) * x_fake.detach()).requires_grad_(True)
    scores = _judge(C, x_hat, labels)                                # (N, 1)
    grads, = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)  # same shape as x_hat
    return (grads.flatten(1).norm(dim=1) - 1).square().mean()


def critic_step(C: nn.Module, opt_C: torch.optim.Optimizer, x_real: torch.Tensor,
                x_fake: torch.Tensor, labels: torch.Tensor | None = None, gp_weight: float = 10.0,
                generator: torch.Generator | None = None) -> dict[str, float]:
    """Update the critic once: loss = E[C(G(z))] - E[C(x)] + gp_weight * gradient penalty.

    Returns the loss, the Wasserstein estimate E[C(x)] - E[C(G(z))] (before the update), the
    penalty, and the mean scores C(x) and C(G(z)) under the names D_x and D_G_z1 (raw scores
    here, not probabilities).
    """
    scores_real = _judge(C, x_real, labels)                          # (N, 1)
    scores_fake = _judge(C, x_fake.detach(), labels)                 # (N, 1)
    wasserstein = scores_real.mean() - scores_fake.mean()
    penalty = gradient_penalty(C, x_real, x_fake, labels, generator)
    loss_C = -wasserstein + gp_weight * penalty
    opt_C.zero_grad(set_to_none=True)
    loss_C.backward()
    opt_C.step()
    return {"loss_D": loss_C.item(), "wasserstein": wasserstein.item(), "gp": penalty.item(),
            "D_x": scores_real.mean().item(), "D_G_z1": scores_fake.mean().item()}


def wgan_generator_step(C: nn.Module, opt_G: torch.optim.Optimizer, x_fake: torch.Tensor,
                        labels: torch.Tensor | None = None) -> dict[str, float]:
    """Update G once: loss = -E[C(G(z))], i.e. move the fakes where the critic scores high."""
    with frozen(C):
        scores_fake = _judge(C, x_fake, labels)                      # (N, 1)
        loss_G = -scores_fake.mean()
        opt_G.zero_grad(set_to_none=True)
        loss_G.backward()
    opt_G.step()
    return {"loss_G": loss_G.item(), "D_G_z2": scores_fake.mean().item()}


class WGANTrainer(GANTrainer):
    """``GANTrainer`` with the WGAN-GP losses: every batch trains the critic ``D`` once, and every
    ``n_critic``-th batch also trains G. D must have no BatchNorm (the penalty is per sample) and
    no sigmoid. The history's D_x, D_G_z1 and D_G_z2 hold raw critic scores, so D_x - D_G_z1 is the
    critic's estimate of the Wasserstein distance at each step (``wasserstein``; it falls as G
    improves)."""

    def __init__(self, G: nn.Module, D: nn.Module, batches, lr: float = 1e-4,
                 betas: tuple[float, float] = (0.5, 0.9), n_critic: int = 5,
                 gp_weight: float = 10.0, **kwargs):
        if not isinstance(n_critic, int) or n_critic < 1:
            raise ValueError(f"n_critic must be a whole number >= 1, got {n_critic!r}")
        if has_batch_norm(D):
            raise ValueError("a WGAN-GP critic must not use BatchNorm (the gradient penalty is "
                             "taken per sample); build D without it, e.g. "
                             "DCGANDiscriminator(spectral_norm=True) or MLPDiscriminator().")
        if getattr(D, "config", {}).get("sigmoid"):
            raise ValueError("a WGAN critic gives raw scores: build D with sigmoid=False.")
        super().__init__(G, D, batches, lr=lr, betas=betas, **kwargs)
        self.n_critic, self.gp_weight = n_critic, gp_weight
        self._last_G = {"loss_G": 0.0, "D_G_z2": 0.0}

    @property
    def wasserstein(self) -> list[float]:
        """The critic's Wasserstein estimate E[C(x)] - E[C(G(z))] at every step so far."""
        return [real - fake for real, fake in zip(self.history.D_x, self.history.D_G_z1)]

    def train_step(self, x_real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        x_real = x_real.to(self.device)
        z = self.noise(len(x_real))
        labels = None if self.num_classes is None else labels.to(self.device)
        x_fake = self.G(z) if labels is None else self.G(z, labels)         # (N, C, H, W)
        figures = critic_step(self.D, self.opt_D, x_real, x_fake, labels, self.gp_weight, self.rng)
        if self.step % self.n_critic == 0:   # G learns once per n_critic critic updates
            self._last_G = wgan_generator_step(self.D, self.opt_G, x_fake, labels)
        return figures | self._last_G
