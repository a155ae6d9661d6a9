"""One discriminator step and one generator step: the two halves of every GAN update."""
from contextlib import contextmanager

import torch
from torch import nn


def has_batch_norm(model: nn.Module) -> bool:
    """True when the model normalizes over the batch (then real and fake batches must not mix)."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())


def _judge(D: nn.Module, images: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    """D's logits for a batch; a conditional D also gets the class labels."""
    return D(images) if labels is None else D(images, labels)


def discriminator_step(D: nn.Module, opt_D: torch.optim.Optimizer, criterion: nn.Module,
                       x_real: torch.Tensor, x_fake: torch.Tensor, labels: torch.Tensor | None = None,
                       real_label: float = 1.0, joint: bool | None = None) -> dict[str, float]:
    """Update D once: real images labelled ``real_label`` (1), fakes labelled 0, the halves averaged.

    ``x_fake`` must be detached from G (``G(z).detach()``), so this step cannot change G.
    Returns the loss, D(x) and D(G(z)) (mean probabilities, before the update).
    A D without BatchNorm judges both halves in one forward pass (``joint``, the same numbers,
    faster); with BatchNorm the halves stay separate, so each batch is normalized on its own.
    """
    if joint is None:
        joint = not has_batch_norm(D)
    if joint:
        both_labels = None if labels is None else torch.cat([labels, labels])
        logits_real, logits_fake = _judge(D, torch.cat([x_real, x_fake]), both_labels).split(
            [len(x_real), len(x_fake)])                                # (N, 1) each
    else:
        logits_real = _judge(D, x_real, labels)                        # (N, 1)
        logits_fake = _judge(D, x_fake, labels)                        # (N, 1)
    loss_real = criterion(logits_real, torch.full_like(logits_real, real_label))
    loss_fake = criterion(logits_fake, torch.zeros_like(logits_fake))
    loss_D = (loss_real + loss_fake) / 2
    opt_D.zero_grad(set_to_none=True)
    loss_D.backward()
    opt_D.step()
    return {"loss_D": loss_D.item(),
            "D_x": torch.sigmoid(logits_real).mean().item(),
            "D_G_z1": torch.sigmoid(logits_fake).mean().item()}


GENERATOR_LOSSES = ("non-saturating", "saturating")


def generator_step(D: nn.Module, opt_G: torch.optim.Optimizer, criterion: nn.Module,
                   x_fake: torch.Tensor, labels: torch.Tensor | None = None,
                   loss: str = "non-saturating") -> dict[str, float]:
    """Update G once. The non-saturating loss (the default) makes D call the fakes real:
    -log D(G(z)). The ``"saturating"`` loss of the original minimax game, log(1 - D(G(z))), is
    here for lesson 07, which shows why nobody trains with it.

    ``x_fake`` is ``G(z)`` *with* its graph, so the gradient flows through D into G; D's weights
    are frozen meanwhile (no wasted gradients) and only ``opt_G`` steps, so D is left as it was.
    Returns the loss and D(G(z)) after D's update.
    """
    if loss not in GENERATOR_LOSSES:
        raise ValueError(f"loss must be one of {GENERATOR_LOSSES}, got {loss!r}")
    with frozen(D):  # gradients still flow *through* D to G; D's own are skipped
        logits_fake = _judge(D, x_fake, labels)                        # (N, 1)
        if loss == "non-saturating":
            loss_G = criterion(logits_fake, torch.ones_like(logits_fake))
        else:  # minimise log(1 - D(G(z))) = -BCE(logits, 0)
            loss_G = -criterion(logits_fake, torch.zeros_like(logits_fake))
        opt_G.zero_grad(set_to_none=True)
        loss_G.backward()
    opt_G.step()
    return {"loss_G": loss_G.item(), "D_G_z2": torch.sigmoid(logits_fake).mean().item()}


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
