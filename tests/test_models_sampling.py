"""generate() and evaluating() (gan_utils/models/sampling.py): one call for plain and conditional
generators, and eval mode that always hands the model back as it was."""
import pytest
import torch

from gan_utils import evaluating, generate
from gan_utils.models import ConditionalDCGANGenerator, DCGANGenerator, MLPGenerator


def test_generate_draws_from_plain_and_conditional_generators():
    torch.manual_seed(0)
    z = torch.randn(4, 100)
    G = MLPGenerator()
    assert torch.equal(generate(G, z), G(z))
    C = ConditionalDCGANGenerator().eval()
    labels = torch.tensor([0, 3, 3, 9])
    assert torch.equal(generate(C, z, labels), C(z, labels))


def test_generate_says_when_labels_are_missing_or_not_wanted():
    z = torch.randn(2, 100)
    with pytest.raises(ValueError, match="conditional: pass one class label per code"):
        generate(ConditionalDCGANGenerator(), z)
    with pytest.raises(ValueError, match="takes no labels"):
        generate(MLPGenerator(), z, torch.tensor([1, 2]))


def test_evaluating_switches_to_eval_and_restores_the_mode_even_after_an_error():
    G = DCGANGenerator()
    with evaluating(G):
        assert not G.training and not G.net[1].training     # BatchNorm uses its running statistics
    assert G.training
    with pytest.raises(RuntimeError, match="inside"):
        with evaluating(G):
            raise RuntimeError("inside")
    assert G.training
    G.eval()
    with evaluating(G):
        pass
    assert not G.training                                     # an eval-mode model stays in eval mode
