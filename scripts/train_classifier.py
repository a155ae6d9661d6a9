"""Train the course's digit classifier (the judge behind gan_utils.metrics) on the bundled digits.

    .venv/bin/python scripts/train_classifier.py

Uses 400 digits per class for training and holds out the other 100 per class (1000 digits) to
report accuracy. Writes data/pretrained/digit_classifier.pt (half precision) and a JSON card
beside it with the command, seed, epochs, wall time, held-out accuracy and the file's sha256.
"""
import json
import math
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

from gan_utils import load_mnist, seed_everything
from gan_utils.data.files import sha256_of
from gan_utils.metrics.classifier import DigitClassifier, classifier_path
from gan_utils.data.split import reference_split

SEED, EPOCHS, BATCH_SIZE = 0, 40, 64


def jitter(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Small random shifts, rotations and scalings, so the classifier also reads imperfect digits."""
    n = len(images)
    angle = (torch.rand(n, generator=generator) - 0.5) * math.radians(20)
    scale = 1 + (torch.rand(n, generator=generator) - 0.5) * 0.2
    shift = (torch.rand(n, 2, generator=generator) - 0.5) * (4 / 14)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = scale * torch.cos(angle), -scale * torch.sin(angle)
    theta[:, 1, 0], theta[:, 1, 1] = scale * torch.sin(angle), scale * torch.cos(angle)
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images + 1, grid, align_corners=False) - 1  # pad with black (-1)


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    return (model(images).argmax(1) == labels).float().mean().item()


def main() -> None:
    seed_everything(SEED)
    start = time.perf_counter()
    mnist = load_mnist(source="bundled", verbose=False)
    train_idx, held_idx = reference_split(mnist.labels)
    x_train, y_train = mnist.images[train_idx], mnist.labels[train_idx]
    x_held, y_held = mnist.images[held_idx], mnist.labels[held_idx]
    model = DigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
    generator = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        for i in range(0, len(order), BATCH_SIZE):
            batch = order[i:i + BATCH_SIZE]
            loss = F.cross_entropy(model(jitter(x_train[batch], generator)), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        schedule.step()
        if (epoch + 1) % 10 == 0:
            print(f"epoch {epoch + 1}: held-out accuracy {accuracy(model, x_held, y_held):.4f}", flush=True)
    held_out = accuracy(model, x_held, y_held)
    path = classifier_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.half() for k, v in model.state_dict().items()}, path)
    card = {"what": "digit classifier for gan_utils.metrics (28x28 MNIST digits in [-1, 1])",
            "command": "python " + " ".join(sys.argv), "seed": SEED, "epochs": EPOCHS,
            "training_data": "bundled MNIST subset, first 400 digits of each class (4000)",
            "held_out_data": "bundled MNIST subset, the other 100 digits of each class (1000)",
            "held_out_accuracy": round(held_out, 4),
            "wall_time_seconds": round(time.perf_counter() - start, 1),
            "torch": torch.__version__, "sha256": sha256_of(path)}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps(card, indent=2))


if __name__ == "__main__":
    main()
