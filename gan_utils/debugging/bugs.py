"""The bug lab's catalogue: real bugs from GAN code, each one line of ``loop.py`` changed.

``with_bug(name)`` compiles ``loop.py`` with that one line replaced and returns the changed
functions; ``show_bug(name)`` prints the line before and after, so the lesson shows the change
itself rather than a hidden flag.
"""
import inspect
import types
from dataclasses import dataclass

from ..language import say
from . import loop


@dataclass(frozen=True)
class Bug:
    """One line of ``loop.py`` (``healthy``, as written there) and what a learner wrote instead."""
    name: str
    title: str
    function: str           # the function of loop.py the line is in
    healthy: str
    buggy: str              # "" when the bug is a deleted line
    diagnosis: str
    warning: str            # the health panel's warning for it (a rule of gan_utils.train.diagnosis)
    title_zh: str           # the title and diagnosis in the Chinese edition
    diagnosis_zh: str
    kind: str = "gan"       # which step trains: "gan" (train_step) or "wgan" (wgan_step)

    @property
    def shown_title(self) -> str:
        """The title in the course's current language (what a learner reads)."""
        return say(self.title, self.title_zh)

    @property
    def shown_diagnosis(self) -> str:
        """The diagnosis in the course's current language (what a learner reads)."""
        return say(self.diagnosis, self.diagnosis_zh)


BUGS = {bug.name: bug for bug in (
    Bug("no_detach_in_D_step", "forgetting detach() in D's step", "train_step",
        "logits_fake = D(x_fake.detach())", "logits_fake = D(x_fake)",
        "D's loss reaches G: G's gradient in D's step is no longer 0, and G is pushed to make its fakes "
        "look *more* fake, so D(G(z)) stays low.",
        warning="gradient_in_D_step",
        title_zh="在判别器步中忘了 detach()",
        diagnosis_zh="D 的损失传到了 G：判别器步中 G 的梯度不再为 0，"
                     "G 被推着让自己的生成图像看起来反而更假，所以 D(G(z)) 一直偏低。"),
    Bug("detach_in_G_step", "detaching in G's step", "train_step",
        "logits_G = D(G(z_G))", "logits_G = D(G(z_G).detach())",
        "G's step cuts the path back to G: the gradient reaching G is exactly 0, G never changes and "
        "D wins outright.",
        warning="no_gradient_to_G",
        title_zh="在生成器步中分离（detach()）",
        diagnosis_zh="生成器步切断了通回 G 的路径：到达 G 的梯度恰好为 0，G 从不改变，D 完胜。"),
    Bug("swapped_labels_in_G_step", "G trained towards \"fake\"", "train_step",
        "loss_G = criterion(logits_G, real_labels)", "loss_G = criterion(logits_G, fake_labels)",
        "G's loss falls while D(G(z)) falls too: G is helping D, the two numbers disagree.",
        warning="G_loss_disagrees",
        title_zh="G 朝着“假”训练",
        diagnosis_zh="G 的损失在下降，D(G(z)) 却也在下降：G 在帮 D 的忙，这两个数对不上。"),
    Bug("sigmoid_with_logits_loss", "a Sigmoid in D together with BCEWithLogitsLoss", "build_discriminator",
        "nn.Linear(256, 1),", "nn.Linear(256, 1), nn.Sigmoid(),",
        "the loss applies a second sigmoid: D's \"probabilities\" are stuck between 0.5 and 0.73 and "
        "its loss can never fall below about 0.50.",
        warning="sigmoid_twice",
        title_zh="D 中的 Sigmoid 与 BCEWithLogitsLoss 同时使用",
        diagnosis_zh="损失函数会再施加一次 Sigmoid 函数："
                     "D 的“概率”卡在 0.5 到 0.73 之间，它的损失永远降不到约 0.50 以下。"),
    Bug("no_tanh", "a generator without Tanh while the data is in [-1, 1]", "build_generator",
        "nn.Tanh(),", "nn.Identity(),",
        "G's pixels leave [-1, 1]: D can tell fakes by their range alone, and the samples are "
        "washed out where the data is black or white.",
        warning="fakes_out_of_range",
        title_zh="数据位于 [-1, 1]，生成器却没有 Tanh",
        diagnosis_zh="G 的像素跑出了 [-1, 1]：D 仅凭取值范围就能认出生成图像，"
                     "而在数据纯黑或纯白的地方，样本显得发灰、褪色。"),
    Bug("data_in_0_1", "data left in [0, 1] while G ends in Tanh", "prepare",
        "return images", "return images * 0.5 + 0.5",
        "real backgrounds are 0 while G's Tanh is drawn towards -1 at first: D separates them at "
        "once, and G wastes its first steps moving its whole range.",
        warning="real_out_of_range",
        title_zh="数据留在 [0, 1]，而 G 以 Tanh 结尾",
        diagnosis_zh="真实图像的背景是 0，而 G 的 Tanh 起初被拉向 -1："
                     "D 一下子就能把两者分开，G 则把最初的若干步浪费在平移整个取值范围上。"),
    Bug("no_zero_grad_for_G", "zero_grad() forgotten for G", "train_step",
        "opt_G.zero_grad()", "",
        "G's gradients add up step after step: the gradient G holds grows without end and its "
        "updates follow old gradients.",
        warning="growing_gradient",
        title_zh="忘了给 G 调用 zero_grad()",
        diagnosis_zh="G 的梯度一步接一步地累积：G 持有的梯度无休止地增长，它的更新遵循的是旧的梯度。"),
    Bug("opt_D_steps_G", "opt_D built over G's parameters", "make_optimizers",
        "opt_D = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))",
        "opt_D = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))",
        "D never learns: D(x) stays where a fresh D starts (about 0.5) while G learns to fool the "
        "frozen D, so D(G(z)) climbs towards 1 and D's loss rises above log 2.",
        warning="D_frozen",
        title_zh="用 G 的参数构建的 opt_D",
        diagnosis_zh="D 从不学习：D(x) 停在刚初始化的 D 的起点（约 0.5），"
                     "而 G 学会了骗过这个冻结的 D，于是 D(G(z)) 升向 1，D 的损失升到 log 2 以上。"),
    Bug("lr_D_too_large", "a learning rate ten times too large for D", "make_optimizers",
        "opt_D = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))",
        "opt_D = torch.optim.Adam(D.parameters(), lr=10 * lr, betas=(0.5, 0.999))",
        "D's optimizer steps are ten times as long as G's (Adam moves every weight by about the learning "
        "rate): D's verdicts swing from step to step, D pulls ahead of G, and the non-saturating loss hands "
        "G a larger, jumpier gradient.",
        warning="D_outpaces_G",
        title_zh="D 的学习率大了十倍",
        diagnosis_zh="D 每一步的更新距离是 G 的十倍（Adam 让每个权重移动大约一个学习率的距离）："
                     "D 的判断一步一步地剧烈摇摆，D 逐渐压制 G，而非饱和损失交给 G 的梯度更大、也更不稳定。"),
    Bug("gp_eps_per_pixel", "the penalty's mixing weight drawn per pixel", "mix",
        "eps = torch.rand(len(x_real), 1, 1, 1, device=x_real.device)",
        "eps = torch.rand_like(x_real)",
        "x_hat is no longer on the line between a real and a fake image, so the penalty holds the "
        "critic's slope to 1 at the wrong places.",
        warning="mix_off_line",
        title_zh="梯度惩罚的混合权重按像素抽取",
        diagnosis_zh="x_hat 不再位于真实图像与生成图像之间的直线上，"
                     "于是梯度惩罚在错误的位置把评判器的斜率约束为 1。",
        kind="wgan"),
    Bug("gp_norm_wrong_dim", "the penalty's gradient norm taken over the batch", "gradient_penalty",
        "return (grads.flatten(1).norm(dim=1) - 1).square().mean()",
        "return (grads.flatten(1).norm(dim=0) - 1).square().mean()",
        "one norm per pixel across the batch instead of one per image: the critic's real slope "
        "settles far from 1.",
        warning="critic_slope",
        title_zh="惩罚项的梯度范数沿批次计算",
        diagnosis_zh="沿批次为每个像素各取一个范数，而不是每张图像一个："
                     "评判器的实际斜率稳定在远离 1 的地方。",
        kind="wgan"),
    # the one public repositories shipped: caogang/wgan-gp#25, eriklindernoren/PyTorch-GAN#20
    Bug("gp_norm_not_flattened", "the penalty's gradient norm taken before flattening", "gradient_penalty",
        "return (grads.flatten(1).norm(dim=1) - 1).square().mean()",
        "return (grads.norm(2, dim=1) - 1).square().mean()",
        "on (N, 1, 28, 28) gradients, dim=1 is the channel: one norm per pixel, each pushed to 1, so "
        "the penalty pulls the critic's slope up towards sqrt(784) = 28 instead of holding it at 1.",
        warning="critic_slope",
        title_zh="惩罚项的梯度范数在展平之前计算",
        diagnosis_zh="对形状为 (N, 1, 28, 28) 的梯度来说，dim=1 是通道维：每个像素各得一个范数，"
                     "每个都被推向 1，于是惩罚项把评判器的斜率往上拉向 sqrt(784) = 28，而不是把它约束在 1。",
        kind="wgan"),
)}


def _line(bug: Bug) -> tuple[list[str], int]:
    """The lines of loop.py and the index of the one line the bug changes: exactly one line of its
    function must read ``bug.healthy`` (comments aside)."""
    lines = inspect.getsource(loop).splitlines()
    body, first = inspect.getsourcelines(getattr(loop, bug.function))
    found = [first - 1 + i for i, line in enumerate(body) if line.split("  #")[0].strip() == bug.healthy]
    if len(found) != 1:
        raise ValueError(f"bug {bug.name!r}: expected one line '{bug.healthy}' in loop.{bug.function}, "
                         f"found {len(found)}")
    return lines, found[0]


def get_bug(name: str) -> Bug:
    """The bug called ``name``, or a clear error listing the names there are."""
    if name not in BUGS:
        raise ValueError(say(f"there is no bug called {name!r}; the lab has: {', '.join(BUGS)}",
                             f"没有名为 {name!r} 的错误；实验室里有：{'、'.join(BUGS)}。"))
    return BUGS[name]


def with_bug(name: str | None) -> types.SimpleNamespace:
    """loop.py's functions with the bug's one line changed (the healthy ones for ``None``)."""
    if name is None:
        return types.SimpleNamespace(**{k: v for k, v in vars(loop).items() if not k.startswith("__")})
    bug = get_bug(name)
    lines, index = _line(bug)
    indent = lines[index][:len(lines[index]) - len(lines[index].lstrip())]
    lines[index] = indent + (bug.buggy or "pass")      # an empty buggy line: the line was deleted
    namespace = {"__name__": f"{loop.__name__}_with_{name}", "__package__": __package__}
    exec(compile("\n".join(lines) + "\n", f"<loop.py with {name}>", "exec"), namespace)
    return types.SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})


def show_bug(name: str) -> str:
    """The change, as a diff of the one line: which function, the healthy line, the buggy one."""
    bug = get_bug(name)
    lines, index = _line(bug)
    where = say(f"{bug.title}  (loop.py, line {index + 1}, in {bug.function})",
                f"{bug.title_zh}（loop.py 第 {index + 1} 行，在 {bug.function} 中）")
    gone = say("(nothing: the line is gone)", "（无：这一行被删掉了）")
    return f"{where}\n- {bug.healthy}\n+ {bug.buggy or gone}"
