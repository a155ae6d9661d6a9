"""Helpers for the GAN course. Importing this package loads no data and touches no network."""
from . import checks, data, models, settings, train, viz
from .data import InMemoryBatches, load_image_folder, load_mnist
from .lesson import start_lesson
from .settings import get_device, is_fast, output_dir, scaled, seed_everything

__all__ = ["checks", "data", "models", "settings", "train", "viz", "InMemoryBatches", "load_image_folder",
           "load_mnist", "start_lesson", "get_device", "is_fast", "output_dir", "scaled",
           "seed_everything"]
