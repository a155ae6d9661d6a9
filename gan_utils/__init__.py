"""Helpers for the GAN course. Importing this package loads no data, touches no network, and loads
neither pyplot nor IPython: those load when something is drawn. Its parts load when first used
(``gan_utils.viz``, ``from gan_utils import load_mnist``), so that ``gan-course`` and a class's hub,
which only copy lessons, do not wait for torch."""
import importlib

_PARTS = ("checks", "data", "debugging", "latent", "metrics", "models", "settings", "toy", "train", "viz")
_NAMES = {"InMemoryBatches": "data", "load_image_folder": "data", "load_mnist": "data", "start_lesson": "lesson",
          "evaluating": "models", "generate": "models", "load_pretrained": "pretrained", "data_dir": "settings",
          "get_device": "settings", "is_fast": "settings", "output_dir": "settings", "scaled": "settings",
          "seed_everything": "settings"}

__all__ = sorted(_PARTS) + sorted(_NAMES)


def __getattr__(name: str):
    if name in _PARTS:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        value = getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
        globals()[name] = value   # looked up once
        return value
    raise AttributeError(f"module 'gan_utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
