"""The first cell of every lesson: seed, pick the device, say which mode and data are in use."""
import os

import torch

from .data.mnist import BUNDLED_IMAGES, data_dir, full_mnist_dir, full_mnist_on_disk
from .settings import FAST_ENV_VAR, get_device, mode_name, seed_everything


def mnist_source_summary() -> str:
    """Which MNIST ``load_mnist()`` will use here, in one line, without loading it."""
    if full_mnist_on_disk():
        return f"full MNIST (60000 training digits) from {full_mnist_dir()}"
    return (f"bundled MNIST subset (5000 digits) from {data_dir() / BUNDLED_IMAGES[0]}; "
            f"the full set is used when it is in {full_mnist_dir()}")


def start_lesson(seed: int = 0) -> torch.device:
    """Seed everything, print mode, device and data source, and return the device to use."""
    seed_everything(seed)
    device = get_device()
    switch = os.environ.get(FAST_ENV_VAR, "unset")
    print(f"Mode:   {mode_name()} ({FAST_ENV_VAR}={switch}; set it to 1 for a quick run)")
    print(f"Device: {device}" + ("" if device.type != "cpu" else " (no GPU needed for this course)"))
    print(f"Data:   {mnist_source_summary()}")
    print(f"Seed:   {seed}")
    return device
