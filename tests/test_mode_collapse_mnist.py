"""Lesson 07's MNIST mode collapse, with its settings and seeds: a generator ten times faster than
its discriminator draws fewer kinds of digit than the balanced run (class entropy)."""
import torch

from gan_utils import InMemoryBatches, load_mnist
from gan_utils.metrics import class_entropy, draw_samples
from gan_utils.models import MLPDiscriminator, MLPGenerator
from gan_utils.train import GANTrainer


def entropy_after_training(lr, lr_D, epochs=10):
    mnist = load_mnist("bundled", verbose=False)
    torch.manual_seed(0)
    G, D = MLPGenerator(), MLPDiscriminator()
    GANTrainer(G, D, InMemoryBatches(mnist.images, batch_size=64, seed=0), lr=lr, lr_D=lr_D,
               seed=0).fit(epochs, progress=False)
    return class_entropy(draw_samples(G, 1000))


def test_generator_faster_than_discriminator_collapses_onto_fewer_digits():
    collapsed = entropy_after_training(lr=1e-3, lr_D=1e-4)
    balanced = entropy_after_training(lr=2e-4, lr_D=2e-4)
    assert collapsed < 0.6 and balanced > 1.2, (collapsed, balanced)
