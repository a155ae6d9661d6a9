"""What a trainer accepts before it trains: wrapped models, a loss that fits D's last layer, a D
that fits G's labels, batches that last more than one epoch, settings that train, and a first
batch in range. The trainer calls these once, before its loop; a reader of the loop can skip them."""
import inspect
from collections.abc import Iterator

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from ..arguments import check_whole_number
from ..data.pixels import check_image_batch, range_error
from ..language import say
from ..models.conditional import check_labels
from ..models.sampling import class_count, unwrap

LOSSES = ("non-saturating", "saturating", "hinge", "wgan-gp")
WRAPPERS = "nn.DataParallel, DistributedDataParallel or torch.compile"


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
        loss = type(criterion).__name__
        raise ValueError(say(
            f"D ends in a Sigmoid, but the loss {loss} expects logits: it would "
            f"apply a second sigmoid and D could never say more than 0.73. Either build D without "
            f"it (MLPDiscriminator(sigmoid=False), the course's default) or ask for the classic "
            f"form explicitly with criterion=nn.BCELoss().",
            f"D 以 Sigmoid 结尾，但损失 {loss} 需要的是 logit：它会再套一层 sigmoid，D 的输出永远"
            f"超不过 0.73。要么构建不带 Sigmoid 的 D（MLPDiscriminator(sigmoid=False)，课程的默认做法），"
            f"要么用 criterion=nn.BCELoss() 明确选择经典形式。"))
    if isinstance(criterion, nn.BCELoss) and not sigmoid:
        raise ValueError(say(
            "criterion=nn.BCELoss() needs probabilities, but D ends without a Sigmoid (it gives "
            "logits). Use the default loss (BCEWithLogitsLoss), or build D with sigmoid=True.",
            "criterion=nn.BCELoss() 需要概率，但 D 的末尾没有 Sigmoid（它输出的是 logit）。"
            "请用默认损失（BCEWithLogitsLoss），或用 sigmoid=True 构建 D。"))


def check_conditioning(G: nn.Module, D: nn.Module) -> None:
    """Refuse a conditional G with a D that cannot take labels, and the other way round, before
    the first step (rather than torch's "forward() takes 2 positional arguments")."""
    g_labels = class_count(G) is not None
    d_labels = _forward_arguments(unwrap(D))
    if g_labels and d_labels == (1, 1):
        raise TypeError(f"G is conditional (num_classes={G.num_classes}: it draws digits on "
                        f"request), but D ({type(unwrap(D)).__name__}) takes images only, so it "
                        f"cannot judge whether an image matches its label. Use a conditional D "
                        f"such as ConditionalDCGANDiscriminator(), or a plain G.")
    if not g_labels and d_labels[0] >= 2:
        raise TypeError(f"D ({type(unwrap(D)).__name__}) needs labels (D(images, labels)), but G "
                        f"({type(G).__name__}) is not conditional. Use a conditional G such as "
                        f"ConditionalDCGANGenerator(), or a plain D.")


def _forward_arguments(model: nn.Module) -> tuple[int, int]:
    """(required, accepted) positional arguments of ``model.forward``, besides self."""
    parameters = inspect.signature(model.forward).parameters.values()
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return len([p for p in positional if p.default is p.empty]), 99
    return len([p for p in positional if p.default is p.empty]), len(positional)


def check_batches(batches) -> None:
    """Refuse what cannot be trained on epoch after epoch: a one-shot iterator, a bare tensor, a
    Dataset of single images, or batches with no batch in them."""
    kind = type(batches).__name__
    if isinstance(batches, torch.Tensor):
        raise TypeError(f"batches should yield batches of images, but it is one tensor "
                        f"{tuple(batches.shape)}: iterating it gives single images. Use "
                        f"InMemoryBatches(images, batch_size=64).")
    if isinstance(batches, Dataset):
        raise TypeError(f"batches is a Dataset ({kind}) of single images; wrap it in a DataLoader "
                        f"to get batches: DataLoader(dataset, batch_size=64, shuffle=True).")
    if not hasattr(batches, "__iter__"):
        raise TypeError(f"batches should be something to iterate over, batch after batch "
                        f"(InMemoryBatches or a DataLoader), got {kind}.")
    if isinstance(batches, Iterator):   # iter() on it would give itself, already used up
        raise TypeError(f"batches is a one-shot iterator ({kind}, e.g. a generator expression): "
                        f"it would be empty after the first epoch. Pass something that starts "
                        f"again each epoch: InMemoryBatches, a DataLoader, or a list of batches.")
    try:
        size = len(batches)
    except TypeError:
        return
    if size == 0:
        hint = ""
        if isinstance(batches, DataLoader) and batches.drop_last:
            hint = (f" Your DataLoader has drop_last=True and batch_size={batches.batch_size}, but "
                    f"only {len(batches.dataset)} images: use a smaller batch_size or "
                    f"drop_last=False.")
        raise ValueError(f"batches holds no batch at all, so an epoch would train 0 steps.{hint}")


def check_trainer_arguments(G, D, batches, criterion, loss, d_steps, lr, lr_D, betas, num_fixed, seed,
                            real_label, checkpoint_every) -> nn.Module:
    """Everything ``GANTrainer(...)`` is given, refused with the fix before any step; returns the
    generator inside any wrapper (where ``latent_dim`` lives)."""
    generator = check_generator(G)
    if not isinstance(D, nn.Module):
        raise TypeError(f"D should be a discriminator (an nn.Module such as "
                        f"MLPDiscriminator()), got {type(D).__name__}.")
    if unwrap(D) is generator:
        raise ValueError("G and D are the same model; build a generator and a discriminator.")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {loss!r}")
    if not isinstance(d_steps, int) or isinstance(d_steps, bool) or d_steps < 1:
        raise ValueError(f"d_steps (D updates per G update) must be a whole number >= 1, "
                         f"got {d_steps!r}")
    check_settings(lr=lr, lr_D=lr_D, betas=betas, num_fixed=num_fixed, seed=seed,
                   real_label=real_label, checkpoint_every=checkpoint_every)
    check_conditioning(generator, D)
    if batches is not None:
        check_batches(batches)
    if loss == "hinge" and ends_in_sigmoid(D):
        raise ValueError("the hinge loss works on D's logits (real above +1, fake below -1), but this "
                         "D ends in a Sigmoid: build D without it (sigmoid=False, the course's default).")
    if loss not in ("wgan-gp", "hinge"):
        check_loss_fits_D(D, criterion)
    return generator


def check_settings(lr, lr_D, betas, num_fixed, seed, real_label, checkpoint_every) -> None:
    """Refuse numbers that would train silently wrong (a zero or negative rate, betas outside
    [0, 1), a real label above 1) before any step."""
    for name, value in (("lr", lr), ("lr_D", lr_D)):
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)
                                  or not 0 < value < 1):
            raise ValueError(f"{name} (a learning rate) should be a number between 0 and 1, such "
                             f"as 2e-4; got {value!r}")
    if (not isinstance(betas, (tuple, list)) or len(betas) != 2
            or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in betas)):
        raise ValueError(f"betas should be two numbers in [0, 1), such as (0.5, 0.999); got {betas!r}")
    check_whole_number(num_fixed, "num_fixed (images in each snapshot)")
    check_whole_number(seed, "seed", minimum=0)
    if not isinstance(real_label, (int, float)) or not 0 < real_label <= 1:
        raise ValueError(f"real_label should be in (0, 1]: 1.0, or 0.9 for one-sided label "
                         f"smoothing; got {real_label!r}")
    if not isinstance(checkpoint_every, (int, float)) or checkpoint_every < 0:
        raise ValueError(f"checkpoint_every should be a number of seconds >= 0, got {checkpoint_every!r}")


def check_fit_arguments(num_epochs, hooks) -> None:
    """``fit``'s epochs and hooks."""
    from .hooks import Hook   # the hooks module draws progress bars: imported when first needed
    if not isinstance(num_epochs, int) or isinstance(num_epochs, bool) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
    for hook in hooks:
        if not isinstance(hook, Hook):
            raise TypeError(f"hooks should be Hook objects (a subclass of "
                            f"gan_utils.train.Hook with after_step/after_epoch/at_end), got "
                            f"{type(hook).__name__}.")


def check_first_batch(trainer, batch) -> None:
    """The values of a real batch (and its labels) and of G's images, checked once before D
    mixes them: both must be in [-1, 1], or D tells them apart by their range alone."""
    x_real, labels = batch if isinstance(batch, (tuple, list)) else (batch, None)
    check_image_batch(x_real, name="the real images from your batches")
    if labels is not None and trainer.num_classes is not None:
        check_labels(labels, len(x_real), trainer.num_classes)
    error = range_error(trainer.sample_fixed()[:16], seen_by="G")
    if error is not None:
        raise error
