"""Generators and discriminators: MLP GAN (lesson 03), DCGAN (04), conditional DCGAN (05) and the
2D toy GAN (07), and the copying "generator" of lesson 09."""
from .conditional import ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, LabelError, check_labels
from .copying import CopyingGenerator
from .dcgan import DCGANDiscriminator, DCGANGenerator, weights_init
from .inputs import DeviceMismatchError, LatentShapeError, check_latent
from .mlp import MLPDiscriminator, MLPGenerator
from .sampling import evaluating, generate
from .toy import ToyDiscriminator, ToyGenerator

MODEL_CLASSES = {cls.__name__: cls for cls in
                 (MLPGenerator, MLPDiscriminator, DCGANGenerator, DCGANDiscriminator,
                  ConditionalDCGANGenerator, ConditionalDCGANDiscriminator, ToyGenerator, ToyDiscriminator)}


def build_model(class_name: str, config: dict):
    """Rebuild a model from its class name and ``config`` (as stored in a checkpoint)."""
    if class_name not in MODEL_CLASSES:
        raise ValueError(f"unknown model class {class_name!r}; known: {', '.join(MODEL_CLASSES)}")
    return MODEL_CLASSES[class_name](**config)


__all__ = ["ConditionalDCGANDiscriminator", "ConditionalDCGANGenerator", "CopyingGenerator", "DCGANDiscriminator",
           "DCGANGenerator", "DeviceMismatchError", "LabelError", "LatentShapeError", "MLPDiscriminator",
           "MLPGenerator", "MODEL_CLASSES", "ToyDiscriminator", "ToyGenerator", "build_model",
           "check_labels", "check_latent", "evaluating", "generate", "weights_init"]
