"""The first cell of every lesson: seed, pick the device, say which mode and data are in use."""
import importlib
import os
import platform
import sys

import torch

from .data.mnist import (BUNDLED_IMAGES, BUNDLED_LABELS, DataFileError, data_dir, display_path,
                         full_mnist_dir, full_mnist_on_disk, verify_file)
from .settings import FAST_ENV_VAR, get_device, mode_name, seed_everything


def mnist_source_summary() -> str:
    """Which MNIST ``load_mnist()`` will use here, in one line, without loading it."""
    if full_mnist_on_disk():
        return f"full MNIST (60000 training digits) from {display_path(full_mnist_dir())}/"
    return (f"bundled MNIST subset (5000 digits) from {display_path(data_dir())}/; the full "
            f"set is used once it is in {display_path(full_mnist_dir())}/")


def start_lesson(seed: int = 0) -> torch.device:
    """Seed everything, print mode, device and data source, and return the device to use."""
    seed_everything(seed)
    device = get_device()
    if mode_name() == "fast":
        mode = f"fast ({FAST_ENV_VAR}={os.environ[FAST_ENV_VAR]}): short runs for testing"
    else:
        mode = f"full (set {FAST_ENV_VAR}=1 for a quick test run)"
    print(f"Mode:   {mode}")
    print(f"Device: {device}" + ("" if device.type != "cpu" else " (no GPU needed for this course)"))
    print(f"Data:   {mnist_source_summary()}")
    print(f"Seed:   {seed}")
    return device


REQUIRED_MODULES = ("torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "tqdm")


def environment_checks() -> list[tuple[bool, str, str]]:
    """(passed, what, detail) for Python, each required package, the device and the data files."""
    results = [(sys.version_info >= (3, 10), "Python", f"{platform.python_version()} (needs 3.10+)")]
    for name in REQUIRED_MODULES:
        try:
            version = importlib.import_module(name).__version__
            results.append((True, name, version))
        except ImportError:
            results.append((False, name, "not installed: run `make setup` or "
                                         "`pip install -r requirements.txt`"))
    results.append((True, "device", str(get_device())))
    for file_name, digest in (BUNDLED_IMAGES, BUNDLED_LABELS):
        try:
            verify_file(data_dir() / file_name, digest)
            results.append((True, "data", f"{file_name} present, checksum verified"))
        except DataFileError as err:
            results.append((False, "data", str(err)))
    return results


def print_environment_report() -> bool:
    """Print one PASS/FAIL line per check; return True when everything passed."""
    results = environment_checks()
    for passed, what, detail in results:
        print(f"{'PASS' if passed else 'FAIL'}  {what:<12} {detail}")
    ok = all(passed for passed, _, _ in results)
    print("All checks passed: you are ready." if ok else "Some checks failed: see the FAIL lines.")
    return ok
