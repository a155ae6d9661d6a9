"""Training: the D and G steps, the one loop (GANTrainer, WGANTrainer), its hooks, its history,
checkpoints, and the health rules that read a run's figures (diagnose)."""
from .checkpoint import CheckpointError, load_model, read_checkpoint, save_checkpoint
from .diagnosis import Finding, diagnose, layer_gradient_norms
from .history import History
from .hooks import Checkpoints, Hook, LiveUpdates, ProgressBar, Snapshots
from .steps import critic_step, discriminator_step, generator_step, gradient_penalty, wgan_generator_step
from .trainer import GANTrainer
from .wgan import WGANTrainer

__all__ = ["CheckpointError", "Checkpoints", "Finding", "GANTrainer", "History", "Hook", "LiveUpdates",
           "ProgressBar", "Snapshots", "WGANTrainer", "critic_step", "diagnose", "discriminator_step",
           "generator_step", "gradient_penalty", "layer_gradient_norms", "load_model", "read_checkpoint", "save_checkpoint",
           "wgan_generator_step"]
