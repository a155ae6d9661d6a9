"""Helpers for the GAN course. Importing this package loads no data and touches no network."""
from . import checks, data, metrics, models, settings, toy, train, viz
from .data import InMemoryBatches, load_image_folder, load_mnist
from .lesson import start_lesson
from .pretrained import load_pretrained
from .settings import get_device, is_fast, output_dir, scaled, seed_everything

__all__ = ["checks", "data", "metrics", "models", "settings", "toy", "train", "viz", "InMemoryBatches", "load_image_folder",
           "load_mnist", "load_pretrained", "start_lesson", "get_device", "is_fast", "output_dir", "scaled",
           "seed_everything"]
