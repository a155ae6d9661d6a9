"""WGAN-GP: the gradient penalty against hand computations, the critic and G steps, the trainer."""
import pytest
import torch
from torch import nn

from gan_utils.data import InMemoryBatches
from gan_utils.models import DCGANDiscriminator, MLPDiscriminator, MLPGenerator
from gan_utils.train import WGANTrainer, critic_step, gradient_penalty, wgan_generator_step


class HalfSquaredNorm(nn.Module):
    """C(x) = |x|^2 / 2, whose gradient at x is x itself."""

    def forward(self, x):
        return 0.5 * x.flatten(1).square().sum(dim=1, keepdim=True)


def test_penalty_of_a_linear_critic_is_the_squared_slope_error_everywhere():
    critic = nn.Linear(2, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[3.0, 4.0]]))               # |w| = 5
    penalty = gradient_penalty(critic, torch.randn(32, 2), torch.randn(32, 2))
    assert penalty.item() == pytest.approx((5 - 1) ** 2, rel=1e-6)


def test_penalty_matches_a_hand_computation_at_the_same_random_mixes():
    x_real, x_fake = torch.randn(6, 1, 4, 4), torch.randn(6, 1, 4, 4)
    eps = torch.rand(6, 1, 1, 1, generator=torch.Generator().manual_seed(5))
    x_hat = eps * x_real + (1 - eps) * x_fake
    by_hand = (x_hat.flatten(1).norm(dim=1) - 1).square().mean()
    penalty = gradient_penalty(HalfSquaredNorm(), x_real, x_fake, generator=torch.Generator().manual_seed(5))
    assert penalty.item() == pytest.approx(by_hand.item(), rel=1e-6)


def test_penalty_is_differentiable_and_checks_shapes():
    critic = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    gradient_penalty(critic, torch.randn(4, 2), torch.randn(4, 2)).backward()
    assert critic[0].weight.grad is not None and critic[2].weight.grad is not None  # (C's last bias has no slope)
    with pytest.raises(ValueError, match="same shape"):
        gradient_penalty(critic, torch.randn(4, 2), torch.randn(3, 2))


def test_critic_step_reports_the_wasserstein_estimate_and_changes_only_the_critic():
    torch.manual_seed(0)
    G, C = MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16)
    x_real = torch.rand(16, 1, 28, 28) * 2 - 1
    x_fake = G(torch.randn(16, 8))
    scores_real, scores_fake = C(x_real).mean().item(), C(x_fake).mean().item()
    g_before = [p.clone() for p in G.parameters()]
    figures = {key: float(value) for key, value in
               critic_step(C, torch.optim.Adam(C.parameters(), lr=1e-3), x_real, x_fake).items()}
    assert figures["wasserstein"] == pytest.approx(scores_real - scores_fake, abs=1e-5)
    assert figures["loss_D"] == pytest.approx(-figures["wasserstein"] + 10 * figures["gp"], abs=1e-4)
    assert all(torch.equal(a, b) for a, b in zip(g_before, G.parameters()))
    figures = wgan_generator_step(C, torch.optim.Adam(G.parameters(), lr=1e-3), G(torch.randn(16, 8)))
    assert not all(torch.equal(a, b) for a, b in zip(g_before, G.parameters()))


def test_a_step_trains_the_critic_d_steps_times_then_G_once():
    torch.manual_seed(0)
    G, C = MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16)
    images = torch.rand(48, 1, 28, 28) * 2 - 1
    trainer = WGANTrainer(G, C, InMemoryBatches(images, batch_size=8, seed=0), d_steps=3)
    history = trainer.fit(1, progress=False)              # 6 batches: 2 steps of 3 critic updates
    assert (trainer.step, trainer.d_updates, trainer.g_updates) == (2, 6, 2) and len(history) == 2
    assert trainer.wasserstein == history.wasserstein and len(history.gp) == 2
    assert history.wasserstein[-1] == pytest.approx(history.D_x[-1] - history.D_G_z1[-1])
    assert history.gp[-1] >= 0


def test_trainer_refuses_a_critic_with_batch_norm_or_sigmoid():
    G = MLPGenerator(latent_dim=8, hidden_dim=16)
    batches = InMemoryBatches(torch.zeros(16, 1, 28, 28), batch_size=8)
    with pytest.raises(ValueError, match="BatchNorm"):
        WGANTrainer(G, DCGANDiscriminator(), batches)
    with pytest.raises(ValueError, match="sigmoid=False"):
        WGANTrainer(G, MLPDiscriminator(sigmoid=True), batches)
    with pytest.raises(ValueError, match="d_steps"):
        WGANTrainer(G, MLPDiscriminator(), batches, d_steps=0)
