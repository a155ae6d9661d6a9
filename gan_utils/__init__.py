"""Helpers for the GAN course. Importing this package loads no data, touches no network, and loads
neither pyplot nor IPython: those load when something is drawn."""
from . import checks, data, debugging, latent, metrics, models, settings, toy, train, viz
from .data import InMemoryBatches, load_image_folder, load_mnist
from .lesson import start_lesson
from .models import evaluating, generate
from .pretrained import load_pretrained
from .settings import data_dir, get_device, is_fast, output_dir, scaled, seed_everything

__all__ = ["checks", "data", "debugging", "latent", "metrics", "models", "settings", "toy", "train", "viz", "InMemoryBatches",
           "data_dir", "evaluating", "generate", "get_device", "is_fast", "load_image_folder", "load_mnist",
           "load_pretrained", "output_dir", "scaled", "seed_everything", "start_lesson"]
