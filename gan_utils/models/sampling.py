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


def unwrap(model: nn.Module) -> nn.Module:
    """The course's model inside ``nn.DataParallel``/``DistributedDataParallel`` (``.module``) or
    ``torch.compile`` (``._orig_mod``): where its ``latent_dim``, ``config`` and weights live."""
    while True:
        if isinstance(model, (nn.DataParallel, nn.parallel.DistributedDataParallel)):
            model = model.module
        elif hasattr(model, "_orig_mod") and isinstance(model._orig_mod, nn.Module):
            model = model._orig_mod
        else:
            return model


def class_count(G: nn.Module) -> int | None:
    """The number of classes a conditional G draws (its ``num_classes``), None for a plain G,
    seen through any wrapper: the course's one answer to "is this G conditional?"."""
    return getattr(unwrap(G), "num_classes", None)


def generate(G: nn.Module, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
    """G's images for codes ``z`` (N, latent_dim): ``G(z)``, or ``G(z, labels)`` with one class
    label per code (N,) for a conditional G. Gradients flow as usual (wrap it in
    ``torch.no_grad()`` to only look)."""
    conditional = class_count(G) is not None
    if conditional and labels is None:
        raise ValueError(f"this {type(G).__name__} is conditional: pass one class label per code, "
                         f"e.g. generate(G, z, labels=torch.arange(len(z)) % {class_count(G)})")
    if not conditional and labels is not None:
        raise ValueError(f"this {type(G).__name__} takes no labels (it has no num_classes); "
                         f"leave labels out, or use a conditional generator")
    return G(z) if labels is None else G(z, labels)
