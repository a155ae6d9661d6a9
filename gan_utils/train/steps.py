"""One discriminator step and one generator step: the two halves of every GAN update, in the BCE
form and the WGAN-GP form. Each half is a loss (``discriminator_loss``, ``generator_loss``,
``critic_loss``, ``wgan_generator_loss``: the forward passes and the figures), which the trainer
follows with zero_grad, backward and step; the ``*_step`` functions do all of it in one call, for
a loop written by hand (lesson 03 writes one and shows it equals the trainer).

The WGAN critic C is a discriminator without a final sigmoid: it gives any real number, higher for
"more real". It is trained to widen E[C(x)] - E[C(G(z))], an estimate of the Wasserstein distance
between the real and generated distributions, while a gradient penalty keeps C's slope near 1
(Gulrajani et al., 2017, "Improved Training of Wasserstein GANs").
"""
from contextlib import contextmanager

import torch
from torch import nn


def has_batch_norm(model: nn.Module) -> bool:
    """True when the model normalizes over the batch (then real and fake batches must not mix)."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())


def apply_model(model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    """``model(inputs)``, or ``model(inputs, labels)`` for a conditional G or D."""
    return model(inputs) if labels is None else model(inputs, labels)


def _probability(outputs: torch.Tensor, criterion: nn.Module) -> torch.Tensor:
    """D's mean belief "real": the sigmoid of logits, or the outputs themselves when D already
    ends in a sigmoid (the classic ``Sigmoid`` + ``BCELoss`` form)."""
    outputs = outputs.detach().float()
    return (outputs if isinstance(criterion, nn.BCELoss) else torch.sigmoid(outputs)).mean()


def update(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    """One optimizer step down ``loss``: clear the old gradients, backpropagate, step."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


# --- the BCE GAN ----------------------------------------------------------------------------------

def judge_both(D: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor, labels: torch.Tensor | None = None,
               joint: bool | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """D's logits for the real and the fake batch, (N, 1) each: in one forward pass when ``joint``
    (the default without BatchNorm: the same numbers, faster), else one pass per batch, so that
    BatchNorm normalizes each batch on its own."""
    if joint is None:
        joint = not has_batch_norm(D)
    if joint:
        both_labels = None if labels is None else torch.cat([labels, labels])
        return apply_model(D, torch.cat([x_real, x_fake]), both_labels).split([len(x_real), len(x_fake)])
    return apply_model(D, x_real, labels), apply_model(D, x_fake, labels)


def discriminator_loss(D: nn.Module, criterion: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor,
                       labels: torch.Tensor | None = None, real_label: float = 1.0,
                       joint: bool | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """D's loss: real images labelled ``real_label`` (1), fakes labelled 0, the halves averaged;
    and its figures D(x) and D(G(z)) (mean probabilities). A D without BatchNorm judges both
    halves in one forward pass (``joint``: the same numbers, faster); with BatchNorm the halves
    stay separate, so each batch is normalized on its own."""
    logits_real, logits_fake = judge_both(D, x_real, x_fake, labels, joint)
    loss_real = criterion(logits_real, torch.full_like(logits_real, real_label))
    loss_fake = criterion(logits_fake, torch.zeros_like(logits_fake))
    loss_D = (loss_real + loss_fake) / 2
    return loss_D, {"loss_D": loss_D.detach(), "D_x": _probability(logits_real, criterion),
                    "D_G_z1": _probability(logits_fake, criterion)}


def discriminator_step(D: nn.Module, opt_D: torch.optim.Optimizer, criterion: nn.Module,
                       x_real: torch.Tensor, x_fake: torch.Tensor, labels: torch.Tensor | None = None,
                       real_label: float = 1.0, joint: bool | None = None) -> dict[str, torch.Tensor]:
    """Update D once on real images and fakes (see ``discriminator_loss``).

    ``x_fake`` must be detached from G (``G(z).detach()``), so this step cannot change G.
    Returns the loss, D(x) and D(G(z)) (before the update) as 0-dim tensors on D's device:
    reading them (``float(...)``) waits for the device, so the loop reads them later.
    """
    loss_D, figures = discriminator_loss(D, criterion, x_real, x_fake, labels, real_label, joint)
    update(opt_D, loss_D)
    return figures


def mismatch_loss(D: nn.Module, x_real: torch.Tensor, labels: torch.Tensor, shift: torch.Tensor,
                  criterion: nn.Module | None = None) -> torch.Tensor:
    """The matching-aware discriminator's third term (Reed et al. 2016; lesson 05, exercise 5): real
    images shown with wrong labels, ``(labels + shift) % num_classes`` with each shift in 1..9, as fakes."""
    criterion = criterion if criterion is not None else nn.BCEWithLogitsLoss()
    wrong_labels = (labels + shift) % getattr(D, "num_classes", 10)   # never the true label
    logits = D(x_real, wrong_labels)                                  # (N, 1)
    return criterion(logits, torch.zeros_like(logits))


GENERATOR_LOSSES = ("non-saturating", "saturating")


def generator_loss(D: nn.Module, criterion: nn.Module, x_fake: torch.Tensor,
                   labels: torch.Tensor | None = None,
                   loss: str = "non-saturating") -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """G's loss through D. The non-saturating loss (the default) makes D call the fakes real:
    -log D(G(z)). The ``"saturating"`` loss of the original minimax game, log(1 - D(G(z))), is
    here for lesson 07, which shows why nobody trains with it."""
    if loss not in GENERATOR_LOSSES:
        raise ValueError(f"loss must be one of {GENERATOR_LOSSES}, got {loss!r}")
    logits_fake = apply_model(D, x_fake, labels)                       # (N, 1)
    if loss == "non-saturating":
        loss_G = criterion(logits_fake, torch.ones_like(logits_fake))
    else:  # minimise log(1 - D(G(z))) = -BCE(logits, 0)
        loss_G = -criterion(logits_fake, torch.zeros_like(logits_fake))
    return loss_G, {"loss_G": loss_G.detach(), "D_G_z2": _probability(logits_fake, criterion)}


def generator_step(D: nn.Module, opt_G: torch.optim.Optimizer, criterion: nn.Module,
                   x_fake: torch.Tensor, labels: torch.Tensor | None = None,
                   loss: str = "non-saturating") -> dict[str, torch.Tensor]:
    """Update G once (see ``generator_loss``).

    ``x_fake`` is ``G(z)`` *with* its graph, so the gradient flows through D into G; D's weights
    are frozen while D judges (no wasted gradients) and only ``opt_G`` steps, so D is left as it
    was. Returns the loss and D(G(z)) after D's update (0-dim tensors, like ``discriminator_step``).
    """
    with frozen(D):   # the graph built here has no edges into D's weights
        loss_G, figures = generator_loss(D, criterion, x_fake, labels, loss)
    update(opt_G, loss_G)
    return figures


# --- WGAN-GP --------------------------------------------------------------------------------------

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
    scores = apply_model(C, x_hat, labels)                           # (N, 1)
    grads, = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)  # same shape as x_hat
    return (grads.flatten(1).norm(dim=1) - 1).square().mean()


def critic_loss(C: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor,
                labels: torch.Tensor | None = None, gp_weight: float = 10.0,
                generator: torch.Generator | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The critic's loss E[C(G(z))] - E[C(x)] + gp_weight * gradient penalty, and its figures: the
    Wasserstein estimate E[C(x)] - E[C(G(z))], the penalty, and the mean scores C(x) and C(G(z))
    under the names D_x and D_G_z1 (raw scores here, not probabilities)."""
    scores_real = apply_model(C, x_real, labels)                     # (N, 1)
    scores_fake = apply_model(C, x_fake.detach(), labels)            # (N, 1)
    wasserstein = scores_real.mean() - scores_fake.mean()
    penalty = gradient_penalty(C, x_real, x_fake, labels, generator)
    loss_C = -wasserstein + gp_weight * penalty
    return loss_C, {"loss_D": loss_C.detach(), "wasserstein": wasserstein.detach(), "gp": penalty.detach(),
                    "D_x": scores_real.detach().mean(), "D_G_z1": scores_fake.detach().mean()}


def critic_step(C: nn.Module, opt_C: torch.optim.Optimizer, x_real: torch.Tensor,
                x_fake: torch.Tensor, labels: torch.Tensor | None = None, gp_weight: float = 10.0,
                generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Update the critic once (see ``critic_loss``); its figures are from before the update."""
    loss_C, figures = critic_loss(C, x_real, x_fake, labels, gp_weight, generator)
    update(opt_C, loss_C)
    return figures


def wgan_generator_loss(C: nn.Module, x_fake: torch.Tensor, labels: torch.Tensor | None = None
                        ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """G's loss -E[C(G(z))]: move the fakes where the critic scores high."""
    scores_fake = apply_model(C, x_fake, labels)                     # (N, 1)
    loss_G = -scores_fake.mean()
    return loss_G, {"loss_G": loss_G.detach(), "D_G_z2": scores_fake.detach().mean()}


def wgan_generator_step(C: nn.Module, opt_G: torch.optim.Optimizer, x_fake: torch.Tensor,
                        labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Update G once against the critic (see ``wgan_generator_loss``)."""
    with frozen(C):
        loss_G, figures = wgan_generator_loss(C, x_fake, labels)
    update(opt_G, loss_G)
    return figures


@contextmanager
def frozen(model: nn.Module):
    """Inside the block the model's weights collect no gradients (inputs still get theirs)."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    for parameter in trainable:
        parameter.requires_grad_(False)
    try:
        yield model
    finally:
        for parameter in trainable:
            parameter.requires_grad_(True)
