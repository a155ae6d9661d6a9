"""One discriminator step and one generator step: the two halves of every GAN update."""
import torch
from torch import nn


def _judge(D: nn.Module, images: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    """D's logits for a batch; a conditional D also gets the class labels."""
    return D(images) if labels is None else D(images, labels)


def discriminator_step(D: nn.Module, opt_D: torch.optim.Optimizer, criterion: nn.Module,
                       x_real: torch.Tensor, x_fake: torch.Tensor, labels: torch.Tensor | None = None,
                       real_label: float = 1.0) -> dict[str, float]:
    """Update D once: real images labelled ``real_label`` (1), fakes labelled 0, the halves averaged.

    ``x_fake`` must be detached from G (``G(z).detach()``), so this step cannot change G.
    Returns the loss, D(x) and D(G(z)) (mean probabilities, before the update).
    """
    logits_real = _judge(D, x_real, labels)                            # (N, 1)
    logits_fake = _judge(D, x_fake, labels)                            # (N, 1)
    loss_real = criterion(logits_real, torch.full_like(logits_real, real_label))
    loss_fake = criterion(logits_fake, torch.zeros_like(logits_fake))
    loss_D = (loss_real + loss_fake) / 2
    opt_D.zero_grad(set_to_none=True)
    loss_D.backward()
    opt_D.step()
    return {"loss_D": loss_D.item(),
            "D_x": torch.sigmoid(logits_real).mean().item(),
            "D_G_z1": torch.sigmoid(logits_fake).mean().item()}


def generator_step(D: nn.Module, opt_G: torch.optim.Optimizer, criterion: nn.Module,
                   x_fake: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
    """Update G once with the non-saturating loss: make D call the fakes real (label 1).

    ``x_fake`` is ``G(z)`` *with* its graph, so the gradient flows through D into G; only
    ``opt_G`` steps, so D is left as it was. Returns the loss and D(G(z)) after D's update.
    """
    logits_fake = _judge(D, x_fake, labels)                            # (N, 1)
    loss_G = criterion(logits_fake, torch.ones_like(logits_fake))
    opt_G.zero_grad(set_to_none=True)
    loss_G.backward()
    opt_G.step()
    return {"loss_G": loss_G.item(), "D_G_z2": torch.sigmoid(logits_fake).mean().item()}
