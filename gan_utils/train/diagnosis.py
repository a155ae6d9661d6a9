"""Reading a run's figures the way a GAN doctor would: each rule looks for one fingerprint a bug or
a bad setting leaves in the history, and says what it probably means (lesson 08).

The rules read the last quarter of the run (the start of every GAN looks odd) unless a fingerprint
is about the whole run. A rule stays silent when the figures it needs were not recorded.
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


def diagnose(history, min_steps: int = 40) -> list[Finding]:
    """The fingerprints this run's figures show; an empty list when nothing looks wrong."""
    columns = {key: history[key] for key in history.keys()}
    if len(history.step) < min_steps:
        return []
    rules = (_non_finite, _no_gradient_to_G, _gradient_in_D_step, _growing_gradient, _fakes_out_of_range,
             _real_out_of_range, _sigmoid_twice, _D_frozen, _D_wins, _G_loss_disagrees, _critic_slope,
             _mix_off_line)
    return [finding for rule in rules if (finding := rule(columns)) is not None]


def _non_finite(c) -> Finding | None:
    bad = sorted(k for k, values in c.items() if any(math.isinf(v) for v in values))
    if bad:
        return Finding("non_finite", say(f"{', '.join(bad)} became infinite: a learning rate too high, "
                                         f"or a log of 0 (a Sigmoid with BCELoss).",
                                         f"{'、'.join(bad)} 变成了无穷大：学习率太高，"
                                         f"或者对 0 取了对数（Sigmoid 函数配 BCELoss）。"))
    return None


def _no_gradient_to_G(c) -> Finding | None:
    last = _tail(c.get("grad_G_last", []), 0.5)
    if last and max(last) == 0.0:
        return Finding("no_gradient_to_G", say("no gradient reaches G (its norm is exactly 0): G cannot learn. "
                                               "Is G's output detached in G's step, or is G under torch.no_grad()?",
                                               "没有梯度到达 G（梯度范数恰好为 0）：G 无法学习。是不是在 G 的"
                                               "更新步中分离了 G 的输出，或者 G 处在 torch.no_grad() 之下？"))
    return None


def _gradient_in_D_step(c) -> Finding | None:
    leak = _tail(c.get("grad_G_in_D_step", []), 1.0)
    if leak and _mean(leak) > 0:
        return Finding("gradient_in_D_step", say("G holds a gradient right after D's step: D's loss reached G "
                                                 "(x_fake not detached in D's step) or G's old gradients were "
                                                 "never cleared (opt_G.zero_grad() missing).",
                                                 "判别器步刚结束时 G 中就有梯度：要么 D 的损失传到了 G"
                                                 "（判别器步中没有对 x_fake 调用 detach()），要么 G 的旧梯度"
                                                 "从未被清零（缺少 opt_G.zero_grad()）。"))
    return None


def _growing_gradient(c) -> Finding | None:
    grads = [v for v in c.get("grad_G_last", []) if not math.isnan(v)]
    if len(grads) < 40:
        return None
    start, end = _mean(grads[5:15]), _mean(_tail(grads))
    if start > 0 and end > 20 * start:
        return Finding("growing_gradient", say(f"G's gradient grew {end / start:.0f} times during the run: "
                                               f"gradients that are never cleared add up (zero_grad missing).",
                                               f"G 的梯度在这次运行中增长到了原来的 {end / start:.0f} 倍："
                                               f"从不清零的梯度会不断累积（缺少 zero_grad）。"))
    return None


def _fakes_out_of_range(c) -> Finding | None:
    low, high = min(c.get("fake_min", [0.0])), max(c.get("fake_max", [0.0]))
    if low < -1.001 or high > 1.001:
        return Finding("fakes_out_of_range", say(f"G's pixels reach [{low:.2f}, {high:.2f}], outside the data's "
                                                 f"[-1, 1]: D can tell fakes by range alone. Does G end in Tanh?",
                                                 f"G 的像素达到 [{low:.2f}, {high:.2f}]，超出了数据的 [-1, 1]："
                                                 f"D 仅凭取值范围就能认出生成图像。G 是否以 Tanh 结尾？"))
    return None


def _real_out_of_range(c) -> Finding | None:
    if "real_min" not in c:
        return None
    low, high = min(c["real_min"]), max(c["real_max"])
    if low > -0.9 or high > 1.001:
        return Finding("real_out_of_range", say(f"the real images span [{low:.2f}, {high:.2f}], not [-1, 1]: "
                                                f"normalize them (images * 2 - 1 for [0, 1] data) to match G's Tanh.",
                                                f"真实图像的取值范围是 [{low:.2f}, {high:.2f}]，而不是 [-1, 1]："
                                                f"请把它们归一化（[0, 1] 的数据用 images * 2 - 1），"
                                                f"以匹配 G 的 Tanh。"))
    return None


def _sigmoid_twice(c) -> Finding | None:
    outputs = [v for key in ("D_x", "D_G_z1") for v in c.get(key, []) if not math.isnan(v)]
    if outputs and min(outputs) > 0.499 and max(outputs) < 0.7312:
        return Finding("sigmoid_twice", say("D's probabilities never leave (0.5, 0.73) = (σ(0), σ(1)): a "
                                            "sigmoid is applied twice. Remove D's final Sigmoid when the loss "
                                            "is BCEWithLogitsLoss.",
                                            "D 的概率始终停留在 (0.5, 0.73) = (σ(0), σ(1)) 之内：Sigmoid 函数"
                                            "被施加了两次。损失函数是 BCEWithLogitsLoss 时，请去掉 D 最后的 "
                                            "Sigmoid。"))
    return None


def _D_frozen(c) -> Finding | None:
    d_x = [v for v in c.get("D_x", []) if not math.isnan(v)]
    if len(d_x) >= 40 and max(d_x) - min(d_x) < 0.05:
        return Finding("D_frozen", say(f"D's verdict on real images never moved (D(x) stayed near "
                                       f"{_mean(d_x):.2f}): D is not learning. Does opt_D hold D's parameters?",
                                       f"D 对真实图像的判断从未变化（D(x) 一直停在 {_mean(d_x):.2f} 附近）："
                                       f"D 没有在学习。opt_D 持有的是 D 的参数吗？"))
    return None


def _D_wins(c) -> Finding | None:
    d_x, d_g = _mean(_tail(c.get("D_x", []))), _mean(_tail(c.get("D_G_z1", [])))
    loss_D = _mean(_tail(c.get("loss_D", [])))
    if loss_D < 0.1 or d_x - d_g > 0.4:
        return Finding("D_wins", say(f"D overpowers G (loss_D {loss_D:.3f}, D(x) {d_x:.2f}, D(G(z)) {d_g:.2f} "
                                     f"over the last quarter): G's learning signal fades. D learning too fast, "
                                     f"or G not learning at all.",
                                     f"D 压制了 G（运行的最后四分之一中 loss_D 为 {loss_D:.3f}，D(x) 为 {d_x:.2f}，"
                                     f"D(G(z)) 为 {d_g:.2f}）：G 的学习信号逐渐消失。可能是 D 学得太快，"
                                     f"也可能是 G 根本没有在学习。"))
    return None


def _G_loss_disagrees(c) -> Finding | None:
    loss_G, d_g2 = _mean(_tail(c.get("loss_G", []))), _mean(_tail(c.get("D_G_z2", [])))
    if not (math.isnan(loss_G) or math.isnan(d_g2)) and math.exp(-loss_G) > d_g2 + 0.3:
        return Finding("G_loss_disagrees", say(f"G's loss is low ({loss_G:.3f}) while D calls its fakes fake "
                                               f"(D(G(z)) {d_g2:.2f}): G is trained towards the wrong label.",
                                               f"G 的损失很低（{loss_G:.3f}），D 却把它的生成图像判为假"
                                               f"（D(G(z)) 为 {d_g2:.2f}）：G 在朝着错误的标签训练。"))
    return None


def _critic_slope(c) -> Finding | None:
    slope = _mean(_tail(c.get("critic_slope", [])))
    if not math.isnan(slope) and not 0.7 < slope < 1.3:
        return Finding("critic_slope", say(f"the critic's slope between real and fake is {slope:.2f}, not about 1: "
                                           f"the gradient penalty is not holding it. Check which dimension its "
                                           f"norm is taken over.",
                                           f"评判器在真实图像与生成图像之间的斜率是 {slope:.2f}，而不是 1 左右："
                                           f"梯度惩罚没能约束住它。请检查惩罚项的梯度范数是沿哪个维度计算的。"))
    return None


def _mix_off_line(c) -> Finding | None:
    on_line = _mean(_tail(c.get("mix_on_line", []), 1.0))
    if not math.isnan(on_line) and on_line < 0.99:
        return Finding("mix_off_line", say(f"the penalty's points are off the lines between real and fake images "
                                           f"(cosine {on_line:.2f}, not 1): draw one mixing weight per example, "
                                           f"shaped (N, 1, 1, 1), not one per pixel.",
                                           f"惩罚项的采样点偏离了真实图像与生成图像之间的直线（余弦为 {on_line:.2f}，"
                                           f"而不是 1）：每个样本只应抽取一个混合权重，形状为 (N, 1, 1, 1)，"
                                           f"而不是每个像素一个。"))
    return None
