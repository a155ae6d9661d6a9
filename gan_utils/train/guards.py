"""What a trainer accepts before it trains: wrapped models, and a loss that fits D's last layer."""
from torch import nn

WRAPPERS = "nn.DataParallel, DistributedDataParallel or torch.compile"


def unwrap(model: nn.Module) -> nn.Module:
    """The course's model inside ``nn.DataParallel``/``DistributedDataParallel`` (``.module``) or
    ``torch.compile`` (``._orig_mod``): where its ``latent_dim``, ``config`` and weights live."""
    while True:
        if isinstance(model, (nn.DataParallel, nn.parallel.DistributedDataParallel)):
            model = model.module
        elif hasattr(model, "_orig_mod") and isinstance(model._orig_mod, nn.Module):
            model = model._orig_mod
        else:
            return model


def check_generator(G) -> nn.Module:
    """The unwrapped generator, or a TypeError that says what a generator needs."""
    if not isinstance(G, nn.Module):
        raise TypeError(f"G should be a generator (an nn.Module such as MLPGenerator()), got "
                        f"{type(G).__name__}.")
    inner = unwrap(G)
    if not hasattr(inner, "latent_dim"):
        wrapped = f" inside {type(G).__name__}" if inner is not G else ""
        raise TypeError(f"G ({type(inner).__name__}{wrapped}) has no latent_dim attribute, so the "
                        f"trainer cannot draw z for it. Give it one (self.latent_dim = 100 in its "
                        f"__init__); if you wrapped a course generator, only {WRAPPERS} can be "
                        f"seen through: pass the generator itself or wrap it in one of those.")
    return inner


def ends_in_sigmoid(D: nn.Module) -> bool:
    """True when D's last layer is a ``Sigmoid``: it outputs probabilities, not logits."""
    inner = unwrap(D)
    if getattr(inner, "config", {}).get("sigmoid"):
        return True
    leaves = [m for m in inner.modules() if not list(m.children())]
    return bool(leaves) and isinstance(leaves[-1], nn.Sigmoid)


def check_loss_fits_D(D: nn.Module, criterion: nn.Module) -> None:
    """Refuse a sigmoid D with a loss that expects logits (a silent double sigmoid: D(x) can never
    leave 0.5-0.73), and logits with ``BCELoss`` (which needs probabilities)."""
    sigmoid = ends_in_sigmoid(D)
    if sigmoid and isinstance(criterion, nn.BCEWithLogitsLoss):
        raise ValueError(
            f"D ends in a Sigmoid, but the loss {type(criterion).__name__} expects logits: it would "
            f"apply a second sigmoid and D could never say more than 0.73. Either build D without "
            f"it (MLPDiscriminator(sigmoid=False), the course's default) or ask for the classic "
            f"form explicitly with criterion=nn.BCELoss().")
    if isinstance(criterion, nn.BCELoss) and not sigmoid:
        raise ValueError(
            "criterion=nn.BCELoss() needs probabilities, but D ends without a Sigmoid (it gives "
            "logits). Use the default loss (BCEWithLogitsLoss), or build D with sigmoid=True.")
