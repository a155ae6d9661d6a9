"""Lesson 09's stabilisation toolkit, three options of ``GANTrainer`` that modern GANs use:

* ``loss="hinge"``: D pushes real logits above +1 and fake logits below -1, and stops caring once
  they are there; G raises D's logit on its fakes (Lim & Ye 2017; Miyato et al. 2018; BigGAN).
* ``r1_weight``: the R1 penalty, (gamma / 2) E_real |grad_x D(x)|^2, which flattens D around the
  real images so it cannot push G with steep, changing slopes (Mescheder et al. 2018, StyleGAN).
* ``ema_decay``: an exponential moving average of G's weights, the G that is sampled and scored
  (Yazici et al. 2019; Karras et al. 2018): it averages out the last steps' back-and-forth.
"""
import copy

import torch
from torch import nn
from torch.nn import functional as F

from .steps import apply_model, judge_both


def hinge_discriminator_loss(D: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor,
                             labels: torch.Tensor | None = None,
                             joint: bool | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """D's hinge loss mean(relu(1 - D(x))) + mean(relu(1 + D(G(z)))) on logits, and its figures:
    D(x) and D(G(z)) as sigmoid(logit) averaged, the same health-panel reading as the BCE loss.
    ``joint``: one forward pass for both halves, as in ``discriminator_loss`` (not with BatchNorm)."""
    logits_real, logits_fake = judge_both(D, x_real, x_fake, labels, joint)   # (N, 1) each
    loss_D = F.relu(1 - logits_real).mean() + F.relu(1 + logits_fake).mean()
    return loss_D, {"loss_D": loss_D.detach(), "D_x": torch.sigmoid(logits_real.detach().float()).mean(),
                    "D_G_z1": torch.sigmoid(logits_fake.detach().float()).mean()}


def hinge_generator_loss(D: nn.Module, x_fake: torch.Tensor, labels: torch.Tensor | None = None
                         ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """G's hinge loss -mean(D(G(z))): raise D's logit on the fakes, with no saturation."""
    logits_fake = apply_model(D, x_fake, labels)                       # (N, 1)
    loss_G = -logits_fake.mean()
    return loss_G, {"loss_G": loss_G.detach(), "D_G_z2": torch.sigmoid(logits_fake.detach().float()).mean()}


def r1_penalty(D: nn.Module, x_real: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
    """mean over real images of |grad_x D(x)|^2, the squared length of D's slope at each real image
    (flattened over its pixels). Differentiable, so ``r1_weight / 2`` times it joins D's loss."""
    x_real = x_real.detach().requires_grad_(True)
    logits = apply_model(D, x_real, labels)                            # (N, 1)
    grads, = torch.autograd.grad(logits.sum(), x_real, create_graph=True)   # (N, C, H, W)
    return grads.flatten(1).square().sum(dim=1).mean()


class GeneratorAverage:
    """An exponential moving average of G's weights (and BatchNorm's running statistics), the G to
    sample: ``update(G)`` after each G update sets avg = d * avg + (1 - d) * G with
    d = min(decay, (1 + n) / (10 + n)) at the n-th update (counting from 0). The warm-up lets the
    average forget G's first, random weights within a few dozen steps; with a constant 0.999 a short
    run's average would still hold a third of its first step after 1000 (TensorFlow's
    ExponentialMovingAverage with num_updates does the same). The average itself is ``module``."""

    def __init__(self, G: nn.Module, decay: float):
        self.module = copy.deepcopy(G).requires_grad_(False)
        self.decay, self.updates = decay, 0

    @torch.no_grad()
    def update(self, G: nn.Module) -> None:
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for averaged, current in zip(self.module.state_dict().values(), G.state_dict().values()):
            if averaged.is_floating_point():
                averaged.lerp_(current.to(averaged.device), 1 - d)
            else:
                averaged.copy_(current)            # counters such as BatchNorm's num_batches_tracked
        self.updates += 1

    def state_dict(self) -> dict:
        return {"module": self.module.state_dict(), "updates": self.updates, "decay": self.decay}

    def load_state_dict(self, state: dict) -> None:
        self.module.load_state_dict(state["module"])
        self.updates = state["updates"]


def check_toolkit_options(loss: str, r1_weight, ema_decay) -> None:
    """Refuse toolkit settings that would train silently wrong, with the fix."""
    if not isinstance(r1_weight, (int, float)) or isinstance(r1_weight, bool) or r1_weight < 0:
        raise ValueError(f"r1_weight (gamma of the R1 penalty) should be a number >= 0, such as 1.0 "
                         f"or 10.0 (0 turns it off); got {r1_weight!r}")
    if r1_weight and loss == "wgan-gp":
        raise ValueError("r1_weight is for the BCE and hinge losses; WGAN-GP already has its own "
                         "penalty (gp_weight). Use one of them, not both.")
    if ema_decay is not None and (not isinstance(ema_decay, (int, float)) or isinstance(ema_decay, bool)
                                  or not 0 < ema_decay < 1):
        raise ValueError(f"ema_decay should be a number between 0 and 1, such as 0.999 (the average "
                         f"then spans about 1 / (1 - 0.999) = 1000 steps), or None for no average; "
                         f"got {ema_decay!r}")
