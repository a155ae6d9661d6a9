import pytest
import torch
from torch.nn.utils import parametrize

from gan_utils.data import InMemoryBatches
from gan_utils.models import ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, LabelError, build_model
from gan_utils.train import GANTrainer


@pytest.mark.parametrize("size, channels", [(28, 1), (64, 3)])
def test_conditional_shapes_and_input_channels(size, channels):
    G = ConditionalDCGANGenerator(image_size=size, channels=channels)
    D = ConditionalDCGANDiscriminator(image_size=size, channels=channels)
    labels = torch.tensor([0, 9])
    images = G(torch.randn(2, 100), labels)
    assert images.shape == (2, channels, size, size)
    assert D(images, labels).shape == (2, 1)
    assert G.net[0].in_channels == 110 and D.net[0].in_channels == channels + 10


def test_the_label_changes_what_both_players_see():
    torch.manual_seed(0)
    G, D = ConditionalDCGANGenerator(ngf=8), ConditionalDCGANDiscriminator(ndf=8)
    G.eval(), D.eval()
    z = torch.randn(1, 100).repeat(2, 1)
    images = G(z, torch.tensor([3, 7]))
    assert not torch.allclose(images[0], images[1])
    same_image = images[:1].repeat(2, 1, 1, 1)
    verdicts = D(same_image, torch.tensor([3, 7]))
    assert verdicts[0] != verdicts[1]


def test_bad_labels_are_explained():
    G = ConditionalDCGANGenerator(ngf=8)
    with pytest.raises(LabelError, match="one label per item"):
        G(torch.randn(3, 100), torch.tensor([1, 2]))
    with pytest.raises(LabelError, match=r"0\.\.9"):
        G(torch.randn(2, 100), torch.tensor([1, 10]))
    with pytest.raises(LabelError, match="one-hot vectors are made inside"):
        G(torch.randn(2, 100), torch.nn.functional.one_hot(torch.tensor([1, 2]), 10))
    with pytest.raises(LabelError, match="tensor of digits"):
        G(torch.randn(2, 100), [1, 2])


def test_trainer_handles_a_conditional_pair(tmp_path):
    torch.manual_seed(0)
    G, D = ConditionalDCGANGenerator(latent_dim=8, ngf=4), ConditionalDCGANDiscriminator(ndf=4)
    images = torch.rand(64, 1, 28, 28) * 2 - 1
    labels = torch.arange(64) % 10
    trainer = GANTrainer(G, D, InMemoryBatches(images, batch_size=32, labels=labels, seed=0), num_fixed=20)
    assert trainer.fixed_labels.tolist() == [d for d in range(10) for _ in range(2)]
    history = trainer.fit(1, progress=False)
    assert len(history) == 2 and history.snapshots[-1][1].shape == (20, 1, 28, 28)
    trainer.save_checkpoint(tmp_path / "c.pt")
    again = GANTrainer(ConditionalDCGANGenerator(latent_dim=8, ngf=4), ConditionalDCGANDiscriminator(ndf=4),
                       InMemoryBatches(images, batch_size=32, labels=labels, seed=0), num_fixed=20)
    again.load_checkpoint(tmp_path / "c.pt")
    assert torch.equal(again.fixed_labels, trainer.fixed_labels)
    assert torch.equal(again.sample_fixed(), trainer.sample_fixed())


def test_a_conditional_pair_without_labels_is_told_what_to_pass():
    G, D = ConditionalDCGANGenerator(latent_dim=8, ngf=4), ConditionalDCGANDiscriminator(ndf=4)
    trainer = GANTrainer(G, D, InMemoryBatches(torch.rand(64, 1, 28, 28) * 2 - 1, batch_size=32))
    with pytest.raises(ValueError, match="labels=mnist.labels"):
        trainer.fit(1, progress=False)


def test_the_conditional_discriminator_can_be_spectrally_normalized_like_the_plain_one():
    D = ConditionalDCGANDiscriminator(spectral_norm=True, bias=True)
    convs = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(parametrize.is_parametrized(m, "weight") and m.bias is not None for m in convs)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules())
    assert D(torch.zeros(3, 1, 28, 28), torch.tensor([0, 1, 2])).shape == (3, 1)
    assert build_model("ConditionalDCGANDiscriminator", D.config).config == D.config
