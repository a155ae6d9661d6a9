"""Reading a run's figures the way a GAN doctor would: each rule looks for one fingerprint a bug or
a bad setting leaves in the history, and says what it probably means (lesson 08).

``rule_figures`` measures a run once (mostly over its last quarter: the start of every GAN looks
odd); each rule compares one or two of those figures with its limit in ``LIMITS``. A rule stays
silent when the figures it needs were not recorded.
"""
import math
from dataclasses import dataclass

import torch
from torch import nn

from ..language import say

LOG_2 = math.log(2)


@dataclass(frozen=True)
class Finding:
    """One warning: a short ``name``, what the figures show, and the likely causes."""
    name: str
    message: str

    def __str__(self) -> str:
        return f"⚠️ {self.message}"


def layer_gradient_norms(G: nn.Module) -> dict[str, torch.Tensor]:
    """The gradient norm of G's first and last layer weights as 0-dim tensors (0 where none arrived),
    read after G's backward pass: ``grad_G_first`` shows whether the signal survives the whole
    network, ``grad_G_last`` how strong it is where it enters G."""
    weights = [p for p in G.parameters() if p.dim() > 1]
    if not weights:
        return {}
    norms = [w.grad.detach().norm() if w.grad is not None else torch.zeros((), device=w.device)
             for w in (weights[0], weights[-1])]
    return {"grad_G_first": norms[0], "grad_G_last": norms[1]}


def _tail(values: list[float], share: float = 0.25) -> list[float]:
    """The last ``share`` of the values (at least one), without NaN."""
    finite = [v for v in values if not math.isnan(v)]
    return finite[-max(1, int(len(finite) * share)):] if finite else []


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


# Where each rule starts to warn. The healthy runs of the course sit well inside these limits and
# the bug lab's bugs well outside, on every seed and CPU kernel path measured (tools/margins.py).
LIMITS = {
    "grad_G_growth": 10.0,      # G's gradient at the end over its value at the start
    "fake_extent": 1.001,       # G's pixels beyond [-1, 1]
    "real_low": -0.5,           # the real images' darkest pixel above -0.5: not in [-1, 1]
    "real_high": 1.001,
    "sigmoid_band": (0.499, 0.7312),   # (σ(0), σ(1)): where a doubled sigmoid traps D's outputs
    "D_x_range": 0.15,          # D(x) moving less than this in a whole run: D is not learning
    "loss_D": 0.1,              # D's loss below this: D wins outright
    "D_gap": 0.5,               # D(x) - D(G(z)) above this: D wins
    "D_step_ratio": 2.0,        # D's optimizer steps this many times as long as G's: D's learning rate too large
    "G_loss_gap": 0.3,          # exp(-loss_G) above D(G(z)) by this: G trained towards "fake"
    "critic_slope": (0.7, 1.5),  # |grad C| between real and fake: the penalty holds it near 1
    "mix_on_line": 0.95,        # the cosine of the penalty's points with their lines (1: on them)
}


def rule_figures(history) -> dict[str, float]:
    """The numbers the rules judge, each over its rule's window: the last quarter of the run,
    the last half for the optimizers' steps and the gradient reaching G, the whole run for ranges
    (NaN where the run did not record what a figure needs)."""
    c = {key: [v for v in history[key] if not math.isnan(v)] for key in history.keys()}
    column = lambda key: c.get(key, [])
    grads = column("grad_G_last")
    d_x = column("D_x")
    outputs = d_x + column("D_G_z1")
    d_x_late, d_g_late = _mean(_tail(d_x)), _mean(_tail(column("D_G_z1")))
    fake_low, fake_high = min(column("fake_min"), default=math.nan), max(column("fake_max"), default=math.nan)
    D_step, G_step = _mean(_tail(column("D_step"), 0.5)), _mean(_tail(column("G_step"), 0.5))
    loss_G, d_g2 = _mean(_tail(column("loss_G"))), _mean(_tail(column("D_G_z2")))
    return {
        "grad_G_late_max": max(_tail(grads, 0.5), default=math.nan),
        "leak": _mean(column("grad_G_in_D_step")),
        "grad_G_growth": (_mean(_tail(grads)) / _mean(grads[5:15])
                          if len(grads) >= 40 and _mean(grads[5:15]) > 0 else math.nan),
        "fake_low": fake_low,
        "fake_high": fake_high,
        "fake_extent": max([v for v in (-fake_low, fake_high) if not math.isnan(v)], default=math.nan),
        "real_low": min(column("real_min"), default=math.nan),
        "real_high": max(column("real_max"), default=math.nan),
        "D_low": min(outputs, default=math.nan),
        "D_high": max(outputs, default=math.nan),
        "D_x_range": max(d_x) - min(d_x) if len(d_x) >= 40 else math.nan,
        "D_x_mean": _mean(d_x),
        "loss_D": _mean(_tail(column("loss_D"))),
        "D_x": d_x_late,
        "D_G_z": d_g_late,
        "D_gap": d_x_late - d_g_late,
        "D_step_ratio": D_step / G_step if G_step > 0 else math.nan,
        "loss_G": loss_G,
        "D_G_z2": d_g2,
        "G_loss_gap": (math.exp(min(-loss_G, 50.0)) - d_g2      # (a WGAN's loss_G has no D_G_z2)
                       if not (math.isnan(loss_G) or math.isnan(d_g2)) else math.nan),
        "critic_slope": _mean(_tail(column("critic_slope"))),
        "mix_on_line": _mean(column("mix_on_line")),
    }


def diagnose(history, min_steps: int = 40) -> list[Finding]:
    """The fingerprints this run's figures show; an empty list when nothing looks wrong."""
    if len(history.step) < min_steps:
        return []
    columns = {key: history[key] for key in history.keys()}
    figures = rule_figures(history)
    rules = (_no_gradient_to_G, _gradient_in_D_step, _growing_gradient, _fakes_out_of_range,
             _real_out_of_range, _sigmoid_twice, _D_frozen, _D_wins, _D_outpaces_G, _G_loss_disagrees,
             _critic_slope, _mix_off_line)
    findings = [_non_finite(columns)] + [rule(figures) for rule in rules]   # the first reads the raw columns
    return [finding for finding in findings if finding is not None]


def _non_finite(c) -> Finding | None:
    bad = sorted(k for k, values in c.items() if any(math.isinf(v) for v in values))
    if bad:
        return Finding("non_finite", say(f"{', '.join(bad)} became infinite: a learning rate too high, "
                                         f"or a log of 0 (a Sigmoid with BCELoss).",
                                         f"{'、'.join(bad)} 变成了无穷大：学习率太高，"
                                         f"或者对 0 取了对数（Sigmoid 函数配 BCELoss）。"))
    return None


def _no_gradient_to_G(f) -> Finding | None:
    if f["grad_G_late_max"] == 0.0:
        return Finding("no_gradient_to_G", say("no gradient reaches G (its norm is exactly 0): G cannot learn. "
                                               "Is G's output detached in G's step, or is G under torch.no_grad()?",
                                               "没有梯度到达 G（梯度范数恰好为 0）：G 无法学习。是不是在 G 的"
                                               "更新步中分离了 G 的输出，或者 G 处在 torch.no_grad() 之下？"))
    return None


def _gradient_in_D_step(f) -> Finding | None:
    if f["leak"] > 0:
        return Finding("gradient_in_D_step", say("G holds a gradient right after D's step: D's loss reached G "
                                                 "(x_fake not detached in D's step) or G's old gradients were "
                                                 "never cleared (opt_G.zero_grad() missing).",
                                                 "判别器步刚结束时 G 中就有梯度：要么 D 的损失传到了 G"
                                                 "（判别器步中没有对 x_fake 调用 detach()），要么 G 的旧梯度"
                                                 "从未被清零（缺少 opt_G.zero_grad()）。"))
    return None


def _growing_gradient(f) -> Finding | None:
    growth = f["grad_G_growth"]
    if growth > LIMITS["grad_G_growth"]:
        return Finding("growing_gradient", say(f"G's gradient grew {growth:.0f} times during the run: "
                                               f"gradients that are never cleared add up (zero_grad missing).",
                                               f"G 的梯度在这次运行中增长到了原来的 {growth:.0f} 倍："
                                               f"从不清零的梯度会不断累积（缺少 zero_grad）。"))
    return None


def _fakes_out_of_range(f) -> Finding | None:
    low, high = f["fake_low"], f["fake_high"]
    if f["fake_extent"] > LIMITS["fake_extent"]:
        return Finding("fakes_out_of_range", say(f"G's pixels reach [{low:.2f}, {high:.2f}], outside the data's "
                                                 f"[-1, 1]: D can tell fakes by range alone. Does G end in Tanh?",
                                                 f"G 的像素达到 [{low:.2f}, {high:.2f}]，超出了数据的 [-1, 1]："
                                                 f"D 仅凭取值范围就能认出生成图像。G 是否以 Tanh 结尾？"))
    return None


def _real_out_of_range(f) -> Finding | None:
    low, high = f["real_low"], f["real_high"]
    if low > LIMITS["real_low"] or high > LIMITS["real_high"]:
        return Finding("real_out_of_range", say(f"the real images span [{low:.2f}, {high:.2f}], not [-1, 1]: "
                                                f"normalize them (images * 2 - 1 for [0, 1] data) to match G's Tanh.",
                                                f"真实图像的取值范围是 [{low:.2f}, {high:.2f}]，而不是 [-1, 1]："
                                                f"请把它们归一化（[0, 1] 的数据用 images * 2 - 1），"
                                                f"以匹配 G 的 Tanh。"))
    return None


def _sigmoid_twice(f) -> Finding | None:
    low, high = LIMITS["sigmoid_band"]
    if f["D_low"] > low and f["D_high"] < high:
        return Finding("sigmoid_twice", say("D's probabilities never leave (0.5, 0.73) = (σ(0), σ(1)): a "
                                            "sigmoid is applied twice. Remove D's final Sigmoid when the loss "
                                            "is BCEWithLogitsLoss.",
                                            "D 的概率始终停留在 (0.5, 0.73) = (σ(0), σ(1)) 之内：Sigmoid 函数"
                                            "被施加了两次。损失函数是 BCEWithLogitsLoss 时，请去掉 D 最后的 "
                                            "Sigmoid。"))
    return None


def _D_frozen(f) -> Finding | None:
    if f["D_x_range"] < LIMITS["D_x_range"]:
        return Finding("D_frozen", say(f"D's verdict on real images never moved (D(x) stayed near "
                                       f"{f['D_x_mean']:.2f}): D is not learning. Does opt_D hold D's parameters?",
                                       f"D 对真实图像的判断从未变化（D(x) 一直停在 {f['D_x_mean']:.2f} 附近）："
                                       f"D 没有在学习。opt_D 持有的是 D 的参数吗？"))
    return None


def _D_wins(f) -> Finding | None:
    d_x, d_g, loss_D = f["D_x"], f["D_G_z"], f["loss_D"]
    if loss_D < LIMITS["loss_D"] or f["D_gap"] > LIMITS["D_gap"]:
        return Finding("D_wins", say(f"D overpowers G (loss_D {loss_D:.3f}, D(x) {d_x:.2f}, D(G(z)) {d_g:.2f} "
                                     f"over the last quarter): G's learning signal fades. D learning too fast, "
                                     f"or G not learning at all.",
                                     f"D 压制了 G（运行的最后四分之一中 loss_D 为 {loss_D:.3f}，D(x) 为 {d_x:.2f}，"
                                     f"D(G(z)) 为 {d_g:.2f}）：G 的学习信号逐渐消失。可能是 D 学得太快，"
                                     f"也可能是 G 根本没有在学习。"))
    return None


def _D_outpaces_G(f) -> Finding | None:
    ratio = f["D_step_ratio"]
    if ratio > LIMITS["D_step_ratio"]:
        return Finding("D_outpaces_G", say(f"each optimizer step moves D's weights {ratio:.0f} times as far as G's: "
                                           f"Adam moves every weight by about its learning rate, so D's learning "
                                           f"rate is about {ratio:.0f} times G's. D races ahead and its verdicts swing.",
                                           f"每一次优化器更新中，D 的权重移动的距离是 G 的 {ratio:.0f} 倍："
                                           f"Adam 让每个权重移动大约一个学习率的距离，所以 D 的学习率约为 G 的 "
                                           f"{ratio:.0f} 倍。D 冲在前面，它的判断也随之剧烈摇摆。"))
    return None


def _G_loss_disagrees(f) -> Finding | None:
    loss_G, d_g2 = f["loss_G"], f["D_G_z2"]
    if f["G_loss_gap"] > LIMITS["G_loss_gap"]:
        return Finding("G_loss_disagrees", say(f"G's loss is low ({loss_G:.3f}) while D calls its fakes fake "
                                               f"(D(G(z)) {d_g2:.2f}): G is trained towards the wrong label.",
                                               f"G 的损失很低（{loss_G:.3f}），D 却把它的生成图像判为假"
                                               f"（D(G(z)) 为 {d_g2:.2f}）：G 在朝着错误的标签训练。"))
    return None


def _critic_slope(f) -> Finding | None:
    slope, (low, high) = f["critic_slope"], LIMITS["critic_slope"]
    if not math.isnan(slope) and not low < slope < high:
        return Finding("critic_slope", say(f"the critic's slope between real and fake is {slope:.2f}, not about 1: "
                                           f"the gradient penalty is not holding it. Check which dimension its "
                                           f"norm is taken over.",
                                           f"评判器在真实图像与生成图像之间的斜率是 {slope:.2f}，而不是 1 左右："
                                           f"梯度惩罚没能约束住它。请检查惩罚项的梯度范数是沿哪个维度计算的。"))
    return None


def _mix_off_line(f) -> Finding | None:
    on_line = f["mix_on_line"]
    if on_line < LIMITS["mix_on_line"]:
        return Finding("mix_off_line", say(f"the penalty's points are off the lines between real and fake images "
                                           f"(cosine {on_line:.2f}, not 1): draw one mixing weight per example, "
                                           f"shaped (N, 1, 1, 1), not one per pixel.",
                                           f"惩罚项的采样点偏离了真实图像与生成图像之间的直线（余弦为 {on_line:.2f}，"
                                           f"而不是 1）：每个样本只应抽取一个混合权重，形状为 (N, 1, 1, 1)，"
                                           f"而不是每个像素一个。"))
    return None
