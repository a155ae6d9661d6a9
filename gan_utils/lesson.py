"""The first cell of every lesson: seed, pick the device, say which mode and data are in use."""
import importlib
import os
import platform
import sys

import torch

from .data.files import display_path, verify_file
from .data.mnist import BUNDLED_IMAGES, BUNDLED_LABELS, full_mnist_dir, full_mnist_on_disk
from .metrics.classifier import check_weights, classifier_path
from .pretrained import PRETRAINED, pretrained_path, rebuild_command
from .settings import FAST_ENV_VAR, DataFileError, data_dir, get_device, mode_name, seed_everything


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
    """(passed, what, detail) for Python, each required package, the device and the shipped files."""
    results = [(sys.version_info >= (3, 10), "Python", f"{platform.python_version()} (needs 3.10+)")]
    for name in REQUIRED_MODULES:
        try:
            version = importlib.import_module(name).__version__
            results.append((True, name, version))
        except ImportError:
            results.append((False, name, "not installed: run `make setup` or "
                                         "`pip install -r requirements.txt`"))
    results.append((True, "device", str(get_device())))
    return results + shipped_file_checks()


def shipped_file_checks() -> list[tuple[bool, str, str]]:
    """One (passed, what, detail) per file the course ships (the bundled digits, the classifier
    and the pretrained generators), each checked against its recorded sha256."""
    try:
        folder = data_dir()
    except DataFileError as err:
        return [(False, "data", str(err))]
    results = [_file_check("data", name, lambda: verify_file(folder / name, digest))
               for name, digest in (BUNDLED_IMAGES, BUNDLED_LABELS)]
    classifier = classifier_path()
    results.append(_file_check("weights", classifier.name, lambda: check_weights(classifier)))
    results += [_file_check("weights", f"{name}.pt",
                            lambda: check_weights(pretrained_path(name), rebuild_command(name)))
                for name in PRETRAINED]
    return results


def _file_check(what: str, name: str, check) -> tuple[bool, str, str]:
    """Run one file check now: PASS "present, checksum verified", or FAIL with its message."""
    try:
        check()
        return True, what, f"{name} present, checksum verified"
    except DataFileError as err:
        return False, what, str(err)


def print_environment_report() -> bool:
    """Print one PASS/FAIL line per check; return True when everything passed."""
    results = environment_checks()
    for passed, what, detail in results:
        print(f"{'PASS' if passed else 'FAIL'}  {what:<12} {detail}")
    ok = all(passed for passed, _, _ in results)
    print("All checks passed: you are ready." if ok else "Some checks failed: see the FAIL lines.")
    return ok
