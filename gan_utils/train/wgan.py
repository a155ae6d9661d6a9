"""WGANTrainer: the course's one training loop with the WGAN-GP losses (steps in ``steps.py``)."""
from torch import nn

from .guards import ends_in_sigmoid
from .steps import has_batch_norm
from .trainer import GANTrainer


class WGANTrainer(GANTrainer):
    """``GANTrainer(loss="wgan-gp")`` with the WGAN-GP paper's settings: each step trains the
    critic ``D`` on ``d_steps`` batches (``n_critic`` in the paper), then G once. D must have no
    BatchNorm (the penalty is per sample) and no sigmoid. The history's D_x, D_G_z1 and D_G_z2 hold
    raw critic scores; ``history.wasserstein`` is the critic's estimate E[C(x)] - E[C(G(z))] at
    each step (it falls as G improves) and ``history.gp`` the gradient penalty."""

    def __init__(self, G: nn.Module, D: nn.Module, batches, lr: float = 1e-4,
                 betas: tuple[float, float] = (0.5, 0.9), d_steps: int = 5,
                 gp_weight: float = 10.0, **kwargs):
        if has_batch_norm(D):
            raise ValueError("a WGAN-GP critic must not use BatchNorm (the gradient penalty is "
                             "taken per sample); build D without it, e.g. "
                             "DCGANDiscriminator(spectral_norm=True) or MLPDiscriminator().")
        if ends_in_sigmoid(D):
            raise ValueError("a WGAN critic gives raw scores, but this D ends in a Sigmoid: build "
                             "D with sigmoid=False.")
        super().__init__(G, D, batches, lr=lr, betas=betas, d_steps=d_steps, gp_weight=gp_weight,
                         loss="wgan-gp", **kwargs)

    @property
    def wasserstein(self) -> list[float]:
        """The critic's Wasserstein estimate E[C(x)] - E[C(G(z))] at every step so far."""
        return self.history["wasserstein"]
