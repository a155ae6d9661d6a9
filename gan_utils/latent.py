"""Moving through the latent space (lesson 06): interpolation, directions worth sliding along, and
how much a move changes the ink. Plain tensor math; the sliders live in ``gan_utils.widgets``."""
import math
import warnings

import torch

from .arguments import check_whole_number
from .models.inputs import as_tensor
from .models.sampling import class_count, evaluating, generate


def latent_dim_of(G) -> int:
    """G's latent size, ``G.latent_dim``; a generator without one is refused with the fix."""
    latent_dim = getattr(G, "latent_dim", None)
    if latent_dim is None:
        raise TypeError(f"this needs the generator's latent size as G.latent_dim, and this "
                        f"{type(G).__name__} has none: gan_utils' generators have it; for your own, "
                        f"set G.latent_dim = 100 (the size of its z) after building it.")
    return latent_dim


def _codes(z_a, z_b) -> tuple[torch.Tensor, torch.Tensor]:
    """Two codes as tensors of one dtype (numpy and float64 welcome) with the same latent size."""
    z_a, z_b = as_tensor(z_a), as_tensor(z_b)
    if not (isinstance(z_a, torch.Tensor) and isinstance(z_b, torch.Tensor)):
        raise TypeError(f"the two codes should be tensors, got {type(z_a).__name__} and {type(z_b).__name__}")
    if z_a.shape[-1:] != z_b.shape[-1:]:
        raise ValueError(f"the two codes have different latent sizes: {tuple(z_a.shape)} and "
                         f"{tuple(z_b.shape)}; both need latent_dim numbers in their last dimension.")
    dtype = torch.promote_types(torch.promote_types(z_a.dtype, z_b.dtype), torch.float32)
    return z_a.to(dtype), z_b.to(dtype)


def lerp(z_a: torch.Tensor, z_b: torch.Tensor, t: float) -> torch.Tensor:
    """The straight line from ``z_a`` (t = 0) to ``z_b`` (t = 1)."""
    z_a, z_b = _codes(z_a, z_b)
    return (1 - t) * z_a + t * z_b


def slerp(z_a: torch.Tensor, z_b: torch.Tensor, t: float) -> torch.Tensor:
    """The great-circle path from ``z_a`` to ``z_b``: the angle changes evenly and the length is
    interpolated, so midpoints keep the typical length of a Gaussian z (a straight line cuts
    through the low-density middle of the ball)."""
    z_a, z_b = _codes(z_a, z_b)
    if z_a.numel() != z_b.numel() or z_a.dim() > 1 and len(z_a) != 1:
        raise ValueError(f"slerp takes two single codes of the same size, shaped (latent_dim,) or "
                         f"(1, latent_dim); got {tuple(z_a.shape)} and {tuple(z_b.shape)}")
    a, b = z_a.flatten(), z_b.flatten()
    if not (torch.isfinite(a).all() and torch.isfinite(b).all()):
        raise ValueError("the codes contain NaN or infinite values: make them with torch.randn")
    if min(a.norm().item(), b.norm().item()) < 1e-12:  # a zero code has no direction: the path is the line
        return lerp(z_a, z_b, t)
    cos = torch.dot(a, b) / (a.norm() * b.norm())
    angle = torch.arccos(cos.clamp(-1.0, 1.0))
    if angle.item() < 1e-4:  # (almost) the same direction: the line is the circle
        return lerp(z_a, z_b, t)
    if angle.item() > math.pi - 1e-3:
        raise ValueError("the two codes point in opposite directions, so no single great circle joins "
                         "them; nudge one of them (or use lerp)")
    direction = (torch.sin((1 - t) * angle) * a / a.norm() + torch.sin(t * angle) * b / b.norm()) / torch.sin(angle)
    length = (1 - t) * a.norm() + t * b.norm()
    return (direction * length).view_as(z_a)


def interpolation_path(z_a: torch.Tensor, z_b: torch.Tensor, steps: int = 10, method: str = "slerp") -> torch.Tensor:
    """``steps`` codes from ``z_a`` to ``z_b`` (both ends included), stacked as (steps, latent_dim)."""
    if method not in ("lerp", "slerp"):
        raise ValueError(f"method must be 'lerp' or 'slerp', got {method!r}")
    steps = check_whole_number(steps, "steps (the two ends included)", minimum=2)
    step = lerp if method == "lerp" else slerp
    return torch.stack([step(z_a.flatten(), z_b.flatten(), float(t)) for t in torch.linspace(0, 1, steps)])


def truncated_noise(n: int, latent_dim: int, threshold: float | None = None, seed: int = 0) -> torch.Tensor:
    """``n`` codes (n, latent_dim) from N(0, I) with every number kept inside [-threshold, threshold]
    (the truncation trick of BigGAN, lesson 09): a smaller threshold keeps the codes nearer the centre
    of z-space, where a smooth G draws its most typical images, and trades diversity for fidelity.
    ``None`` gives the plain normal.
    Exact, without resampling: a uniform number between the two tail probabilities, through the
    normal's inverse CDF."""
    n, latent_dim = check_whole_number(n, "n"), check_whole_number(latent_dim, "latent_dim")
    generator = torch.Generator().manual_seed(seed)
    if threshold is None:
        return torch.randn(n, latent_dim, generator=generator)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not threshold > 0:
        raise ValueError(f"threshold should be a positive number such as 1.0 (or None for no truncation), "
                         f"got {threshold!r}")
    low = torch.special.ndtr(torch.tensor(-float(threshold), dtype=torch.float64))
    uniform = low + (1 - 2 * low) * torch.rand(n, latent_dim, generator=generator, dtype=torch.float64)
    return torch.special.ndtri(uniform).clamp(-threshold, threshold).float()   # (n, latent_dim)


def _check_count(count: int, latent_dim: int) -> None:
    """A number of directions z-space can hold: 1 to latent_dim."""
    if check_whole_number(count, "count") > latent_dim:
        raise ValueError(f"count must be between 1 and latent_dim={latent_dim}, got {count}")


def random_directions(latent_dim: int, count: int, seed: int = 0) -> torch.Tensor:
    """``count`` random orthonormal directions in z-space, (count, latent_dim): unbiased, but each
    one usually changes several things at once."""
    _check_count(count, latent_dim)
    gaussian = torch.randn(latent_dim, count, generator=torch.Generator().manual_seed(seed))
    q, _ = torch.linalg.qr(gaussian)  # (latent_dim, count), orthonormal columns
    return q.T.contiguous()


def principal_directions(G, count: int, num_points: int = 16, seed: int = 0, labels=None) -> torch.Tensor:
    """The ``count`` directions in z-space that change G's image the most, averaged over
    ``num_points`` random z: the top eigenvectors of sum J^T J, J = d image / d z. Returns
    (count, latent_dim), orthonormal, strongest first. A conditional G draws ``labels``
    (num_points,), by default the digits in turn (0, 1, 2, ...)."""
    latent_dim = latent_dim_of(G)
    _check_count(count, latent_dim)
    num_points = check_whole_number(num_points, "num_points")
    labels = _labels_for(G, labels, num_points)
    zs = torch.randn(num_points, latent_dim, generator=torch.Generator().manual_seed(seed))
    device = next(G.parameters()).device
    metric = torch.zeros(latent_dim, latent_dim, dtype=torch.float64)
    with evaluating(G):
        for i, z in enumerate(zs):
            label = None if labels is None else labels[i:i + 1].to(device)

            def draw(v, label=label):
                return generate(G, v[None], label).flatten()

            with warnings.catch_warnings():  # forward-mode AD may use a deprecated torch.jit helper inside
                warnings.simplefilter("ignore", FutureWarning)
                jacobian = torch.autograd.functional.jacobian(draw, z.to(device), vectorize=True,
                                                              strategy="forward-mode")  # (784, latent_dim)
            jacobian = jacobian.detach().double().cpu()
            metric += jacobian.T @ jacobian
    _, vectors = torch.linalg.eigh(metric)                                  # ascending eigenvalues
    directions = vectors[:, -count:].flip(1).T                              # (count, latent_dim)
    largest = directions.gather(1, directions.abs().argmax(1, keepdim=True))
    return (directions * largest.sign()).float().contiguous()  # a fixed sign: largest entry positive


def _labels_for(G, labels, num_points: int):
    """One label per point for a conditional G (the digits in turn unless given); None otherwise."""
    num_classes = class_count(G)
    if num_classes is None:
        return None
    if labels is None:
        return torch.arange(num_points) % num_classes
    labels = torch.as_tensor(labels)
    if labels.shape != (num_points,):
        raise ValueError(f"labels should give one digit per point, shape ({num_points},) for "
                         f"num_points={num_points}; got {tuple(labels.shape)}")
    return labels


@torch.no_grad()
def ink_change(G, direction: torch.Tensor, amount: float = 2.0, n: int = 64, seed: int = 0) -> float:
    """How much a move along ``direction`` changes the ink: the share of bright pixels (> 0 in
    [-1, 1]) at ``z + amount * d`` minus at ``z - amount * d``, averaged over ``n`` random z.
    Thicker strokes give a positive number, thinner ones a negative one. A conditional G draws
    the digits 0..9 in turn, the same digits at both ends, so only the style can change the ink."""
    latent_dim = latent_dim_of(G)
    direction = torch.as_tensor(direction, dtype=torch.float32).flatten()
    if direction.numel() != latent_dim:
        raise ValueError(f"a direction needs {latent_dim} numbers (one per latent dimension), "
                         f"got {direction.numel()}")
    if direction.norm() < 1e-8:
        raise ValueError("the direction is all zeros: it does not point anywhere")
    direction = direction / direction.norm()
    device = next(G.parameters()).device
    z = torch.randn(n, latent_dim, generator=torch.Generator().manual_seed(seed)).to(device)
    direction = direction.to(device)
    num_classes = class_count(G)
    labels = None if num_classes is None else (torch.arange(n) % num_classes).to(device)

    def ink(codes):
        return (generate(G, codes, labels) > 0).float().mean().item()

    with evaluating(G):
        return ink(z + amount * direction) - ink(z - amount * direction)
