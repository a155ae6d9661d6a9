import pytest
import torch
from torch import nn

from gan_utils.data import ImageShapeError
from gan_utils.models import (ConditionalDCGANGenerator, DCGANDiscriminator, DCGANGenerator, LatentShapeError,
                              MLPDiscriminator, MLPGenerator, ToyGenerator, build_model, check_latent, weights_init)
from gan_utils.train.checkpoint import CheckpointError, restore_model


def test_mlp_shapes_and_layers_match_the_classic_gan():
    G, D = MLPGenerator(), MLPDiscriminator()
    images = G(torch.randn(5, 100))
    assert images.shape == (5, 1, 28, 28) and images.abs().max() < 1
    assert D(images).shape == (5, 1)
    assert [m.out_features for m in G.net if isinstance(m, nn.Linear)] == [256, 784]
    assert [m.out_features for m in D.net if isinstance(m, nn.Linear)] == [256, 1]
    assert isinstance(G.net[-1], nn.Tanh) and isinstance(D.net[2], nn.LeakyReLU)
    assert D.net[2].negative_slope == 0.2


def test_mlp_discriminator_gives_logits_or_probabilities():
    x = torch.rand(4, 1, 28, 28) * 2 - 1
    assert isinstance(MLPDiscriminator(sigmoid=True).net[-1], nn.Sigmoid)
    probabilities = MLPDiscriminator(sigmoid=True)(x)
    assert ((probabilities > 0) & (probabilities < 1)).all()


@pytest.mark.parametrize("size, channels", [(28, 1), (64, 3), (64, 1)])
def test_dcgan_output_shapes(size, channels):
    G = DCGANGenerator(image_size=size, channels=channels)
    D = DCGANDiscriminator(image_size=size, channels=channels)
    images = G(torch.randn(2, 100))
    assert images.shape == (2, channels, size, size)
    assert D(images).shape == (2, 1)


def test_original_64x64_configuration_has_five_transposed_convolutions():
    G = DCGANGenerator(image_size=64, channels=3)
    transposed = [m for m in G.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert len(transposed) == 5 and transposed[0].out_channels == 64 * 8
    assert G.config == {"latent_dim": 100, "image_size": 64, "channels": 3, "ngf": 64}
    assert DCGANDiscriminator(image_size=64, channels=3).config["ndf"] == 64


def test_unsupported_image_size_is_refused():
    with pytest.raises(ValueError, match="28 .* or 64"):
        DCGANGenerator(image_size=32)


def test_weights_init_draws_from_the_dcgan_distributions():
    torch.manual_seed(0)
    G = DCGANGenerator(image_size=64, channels=3)
    G.apply(weights_init)
    conv = G.net[0].weight
    batch_norm = G.net[1]
    assert abs(conv.mean().item()) < 0.002 and abs(conv.std().item() - 0.02) < 0.002
    assert abs(batch_norm.weight.mean().item() - 1) < 0.01 and batch_norm.weight.std().item() < 0.04
    assert batch_norm.bias.abs().max() == 0


@pytest.mark.parametrize("size, channels", [(28, 1), (64, 3)])
def test_spectral_norm_discriminator_has_no_batch_norm_and_unit_stretch(size, channels):
    torch.manual_seed(0)
    D = DCGANDiscriminator(image_size=size, channels=channels, spectral_norm=True).apply(weights_init)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in D.modules())
    assert D(torch.rand(4, channels, size, size) * 2 - 1).shape == (4, 1)
    first = D.net[0]
    assert abs(first.parametrizations.weight.original.std().item() - 0.02) < 0.003  # weights_init reached it
    for _ in range(20):  # power iteration converges while training runs
        D(torch.rand(4, channels, size, size) * 2 - 1)
    largest = torch.linalg.matrix_norm(first.weight.flatten(1), ord=2).item()
    assert abs(largest - 1) < 0.05
    assert build_model(type(D).__name__, D.config).config["spectral_norm"] is True


@pytest.mark.parametrize("G", [MLPGenerator(), DCGANGenerator()])
def test_wrong_latent_shapes_say_what_was_expected(G):
    with pytest.raises(LatentShapeError, match=r"\(N, 100\).*\(4, 64\)"):
        G(torch.randn(4, 64))
    with pytest.raises(LatentShapeError, match="unsqueeze"):
        G(torch.randn(100))
    with pytest.raises(LatentShapeError, match="torch.Tensor"):
        G([0.0] * 100)


def test_a_4d_latent_of_the_right_size_is_accepted():
    check_latent(torch.randn(3, 100, 1, 1), 100)


@pytest.mark.parametrize("D", [MLPDiscriminator(), DCGANDiscriminator()])
def test_discriminators_name_wrong_sizes_channels_and_ranges(D):
    with pytest.raises(ImageShapeError, match=r"1 channel.*got 3"):
        D(torch.zeros(2, 3, 28, 28))
    with pytest.raises(ImageShapeError, match="28x28"):
        D(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ImageShapeError, match=r"\[0, 1\] images"):
        D(torch.rand(2, 1, 28, 28))
    with pytest.raises(ImageShapeError, match="0..255"):
        D(torch.rand(2, 1, 28, 28) * 255)


def test_build_model_rebuilds_from_a_config_and_refuses_unknown_classes():
    G = build_model("DCGANGenerator", {"latent_dim": 16, "image_size": 28, "channels": 1, "ngf": 8})
    assert G(torch.randn(1, 16)).shape == (1, 1, 28, 28)
    with pytest.raises(ValueError, match="known: MLPGenerator"):
        build_model("ResNet", {})


@pytest.mark.parametrize("model", [MLPGenerator(), DCGANDiscriminator(spectral_norm=True),
                                   ConditionalDCGANGenerator(), ToyGenerator()], ids=lambda m: type(m).__name__)
def test_a_models_config_and_its_attributes_are_one_record(model):
    assert model.config and all(getattr(model, name) == value for name, value in model.config.items())
    rebuilt = build_model(type(model).__name__, model.config)
    assert rebuilt.config == model.config
    assert [p.shape for p in rebuilt.parameters()] == [p.shape for p in model.parameters()]


def test_a_checkpoint_saved_before_an_option_existed_still_loads(tmp_path):
    D = DCGANDiscriminator()
    stored = {"class": "DCGANDiscriminator", "state": D.state_dict(),
              "config": {k: v for k, v in D.config.items() if k != "bias"}}   # as saved before bias existed
    restore_model(DCGANDiscriminator(), stored, "D")
    with pytest.raises(CheckpointError, match="different D"):
        restore_model(DCGANDiscriminator(bias=True), stored, "D")
