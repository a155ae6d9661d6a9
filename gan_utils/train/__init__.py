"""Training: the D and G steps, the loop (GANTrainer), its history, and checkpoints."""
from .checkpoint import CheckpointError, load_model, read_checkpoint, save_checkpoint
from .history import History
from .steps import discriminator_step, generator_step
from .trainer import GANTrainer
from .wgan import WGANTrainer, critic_step, gradient_penalty, wgan_generator_step

__all__ = ["CheckpointError", "GANTrainer", "History", "discriminator_step", "generator_step",
           "WGANTrainer", "critic_step", "gradient_penalty", "wgan_generator_step",
           "load_model", "read_checkpoint", "save_checkpoint"]
