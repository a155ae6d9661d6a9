"""Drawing from a generator: one call for plain and conditional G, and eval mode for a while."""
from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def evaluating(model: nn.Module):
    """``model`` in eval mode inside the ``with`` block (BatchNorm uses its running statistics),
    back in the mode it was in afterwards, even when the block raises."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def generate(G: nn.Module, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
    """G's images for codes ``z`` (N, latent_dim): ``G(z)``, or ``G(z, labels)`` with one class
    label per code (N,) for a conditional G. Gradients flow as usual (wrap it in
    ``torch.no_grad()`` to only look)."""
    conditional = getattr(G, "num_classes", None) is not None
    if conditional and labels is None:
        raise ValueError(f"this {type(G).__name__} is conditional: pass one class label per code, "
                         f"e.g. generate(G, z, labels=torch.arange(len(z)) % {G.num_classes})")
    if not conditional and labels is not None:
        raise ValueError(f"this {type(G).__name__} takes no labels (it has no num_classes); "
                         f"leave labels out, or use a conditional generator")
    return G(z) if labels is None else G(z, labels)
