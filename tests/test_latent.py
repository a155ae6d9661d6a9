"""Latent-space math (gan_utils.latent): lerp and slerp, interpolation paths, random and principal
directions, and the ink change along a direction."""
import math

import pytest
import torch
from torch import nn

from gan_utils.latent import (ink_change, interpolation_path, lerp, principal_directions, random_directions,
                              slerp, truncated_noise)
from gan_utils.models import DCGANGenerator, MLPGenerator


def test_lerp_and_slerp_start_and_end_at_the_two_codes():
    a, b = torch.randn(100), torch.randn(100)
    for step in (lerp, slerp):
        assert torch.allclose(step(a, b, 0.0), a, atol=1e-5) and torch.allclose(step(a, b, 1.0), b, atol=1e-5)


def test_slerp_keeps_the_length_where_lerp_shrinks_it():
    a, b = torch.zeros(100), torch.zeros(100)
    a[0], b[1] = 10.0, 10.0  # same length, at right angles
    assert slerp(a, b, 0.5).norm().item() == pytest.approx(10.0, rel=1e-5)
    assert lerp(a, b, 0.5).norm().item() == pytest.approx(10.0 / math.sqrt(2), rel=1e-5)


def test_interpolation_path_shape_and_bad_arguments():
    a, b = torch.randn(1, 100), torch.randn(1, 100)
    assert interpolation_path(a, b, steps=7).shape == (7, 100)
    with pytest.raises(ValueError, match="lerp' or 'slerp"):
        interpolation_path(a, b, method="cubic")
    with pytest.raises(ValueError, match="at least 2"):
        interpolation_path(a, b, steps=1)


def test_random_directions_are_orthonormal():
    directions = random_directions(100, 5, seed=3)
    assert directions.shape == (5, 100)
    assert torch.allclose(directions @ directions.T, torch.eye(5), atol=1e-5)


class LinearGenerator(nn.Module):
    """G(z) = A z, whose strongest direction is known: A's top right singular vector."""

    def __init__(self, A):
        super().__init__()
        self.latent_dim = A.shape[1]
        self.linear = nn.Linear(A.shape[1], A.shape[0], bias=False)
        self.linear.weight.data = A

    def forward(self, z):
        return self.linear(z)


def test_principal_directions_find_the_strongest_direction_of_a_linear_generator():
    torch.manual_seed(0)
    A = torch.randn(30, 8)
    _, _, right = torch.linalg.svd(A)
    found = principal_directions(LinearGenerator(A), count=2, num_points=3)
    assert found.shape == (2, 8)
    assert abs(torch.dot(found[0], right[0])).item() == pytest.approx(1.0, abs=1e-4)
    assert abs(torch.dot(found[1], right[1])).item() == pytest.approx(1.0, abs=1e-4)


class InkGenerator(nn.Module):
    """Pixel k = z[0] + c_k: moving z[0] up makes more pixels bright (thicker), z[1] does nothing."""

    latent_dim = 4

    def __init__(self):
        super().__init__()
        self.offsets = nn.Parameter(torch.linspace(-3, 3, 784).view(1, 1, 28, 28), requires_grad=False)

    def forward(self, z):
        return z[:, :1, None, None] + self.offsets


def test_ink_change_measures_thicker_thinner_and_no_change():
    G = InkGenerator()
    assert ink_change(G, torch.tensor([1.0, 0, 0, 0])) > 0.3
    assert ink_change(G, torch.tensor([-2.0, 0, 0, 0])) < -0.3  # the length does not matter
    assert ink_change(G, torch.tensor([0, 1.0, 0, 0])) == 0.0
    with pytest.raises(ValueError, match="needs 4 numbers"):
        ink_change(G, torch.ones(5))
    with pytest.raises(ValueError, match="all zeros"):
        ink_change(G, torch.zeros(4))


def test_principal_directions_have_a_fixed_sign():
    directions = principal_directions(MLPGenerator(), count=3, num_points=2)
    largest = directions.gather(1, directions.abs().argmax(1, keepdim=True))
    assert (largest > 0).all()


def test_slerp_refuses_batches_and_opposite_codes():
    with pytest.raises(ValueError, match="two single codes"):
        slerp(torch.randn(4, 10), torch.randn(4, 10), 0.5)
    a = torch.randn(10)
    with pytest.raises(ValueError, match="opposite directions"):
        slerp(a, -a, 0.5)


def test_looking_at_a_generator_leaves_it_in_the_mode_it_was_in():
    G = DCGANGenerator()
    principal_directions(G, count=1, num_points=2)
    ink_change(G, torch.ones(100), n=4)
    assert G.training
    G.eval()
    principal_directions(G, count=1, num_points=2)
    assert not G.training


def test_truncated_noise_stays_inside_the_threshold_with_the_truncated_normals_spread():
    z = truncated_noise(20000, 10, threshold=1.0, seed=0)
    assert z.shape == (20000, 10) and z.abs().max() <= 1.0
    # a standard normal cut at +-1: variance 1 - 2 phi(1) / (2 Phi(1) - 1) = 0.2911, std 0.5396
    phi, Phi = math.exp(-0.5) / math.sqrt(2 * math.pi), 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    assert z.std().item() == pytest.approx(math.sqrt(1 - 2 * phi / (2 * Phi - 1)), abs=0.005)
    assert z.mean().abs().item() < 0.01


def test_no_threshold_gives_the_same_codes_as_plain_seeded_noise():
    assert torch.equal(truncated_noise(8, 100, None, seed=3), torch.randn(8, 100, generator=torch.Generator().manual_seed(3)))
    assert torch.equal(truncated_noise(8, 100, 0.5, seed=3), truncated_noise(8, 100, 0.5, seed=3))


@pytest.mark.parametrize("threshold", [0, -1.0, "1", True, float("nan")])
def test_a_threshold_that_is_not_a_positive_number_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold should be a positive number"):
        truncated_noise(4, 100, threshold)
