"""The state behind lesson 06's sliders, as a plain class that tests drive without a browser."""
import io
import math
import operator
import time

import torch
from PIL import Image

from ..data.pixels import denormalize
from ..models.inputs import as_tensor
from ..latent import latent_dim_of, principal_directions
from ..models.sampling import class_count, evaluating


class LatentExplorer:
    """A base code ``z``, one weight per latent direction, and for a conditional G a digit (or a
    blend of two digits). Every change redraws one image: ``image()`` as a tensor, ``png()`` as
    bytes for an ``ipywidgets.Image``.

    The code G sees is ``z = base + sum_i weight_i * direction_i``; ``reset()`` sets the weights
    back to 0, ``new_z()`` draws a fresh base.
    """

    def __init__(self, G, directions: torch.Tensor | None = None, num_directions: int = 5,
                 seed: int = 0, digit: int = 0):
        self.latent_dim = latent_dim_of(G)
        self.G = G  # left in the mode it is in: each picture is drawn in eval mode
        self.num_classes = class_count(G)
        if directions is None:
            directions = principal_directions(G, num_directions, seed=seed)
        self.directions = self._checked_directions(as_tensor(directions))
        self._rng = torch.Generator().manual_seed(seed)
        self.base = torch.randn(self.latent_dim, generator=self._rng)
        self.weights = [0.0] * len(self.directions)
        self.digits, self.amount = None, 0.0  # (digit_a, digit_b) and the blend, conditional G only
        self.render_ms = None  # how long the last png() took
        if self.num_classes is not None:
            self.set_digit(digit)

    def _checked_directions(self, directions) -> torch.Tensor:
        """The slider directions as a float tensor (count, latent_dim)."""
        if not isinstance(directions, torch.Tensor):
            raise ValueError(f"directions must be a tensor shaped (count, {self.latent_dim}), "
                             f"got {type(directions).__name__}")
        if directions.ndim != 2 or directions.shape[1] != self.latent_dim:
            raise ValueError(f"directions must have shape (count, {self.latent_dim}), "
                             f"got {tuple(directions.shape)}")
        return directions.float()

    @property
    def class_weights(self) -> torch.Tensor | None:
        """The soft label G gets: ``(1 - amount) * one_hot(a) + amount * one_hot(b)``, (num_classes,)."""
        if self.digits is None:
            return None
        weights = torch.zeros(self.num_classes)
        weights[self.digits[0]] += 1.0 - self.amount
        weights[self.digits[1]] += self.amount
        return weights

    @property
    def z(self) -> torch.Tensor:
        """The current code, (latent_dim,)."""
        return self.base + torch.tensor(self.weights) @ self.directions

    def set_weight(self, index: int, value: float) -> None:
        """Move along direction ``index`` (0 = strongest) to ``value`` (about -3..3 is typical)."""
        if not 0 <= index < len(self.weights):
            raise IndexError(f"direction index must be 0..{len(self.weights) - 1}, got {index}")
        if not math.isfinite(float(value)):
            raise ValueError(f"a slider weight must be a finite number (about -3..3), got {value}")
        self.weights[index] = float(value)

    def new_z(self) -> None:
        """A fresh random base code; the weights stay as they are."""
        self.base = torch.randn(self.latent_dim, generator=self._rng)

    def reset(self) -> None:
        """All direction weights back to 0: the image of the base code."""
        self.weights = [0.0] * len(self.weights)

    def set_digit(self, digit: int) -> None:
        """Ask a conditional G for ``digit``, keeping z (and so the style)."""
        self.blend_digits(digit, digit, 0.0)

    def blend_digits(self, digit_a: int, digit_b: int, amount: float) -> None:
        """Feed a conditional G the label ``(1 - amount) * one_hot(a) + amount * one_hot(b)``."""
        if self.num_classes is None:
            raise ValueError("this generator has no labels: digit control needs a conditional GAN "
                             "(for example load_pretrained('cgan'))")
        digit_a, digit_b = self._digit(digit_a), self._digit(digit_b)
        if not 0.0 <= amount <= 1.0:
            raise ValueError(f"amount must be between 0 and 1, got {amount}")
        self.digits, self.amount = (digit_a, digit_b), float(amount)

    def _digit(self, digit) -> int:
        """A digit class as an int (an int, a numpy int or a one-number integer tensor), in range."""
        try:
            value = None if isinstance(digit, bool) else operator.index(digit)
        except TypeError:
            value = None
        if value is None or not 0 <= value < self.num_classes:
            raise ValueError(f"digits must be whole numbers 0..{self.num_classes - 1}, got {digit!r}")
        return value

    @torch.no_grad()
    def image(self) -> torch.Tensor:
        """G's image for the current state, (C, H, W) in [-1, 1] ((1, 28, 28) for digits), on the CPU."""
        device = next(self.G.parameters()).device
        z = self.z[None].to(device)
        with evaluating(self.G):
            if self.num_classes is None:
                return self.G(z)[0].float().cpu()
            return self.G.from_class_weights(z, self.class_weights[None].to(device))[0].float().cpu()

    def png(self, scale: int = 6) -> bytes:
        """The current image as PNG bytes (grayscale or RGB), enlarged ``scale`` times with sharp pixels."""
        start = time.perf_counter()
        image = self.image()                                             # (C, H, W) in [-1, 1]
        pixels = denormalize(image).mul(255).round().to(torch.uint8).permute(1, 2, 0).numpy()
        picture = Image.fromarray(pixels[:, :, 0] if image.shape[0] == 1 else pixels)  # mode L or RGB
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        self.render_ms = (time.perf_counter() - start) * 1000
        return buffer.getvalue()


class Throttle:
    """Carry out the first request at once, then at most one every ``delay`` seconds, always
    finishing with the newest: a fast slider drag shows a moving picture and never a backlog.

    ``schedule(delay, fn)`` runs ``fn`` later (``asyncio``'s ``loop.call_later`` in a kernel);
    tests pass a fake scheduler.
    """

    def __init__(self, action, schedule, delay: float = 0.03):
        self.action, self.schedule, self.delay = action, schedule, delay
        self._cooling = False
        self._waiting = None  # the newest request that arrived while cooling down

    def request(self, *args) -> None:
        if self._cooling:
            self._waiting = args
            return
        self.action(*args)
        self._cooling = True
        self.schedule(self.delay, self._cooled)

    def _cooled(self) -> None:
        self._cooling = False
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.request(*waiting)
