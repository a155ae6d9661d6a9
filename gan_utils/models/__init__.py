"""Generators and discriminators: the MLP GAN of lesson 03 and the DCGAN of lesson 04."""
from .dcgan import DCGANDiscriminator, DCGANGenerator, weights_init
from .inputs import LatentShapeError, check_latent
from .mlp import MLPDiscriminator, MLPGenerator

MODEL_CLASSES = {cls.__name__: cls for cls in
                 (MLPGenerator, MLPDiscriminator, DCGANGenerator, DCGANDiscriminator)}


def build_model(class_name: str, config: dict):
    """Rebuild a model from its class name and ``config`` (as stored in a checkpoint)."""
    if class_name not in MODEL_CLASSES:
        raise ValueError(f"unknown model class {class_name!r}; known: {', '.join(MODEL_CLASSES)}")
    return MODEL_CLASSES[class_name](**config)


__all__ = ["DCGANDiscriminator", "DCGANGenerator", "LatentShapeError", "MLPDiscriminator",
           "MLPGenerator", "MODEL_CLASSES", "build_model", "check_latent", "weights_init"]
