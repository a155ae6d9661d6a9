"""Lesson 09's toolkit as GANTrainer options, each against a hand computation: the hinge loss, the R1
penalty and the moving average of G's weights; and the settings they refuse."""
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from gan_utils.data import InMemoryBatches
from gan_utils.models import DCGANGenerator, MLPDiscriminator, MLPGenerator
from gan_utils.models.sampling import generate
from gan_utils.train import GANTrainer, WGANTrainer
from gan_utils.train.checkpoint import CheckpointError
from gan_utils.train.steps import discriminator_loss
from gan_utils.train.toolkit import hinge_discriminator_loss, hinge_generator_loss, r1_penalty


class FirstPixel(nn.Module):
    """A stand-in D whose logit is the first pixel of each image: its outputs are chosen by hand."""

    def forward(self, x):
        return x.flatten(1)[:, :1]                                  # (N, 1)


def images_with_first_pixel(values):
    x = torch.zeros(len(values), 1, 28, 28)
    x[:, 0, 0, 0] = torch.tensor(values)
    return x


def linear_D(seed=0):
    """D(x) = w . x + b: its slope at every image is w, so R1 is |w|^2 exactly."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 1))


def digits(n=32, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_hinge_losses_match_a_hand_computation():
    real = images_with_first_pixel([2.0, 0.5])      # logits 2 (past the margin) and 0.5 (inside it)
    fake = images_with_first_pixel([-2.0, 0.0])     # logits -2 (past the margin) and 0 (inside it)
    loss_D, figures = hinge_discriminator_loss(FirstPixel(), real, fake)
    # real: mean(relu(1 - 2), relu(1 - 0.5)) = 0.25; fake: mean(relu(1 - 2), relu(1 + 0)) = 0.5
    assert loss_D.item() == pytest.approx(0.75)
    assert figures["D_x"].item() == pytest.approx((torch.sigmoid(torch.tensor(2.0)) + torch.sigmoid(torch.tensor(0.5))).item() / 2)
    loss_G, figures_G = hinge_generator_loss(FirstPixel(), fake)
    assert loss_G.item() == pytest.approx(1.0)      # -mean(-2, 0)
    assert figures_G["D_G_z2"].item() == pytest.approx((torch.sigmoid(torch.tensor(-2.0)).item() + 0.5) / 2)
    joint, _ = hinge_discriminator_loss(FirstPixel(), real, fake, joint=True)
    assert joint.item() == pytest.approx(0.75)


def test_r1_penalty_is_the_squared_slope_at_the_real_images():
    D = linear_D()
    x = digits(8)
    w = D[1].weight.detach()
    assert r1_penalty(D, x).item() == pytest.approx(w.square().sum().item(), rel=1e-5)
    # D(x) = |x|^2 / 2 has slope x, so R1 is the mean squared length of the images
    half_square = lambda images: images.flatten(1).square().sum(1, keepdim=True) / 2   # noqa: E731
    assert r1_penalty(half_square, x).item() == pytest.approx(x.flatten(1).square().sum(1).mean().item(), rel=1e-5)
    penalty = r1_penalty(D, x)
    penalty.backward()                               # differentiable: d|w|^2/dw = 2w
    assert torch.allclose(D[1].weight.grad, 2 * w, atol=1e-5)


def test_the_trainer_adds_half_r1_weight_times_the_penalty_to_D_loss():
    G = MLPGenerator(latent_dim=8, hidden_dim=16)
    D = linear_D()
    x_real, x_fake = digits(16, seed=1), digits(16, seed=2)
    bce, _ = discriminator_loss(D, nn.BCEWithLogitsLoss(), x_real, x_fake)
    slope_squared = D[1].weight.detach().square().sum().item()    # |w|^2, before the update
    expected = bce.item() + 4.0 / 2 * slope_squared
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), 16, seed=0), r1_weight=4.0, device="cpu")
    figures = trainer.d_update(x_real, x_fake)       # the figures are from before the update
    assert figures["loss_D"].item() == pytest.approx(expected, rel=1e-5)
    assert figures["r1"].item() == pytest.approx(slope_squared, rel=1e-5)


def test_the_hinge_trainer_uses_the_hinge_losses():
    G, D = MLPGenerator(latent_dim=8, hidden_dim=16), linear_D()
    x_real, x_fake = digits(16, seed=1), digits(16, seed=2)
    with torch.no_grad():
        logits_real, logits_fake = D(x_real), D(x_fake)
    expected = (F.relu(1 - logits_real).mean() + F.relu(1 + logits_fake).mean()).item()
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), 16, seed=0), loss="hinge", device="cpu")
    assert trainer.d_update(x_real, x_fake)["loss_D"].item() == pytest.approx(expected, rel=1e-5)
    with torch.no_grad():
        expected_G = -D(x_fake).mean().item()
    assert trainer.g_update(x_fake.clone().requires_grad_(True))["loss_G"].item() == pytest.approx(expected_G, rel=1e-5)


def test_the_average_of_G_follows_the_moving_average_by_hand():
    torch.manual_seed(0)
    G = DCGANGenerator(latent_dim=8, ngf=4)          # BatchNorm: its running statistics are averaged too
    trainer = GANTrainer(G, MLPDiscriminator(hidden_dim=16), InMemoryBatches(digits(48), 16, seed=0),
                         ema_decay=0.9, device="cpu")
    snapshots = [{k: v.detach().clone() for k, v in G.state_dict().items()}]
    for batch in InMemoryBatches(digits(48), 16, seed=0):
        trainer.train_step(batch)
        snapshots.append({k: v.detach().clone() for k, v in G.state_dict().items()})
    g0, g1, g2, g3 = snapshots
    averaged = trainer.G_average.state_dict()
    # the weight kept at the n-th update is min(0.9, (1 + n) / (10 + n)): 0.1, 2/11, then 0.25
    for name, value in g3.items():
        if not value.is_floating_point():
            assert torch.equal(averaged[name], value), name        # counters are copied
            continue
        by_hand = 0.25 * (2 / 11 * (0.1 * g0[name] + 0.9 * g1[name]) + 9 / 11 * g2[name]) + 0.75 * value
        assert torch.allclose(averaged[name], by_hand, atol=1e-6), name
    assert not any(p.requires_grad for p in trainer.G_average.parameters())
    z = torch.randn(4, 8)
    G_average = trainer.G_average.eval()
    assert torch.equal(trainer.sample(z), generate(G_average, z).float())
    assert not torch.allclose(trainer.sample(z), generate(G.eval(), z).float())
    assert trainer.G_to_sample is trainer.G_average


def test_the_average_forgets_its_start_fast_then_keeps_its_decay():
    from gan_utils.train.toolkit import GeneratorAverage
    start, later = nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)
    nn.init.zeros_(start.weight), nn.init.ones_(later.weight)
    average = GeneratorAverage(start, decay=0.99)
    kept = 1.0                                        # the share of the start still in the average
    for n in range(300):
        average.update(later)
        kept *= min(0.99, (1 + n) / (10 + n))
    assert average.module.weight.item() == pytest.approx(1 - kept, abs=1e-6)
    assert kept < 1e-3                                # a constant 0.99 would still keep 0.99 ** 300 = 5 %


def test_the_average_of_G_survives_a_checkpoint(tmp_path):
    def make():
        torch.manual_seed(0)
        return GANTrainer(MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16),
                          InMemoryBatches(digits(), 16, seed=0), ema_decay=0.5, device="cpu")
    trainer = make()
    trainer.fit(1, progress=False)
    trainer.save_checkpoint(tmp_path / "run.pt")
    resumed = make().load_checkpoint(tmp_path / "run.pt")
    for a, b in zip(trainer.G_average.state_dict().values(), resumed.G_average.state_dict().values()):
        assert torch.equal(a, b)
    assert resumed.average.updates == trainer.average.updates == trainer.step


def test_without_an_average_sampling_uses_G():
    trainer = GANTrainer(MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16),
                         InMemoryBatches(digits(), 16, seed=0), device="cpu")
    assert trainer.G_average is None and trainer.G_to_sample is trainer.G


@pytest.mark.parametrize("options, words", [
    ({"r1_weight": -1.0}, "r1_weight"),
    ({"r1_weight": "10"}, "r1_weight"),
    ({"ema_decay": 1.0}, "ema_decay"),
    ({"ema_decay": 0}, "ema_decay"),
])
def test_bad_toolkit_settings_are_refused_with_the_fix(options, words):
    with pytest.raises(ValueError, match=words):
        GANTrainer(MLPGenerator(latent_dim=8), MLPDiscriminator(), InMemoryBatches(digits(), 16), **options)


def test_r1_with_wgan_gp_and_hinge_with_a_sigmoid_D_are_refused():
    with pytest.raises(ValueError, match="gp_weight"):
        WGANTrainer(MLPGenerator(latent_dim=8), MLPDiscriminator(), InMemoryBatches(digits(), 16), r1_weight=1.0)
    with pytest.raises(ValueError, match="Sigmoid"):
        GANTrainer(MLPGenerator(latent_dim=8), MLPDiscriminator(sigmoid=True), InMemoryBatches(digits(), 16),
                   loss="hinge")


def test_a_hinge_run_does_not_resume_as_a_bce_run(tmp_path):
    def make(loss):
        return GANTrainer(MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16),
                          InMemoryBatches(digits(), 16, seed=0), loss=loss, device="cpu")
    make("hinge").save_checkpoint(tmp_path / "hinge.pt")
    with pytest.raises(CheckpointError, match="hinge"):
        make("non-saturating").load_checkpoint(tmp_path / "hinge.pt")
