"""What the course says training does, written as claims that tests assert and tools/margins.py
measures over seeds and CPU kernel paths.

An experiment is a seeded run (or a few) that returns named figures. A claim compares one figure
with a threshold, and names what lies on the other side (a bug's claim: the healthy run's figure;
the healthy run's claim: the bug's). The distance from the threshold to the other side's median
sets the scale of the claim's margin; where there is no other side (a shipped model's score), the
scale is the distance to the claim's own median, so the margin says how far the spread over seeds
and kernel paths stays from the threshold. A margin of 20 % means the worst run seen stays a fifth
of that distance clear of the threshold.
"""
import math
import operator
import statistics
from dataclasses import dataclass

import torch

from gan_utils.data import InMemoryBatches, load_mnist
from gan_utils.debugging import BUGS, run_lab
from gan_utils.train import GANTrainer, History, diagnose
from gan_utils.train.diagnosis import LIMITS, rule_figures

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
MIN_MARGIN = 0.2   # the worst run must clear its threshold by a fifth of the distance to the other side


@dataclass(frozen=True)
class Claim:
    """``figure op threshold`` in every run of ``experiment``; ``versus`` is the other side (a
    figure of the same experiment, or a number), or None to scale by this figure's own median."""
    experiment: str
    figure: str
    op: str
    threshold: float
    versus: str | float | None
    says: str
    exact: bool = False    # held by construction (a gradient exactly 0, a Tanh within 1): no margin to measure
    log: bool = False      # a ratio: measure the margin on a log scale

    def holds(self, figures: dict) -> bool:
        return OPERATORS[self.op](figures[self.figure], self.threshold)

    def worst(self, values: list[float]) -> float:
        """The value closest to (or furthest past) the threshold."""
        return min(values) if self.op.startswith(">") else max(values)

    def margin(self, runs: list[dict]) -> float:
        """How far the worst run clears the threshold, as a share of the distance from the
        threshold to the other side's median (negative: the claim fails somewhere)."""
        if self.exact:
            return math.inf if all(self.holds(run) for run in runs) else -math.inf
        if isinstance(self.versus, str):
            other = statistics.median(run[self.versus] for run in runs)
        elif self.versus is None:
            other = statistics.median(run[self.figure] for run in runs)
        else:
            other = self.versus
        scale = abs(self._signed(other, self.threshold))
        clear = self._signed(self.worst([run[self.figure] for run in runs]), self.threshold)
        return clear / scale if scale else -math.inf

    def _signed(self, value: float, threshold: float) -> float:
        """How far ``value`` lies past ``threshold`` on the claim's side (log scale for ratios)."""
        if self.log:
            value, threshold = math.log(max(value, 1e-12)), math.log(threshold)
        return value - threshold if self.op.startswith(">") else threshold - value


# ---------------------------------------------------------------- the bug lab (lesson 08)

def bug_lab(seed: int, steps: int = 100) -> dict:
    """The healthy loop, the healthy WGAN-GP loop and every bug, ``steps`` steps at ``seed``: the
    figures the health rules judge, and for each bug whether its own warning was given."""
    return bug_lab_lengths(seed, [steps])[steps]


def bug_lab_lengths(seed: int, lengths: list[int]) -> dict[int, dict]:
    """``bug_lab`` at several run lengths from one run of the longest: a seeded lab run's first
    n steps are exactly the run of n steps."""
    images = load_mnist(source="bundled", verbose=False).images
    by_length = {length: {} for length in lengths}
    for name in ["healthy", "healthy_wgan", *BUGS]:
        bug = name if name in BUGS else None
        run = run_lab(images, bug, steps=max(lengths), seed=seed, progress=False,
                      kind="wgan" if name == "healthy_wgan" else None)
        for length, figures in by_length.items():
            history = _first_steps(run.history, length)
            found = [finding.name for finding in diagnose(history)]
            figures |= {f"{name}.{key}": value for key, value in rule_figures(history).items()}
            figures[f"{name}.warnings"] = float(len(found))
            if bug is not None:
                figures[f"{name}.warned"] = float(BUGS[bug].warning in found)
    return by_length


def _first_steps(history: History, n: int) -> History:
    """The first ``n`` steps of a history's figures."""
    if n >= len(history):
        return history
    first = History()
    for step, epoch, *values in list(zip(history.step, history.epoch, *history.columns.values()))[:n]:
        first.record(step, epoch, dict(zip(history.columns, values)))
    return first


def _bug_claims() -> list[Claim]:
    low, high = LIMITS["sigmoid_band"]
    slope_low, slope_high = LIMITS["critic_slope"]
    c = lambda *fields, **options: Claim("bug_lab", *fields, **options)
    healthy = [
        c("healthy.warnings", "<", 0.5, 1.0, "the healthy loop gets no warning"),
        c("healthy_wgan.warnings", "<", 0.5, 1.0, "the healthy WGAN-GP loop gets no warning"),
        c("healthy.leak", "<=", 0.0, "no_detach_in_D_step.leak", "healthy: no gradient reaches G in D's step",
          exact=True),
        c("healthy.grad_G_late_max", ">", 0.0, "detach_in_G_step.grad_G_late_max", "healthy: G gets a gradient",
          exact=True),
        c("healthy.G_loss_gap", "<", LIMITS["G_loss_gap"], "swapped_labels_in_G_step.G_loss_gap",
          "healthy: G's loss agrees with D(G(z))"),
        c("healthy.D_high", ">", high, "sigmoid_with_logits_loss.D_high", "healthy: D's outputs leave (0.5, 0.73)"),
        c("healthy.fake_extent", "<=", LIMITS["fake_extent"], "no_tanh.fake_extent", "healthy: fakes in [-1, 1]",
          exact=True),
        c("healthy.real_low", "<=", LIMITS["real_low"], "data_in_0_1.real_low", "healthy: reals reach -1"),
        c("healthy.grad_G_growth", "<", LIMITS["grad_G_growth"], "no_zero_grad_for_G.grad_G_growth",
          "healthy: G's gradient grows less than 10-fold", log=True),
        c("healthy.D_x_range", ">", LIMITS["D_x_range"], "opt_D_steps_G.D_x_range", "healthy: D(x) moves"),
        c("healthy.D_gap", "<", LIMITS["D_gap"], "detach_in_G_step.D_gap", "healthy: D(x) - D(G(z)) below 0.5"),
        c("healthy.loss_D", ">", LIMITS["loss_D"], "detach_in_G_step.loss_D", "healthy: D's loss above 0.1"),
        c("healthy.D_step_ratio", "<", LIMITS["D_step_ratio"], "lr_D_too_large.D_step_ratio",
          "healthy: D's optimizer steps under twice G's", log=True),
        c("healthy_wgan.critic_slope", "<", slope_high, "gp_norm_wrong_dim.critic_slope",
          "healthy WGAN-GP: critic slope below 1.5"),
        c("healthy_wgan.critic_slope", ">", slope_low, 0.0, "healthy WGAN-GP: critic slope above 0.7"),
        c("healthy_wgan.mix_on_line", ">=", LIMITS["mix_on_line"], "gp_eps_per_pixel.mix_on_line",
          "healthy WGAN-GP: penalty points on their lines"),
    ]
    fingerprints = [
        c("no_detach_in_D_step.leak", ">", 0.0, "healthy.leak", "no_detach_in_D_step: G holds a gradient after D's step",
          exact=True),
        c("detach_in_G_step.grad_G_late_max", "<=", 0.0, "healthy.grad_G_late_max",
          "detach_in_G_step: no gradient reaches G", exact=True),
        c("swapped_labels_in_G_step.G_loss_gap", ">", LIMITS["G_loss_gap"], "healthy.G_loss_gap",
          "swapped_labels_in_G_step: G's loss disagrees with D(G(z))"),
        c("sigmoid_with_logits_loss.D_high", "<", high, "healthy.D_high", "sigmoid_with_logits_loss: D below 0.73",
          exact=True),
        c("sigmoid_with_logits_loss.D_low", ">", low, "healthy.D_low", "sigmoid_with_logits_loss: D above 0.5",
          exact=True),
        c("no_tanh.fake_extent", ">", LIMITS["fake_extent"], "healthy.fake_extent", "no_tanh: fakes leave [-1, 1]"),
        c("data_in_0_1.real_low", ">", LIMITS["real_low"], "healthy.real_low", "data_in_0_1: reals start at 0"),
        c("no_zero_grad_for_G.grad_G_growth", ">", LIMITS["grad_G_growth"], "healthy.grad_G_growth",
          "no_zero_grad_for_G: G's gradient grows 10-fold", log=True),
        c("opt_D_steps_G.D_x_range", "<", LIMITS["D_x_range"], "healthy.D_x_range", "opt_D_steps_G: D(x) frozen"),
        c("lr_D_too_large.D_step_ratio", ">", LIMITS["D_step_ratio"], "healthy.D_step_ratio",
          "lr_D_too_large: D's optimizer steps over twice G's", log=True),
        c("gp_eps_per_pixel.mix_on_line", "<", LIMITS["mix_on_line"], "healthy_wgan.mix_on_line",
          "gp_eps_per_pixel: penalty points off their lines"),
        c("gp_norm_wrong_dim.critic_slope", ">", slope_high, "healthy_wgan.critic_slope",
          "gp_norm_wrong_dim: critic slope above 1.5"),
        c("gp_norm_not_flattened.critic_slope", ">", slope_high, "healthy_wgan.critic_slope",
          "gp_norm_not_flattened: critic slope above 1.5"),
    ]
    warned = [c(f"{name}.warned", ">", 0.5, 0.0, f"{name}: the health panel gives its warning ({bug.warning})")
              for name, bug in BUGS.items()]
    return healthy + fingerprints + warned


# ---------------------------------------------------------------- the 2D lab (lesson 07)

def toy_lab(seed: int) -> dict:
    """Lesson 07's failures on the ring: balanced (1500 steps, as in the lesson's exercise), G ten
    times faster than D, D ten times faster than G, the saturating loss, WGAN-GP. Mode counts are
    whole numbers: their thresholds sit halfway between two counts. (Over five seeds and three
    kernel paths the saturating run's lower D(G(z)) and fewer modes at 400 steps failed on one or
    two runs each, so only its weaker pull is claimed.)"""
    from gan_utils.toy import ToyGAN, mean_pull
    gap = lambda lab: lab.history.mean("D_x", 200) - lab.history.mean("D_G_z1", 200)
    balanced = ToyGAN(lr=1e-3, seed=seed).train(1500, progress=False)
    collapsed = ToyGAN(lr=1e-3, lr_D=1e-4, seed=seed).train(1000, progress=False)
    overpowered = ToyGAN(lr=1e-3, lr_D=1e-2, seed=seed).train(1500, progress=False)
    saturating = ToyGAN(loss="saturating", d_steps=5, seed=seed).train(400, progress=False)
    non_saturating = ToyGAN(loss="non-saturating", d_steps=5, seed=seed).train(400, progress=False)
    wgan = ToyGAN(loss="wgan-gp", d_steps=5, lr=3e-4, betas=(0.5, 0.9), seed=seed).train(500, progress=False)
    modes = lambda lab: float(lab.coverage().modes_covered)
    return {
        "balanced.modes": modes(balanced), "collapsed.modes": modes(collapsed), "wgan.modes": modes(wgan),
        "wgan_minus_collapsed.modes": modes(wgan) - modes(collapsed),
        "overpowered.extra_gap": gap(overpowered) - gap(balanced),
        "overpowered.modes_lost": modes(balanced) - modes(overpowered),
        "saturating.pull_ratio": mean_pull(non_saturating) / mean_pull(saturating),
    }


TOY_CLAIMS = [
    Claim("toy_lab", "collapsed.modes", "<", 2.5, "balanced.modes", "ring, G 10x faster than D: at most 2 of 8 modes"),
    Claim("toy_lab", "balanced.modes", ">", 2.5, "collapsed.modes",
          "ring, balanced (lr_D = 1e-3, 1500 steps): at least 3 of 8 modes"),
    Claim("toy_lab", "overpowered.extra_gap", ">", 0.1, 0.0, "ring, D 10x faster: D(x) - D(G(z)) 0.1 above balanced"),
    Claim("toy_lab", "overpowered.modes_lost", ">", 0.5, 0.0, "ring, D 10x faster: fewer modes than balanced"),
    Claim("toy_lab", "saturating.pull_ratio", ">", 1.0, None,
          "saturating loss: weaker pull on G's points (non-saturating pull / saturating pull)", log=True),
    Claim("toy_lab", "wgan.modes", ">", 2.5, "collapsed.modes", "ring, WGAN-GP: at least 3 of 8 modes"),
    Claim("toy_lab", "wgan_minus_collapsed.modes", ">", 0.5, 0.0, "ring, WGAN-GP: more modes than the collapsed run"),
]


# ---------------------------------------------------------------- lesson 07's MNIST mode collapse

def mnist_collapse(seed: int, epochs: int = 16) -> dict:
    """Class entropy of lesson 03's MLP GAN after ``epochs`` on the bundled digits, balanced and
    with G ten times faster than D."""
    from gan_utils.metrics import class_entropy, draw_samples
    from gan_utils.models import MLPDiscriminator, MLPGenerator
    mnist = load_mnist("bundled", verbose=False)

    def entropy(lr, lr_D):
        torch.manual_seed(seed)
        G, D = MLPGenerator(), MLPDiscriminator()
        GANTrainer(G, D, InMemoryBatches(mnist.images, batch_size=64, seed=seed), lr=lr, lr_D=lr_D,
                   seed=seed).fit(epochs, progress=False)
        return class_entropy(draw_samples(G, 1000))

    return {"collapsed.entropy": entropy(1e-3, 1e-4), "balanced.entropy": entropy(2e-4, 2e-4)}


MNIST_CLAIMS = [
    # 16 epochs of the 4000 training digits (992 steps), seeds 0-2 on the default and avx2 paths:
    # collapsed 0.00 to 0.59, balanced 1.57 to 1.78
    Claim("mnist_collapse", "collapsed.entropy", "<", 1.0, "balanced.entropy", "MNIST, G 10x faster: class entropy below 1.0"),
    Claim("mnist_collapse", "balanced.entropy", ">", 1.2, "collapsed.entropy", "MNIST, balanced: class entropy above 1.2"),
]


# ---------------------------------------------------------------- the shipped models and scores

def shipped_models(seed: int) -> dict:
    """The scores the tests and lessons state about the shipped classifier and generators, on
    digits (or codes) drawn with ``seed``."""
    from gan_utils.latent import ink_change
    from gan_utils.metrics import class_entropy, classify, conditional_accuracy, frechet_distance, real_floor
    from gan_utils.pretrained import load_pretrained
    from gan_utils.widgets import LatentExplorer
    mnist = load_mnist(source="bundled", verbose=False)                    # the 4000 training digits
    held_out = load_mnist(source="bundled", split="held-out", verbose=False)  # the classifier never saw these
    order = torch.randperm(len(mnist.images), generator=torch.Generator().manual_seed(seed))
    images, labels = mnist.images[order[:2000]], mnist.labels[order[:2000]]
    floor = real_floor(mnist.images, 1000, seed=seed)
    noise = torch.rand(1000, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1
    ones = mnist.images[mnist.labels == 1][:300]
    shuffled = labels[torch.randperm(2000, generator=torch.Generator().manual_seed(seed + 2))]
    faces_G = load_pretrained("dcgan64_faces")
    with torch.no_grad():
        faces = faces_G(torch.randn(64, faces_G.latent_dim, generator=torch.Generator().manual_seed(seed)))
    G_c = load_pretrained("cgan")
    directions = LatentExplorer(G_c, num_directions=4, digit=3).directions
    return {
        "classifier.accuracy": (classify(held_out.images) == held_out.labels).float().mean().item(),
        "real_vs_real.floors": frechet_distance(images[:1000], images[1000:]) / floor,
        "noise_vs_real.floors": frechet_distance(noise, images[:1000]) / floor,
        "ones.entropy": class_entropy(ones), "real.entropy": class_entropy(images),
        "real.conditional_accuracy": conditional_accuracy(images, labels)[0],
        "shuffled.conditional_accuracy": conditional_accuracy(images, shuffled)[0],
        "faces.per_pixel_spread": faces.std(dim=0).mean().item(),
        "cgan.best_ink_change": max(abs(ink_change(G_c, d)) for d in directions),
    }


SHIPPED_CLAIMS = [
    Claim("shipped_models", "classifier.accuracy", ">", 0.97, None, "the classifier reads 97 % of the held-out digits"),
    Claim("shipped_models", "real_vs_real.floors", "<", 3, None, "real vs real: under 3 floors"),
    Claim("shipped_models", "noise_vs_real.floors", ">", 20, None, "noise vs real: over 20 floors"),
    Claim("shipped_models", "ones.entropy", "<", 0.15, None, "300 ones: class entropy below 0.15"),
    Claim("shipped_models", "real.entropy", ">", 2.28, None, "real digits: class entropy above 2.28"),
    Claim("shipped_models", "shuffled.conditional_accuracy", "<", 0.16, None,
          "shuffled labels: conditional accuracy below 16 %"),
    Claim("shipped_models", "faces.per_pixel_spread", ">", 0.25, None, "the face generator's samples differ"),
    Claim("shipped_models", "cgan.best_ink_change", ">=", 0.03, None,
          "lesson 06, exercise 1: the best direction changes the ink by 3 points (a random one: about 1)"),
]


EXPERIMENTS = {"bug_lab": bug_lab, "toy_lab": toy_lab, "mnist_collapse": mnist_collapse,
               "shipped_models": shipped_models}


def claims() -> list[Claim]:
    """Every outcome claim, experiment by experiment."""
    return _bug_claims() + TOY_CLAIMS + MNIST_CLAIMS + SHIPPED_CLAIMS
