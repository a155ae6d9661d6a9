"""Numerical health: stop a run once its figures or weights stop being finite numbers, and say
where, rather than train on NaN and save it over the last good checkpoint."""
import torch
from torch import nn

CAUSES = ("Usual causes: a learning rate too high, real images holding NaN or inf values, or a "
          "D that ends in Sigmoid with BCELoss (log 0).")


class NonFiniteError(FloatingPointError):
    """A loss, a D output or a weight became NaN or infinite: training stopped there."""


def check_figures(history) -> None:
    """Raise NonFiniteError if a figure that reached the host was NaN or inf. Figures come back in
    batches (every few steps), so this never makes a GPU wait; the step named is the first bad one."""
    if history.first_non_finite is not None:
        step, epoch, bad = history.first_non_finite
        figures = ", ".join(f"{key} = {value}" for key, value in bad.items())
        raise NonFiniteError(f"training went non-finite at step {step} (epoch {epoch}): {figures}. "
                             f"{CAUSES}")


def check_weights(**models: nn.Module) -> None:
    """Raise NonFiniteError if a model's parameters hold NaN or inf (one read-back for all)."""
    for name, model in models.items():
        params = [p.detach() for p in model.parameters()]
        if params and not bool(torch.stack([p.isfinite().all() for p in params]).all()):
            raise NonFiniteError(f"the weights of {name} hold NaN or inf values. {CAUSES}")
