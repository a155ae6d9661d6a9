import math

import pytest
import torch

from gan_utils import load_mnist
from gan_utils.metrics import (class_entropy, class_histogram, classify, conditional_accuracy,
                               frechet_distance, load_classifier, real_floor, score_generator)
from gan_utils.metrics.classifier import read_card, classifier_path
from gan_utils.models import MLPGenerator


@pytest.fixture(scope="module")
def mnist():
    return load_mnist(source="bundled", verbose=False)


def shuffled(mnist, n, seed=0):
    order = torch.randperm(len(mnist.images), generator=torch.Generator().manual_seed(seed))[:n]
    return mnist.images[order], mnist.labels[order]


def test_the_shipped_classifier_reads_real_digits(mnist):
    images, labels = shuffled(mnist, 1000)
    assert (classify(images) == labels).float().mean() > 0.97
    assert read_card(classifier_path())["held_out_accuracy"] >= 0.97
    assert not load_classifier().training


def test_a_real_batch_scores_near_the_floor_and_noise_far_from_it(mnist):
    floor = real_floor(mnist.images, 1000)
    images, _ = shuffled(mnist, 2000, seed=1)
    assert frechet_distance(images[:1000], images[1000:]) < 3 * floor
    noise = torch.rand(1000, 1, 28, 28) * 2 - 1
    assert frechet_distance(noise, images[:1000]) > 20 * floor


def test_one_repeated_digit_has_entropy_near_zero_and_real_digits_near_ln10(mnist):
    ones = mnist.images[mnist.labels == 1][:300]
    assert class_entropy(ones) < 0.15
    assert class_histogram(ones)[1] > 0.97
    images, _ = shuffled(mnist, 2000)
    assert class_entropy(images) > 2.28 and class_entropy(images) <= math.log(10) + 1e-9


def test_shuffled_labels_drop_conditional_accuracy_to_about_ten_percent(mnist):
    images, labels = shuffled(mnist, 2000)
    right, per_class = conditional_accuracy(images, labels)
    assert right > 0.97 and per_class.min() > 0.9
    wrong, _ = conditional_accuracy(images, labels[torch.randperm(2000, generator=torch.Generator().manual_seed(2))])
    assert 0.05 < wrong < 0.16


def test_bad_inputs_are_explained(mnist):
    with pytest.raises(ValueError, match="one label per image"):
        conditional_accuracy(mnist.images[:10], mnist.labels[:9])
    with pytest.raises(ValueError, match="at least 2 images"):
        frechet_distance(mnist.images[:1], mnist.images[:10])
    with pytest.raises(ValueError, match="need 6000 real images"):
        real_floor(mnist.images, 3000)


def test_score_generator_reports_every_score(mnist):
    scores = score_generator(MLPGenerator(), mnist.images, n=200)
    assert {"frechet_distance", "real_floor", "class_entropy", "class_histogram"} <= set(scores)
    assert scores["frechet_distance"] > scores["real_floor"]  # an untrained G is far from real
    assert sum(scores["class_histogram"]) == pytest.approx(1, abs=0.01)
