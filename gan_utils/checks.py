"""Answer checks for exercises: each returns a result that shows "Correct" or what is off. Under
nbgrader (``GAN_COURSE_GRADING=1``, set by the course's nbgrader_config.py) a "Not yet" raises
instead, so the autograder gives that check cell no points."""
import base64
import binascii
import functools
import math
import os
import reprlib
from dataclasses import dataclass

import torch

from .language import say


@dataclass
class CheckResult:
    """The verdict of a check; true when the answer is right. Displays as its message."""
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message


GRADING_ENV_VAR = "GAN_COURSE_GRADING"


@dataclass(frozen=True)
class Sealed:
    """An expected answer stored out of plain sight in a check cell (base64 of its text), so that the
    exercise is not spoiled by a glance at its check; ``str(sealed)`` never shows it."""
    token: str

    def text(self) -> str:
        try:
            return base64.b64decode(self.token, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as err:
            raise ValueError(f"sealed({self.token!r}) is not an answer sealed by tools/seal_answer.py") from err

    def __repr__(self) -> str:
        return "sealed(...)"


def seal(answer) -> str:
    """The token for ``sealed(...)``: the base64 of the answer's text (e.g. "c" or 0.707)."""
    return base64.b64encode(str(answer).encode("utf-8")).decode("ascii")


def sealed(token: str) -> Sealed:
    """An expected answer for ``check_choice`` or ``check_value`` that the check cell does not spell out."""
    return Sealed(token)


def _unsealed(expected):
    """``expected`` itself, or the text of a sealed answer (a letter, or a number for check_value)."""
    return expected.text() if isinstance(expected, Sealed) else expected


def graded(check):
    """Make ``check`` a public check: while grading, a result that is not correct raises
    AssertionError with its message (the course's own code calls ``check.__wrapped__``)."""
    @functools.wraps(check)
    def run(*args, **kwargs):
        result = check(*args, **kwargs)
        if not result and os.environ.get(GRADING_ENV_VAR, "") == "1":
            raise AssertionError(result.message)
        return result
    return run


def _correct(detail: str = "") -> CheckResult:
    if not detail:
        return CheckResult(True, say("✅ Correct!", "✅ 正确！"))
    return CheckResult(True, say(f"✅ Correct! {detail}", f"✅ 正确！{detail}"))   # no space after "！"


def _not_yet_prefix() -> str:
    return say("❌ Not yet: ", "❌ 还不对：")


def _not_yet(detail: str, hint: str | None = None) -> CheckResult:
    hint_line = "\n   " + say("Hint: ", "提示：") + hint if hint else ""
    return CheckResult(False, _not_yet_prefix() + detail + hint_line)


def _missing(answer) -> bool:
    return answer is None or answer is Ellipsis


def _placeholder() -> str:
    return say("replace the ... with your answer, run that cell, then run this check again.",
               "把 ... 换成你的答案，运行那个单元格，再运行这个检查。")


def _number(answer) -> "float | CheckResult":
    """The learner's answer as a float, or the "Not yet" that says why it is not a single number."""
    if _missing(answer):
        return _not_yet(_placeholder())
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return _not_yet(say(f"expected a single number, got a tensor of shape {tuple(answer.shape)}.",
                               f"需要一个数，得到的是形状为 {tuple(answer.shape)} 的张量。"))
        answer = answer.item()
    try:
        return float(answer)
    except (TypeError, ValueError):
        return _not_yet(say(f"expected a number, got {type(answer).__name__} {answer!r}.",
                           f"需要一个数，得到的是 {type(answer).__name__} {answer!r}。"))


@graded
def check_value(answer, expected: "float | Sealed", tol: float = 1e-4, hint: str | None = None) -> CheckResult:
    """A single number, correct within ``tol`` (absolute, or relative for large values)."""
    expected = float(_unsealed(expected))
    value = _number(answer)
    if isinstance(value, CheckResult):
        return value
    if math.isclose(value, expected, rel_tol=tol, abs_tol=tol):
        return _correct()   # no number: a saved output must not show the answer
    return _not_yet(say(f"your answer is {value:.6g}; that is not it.", f"你的答案是 {value:.6g}，不对。"), hint)


@graded
def check_at_least(answer, minimum: float, hint: str | None = None, as_percent: bool = False) -> CheckResult:
    """A measured number that must reach ``minimum`` (a threshold the exercise states, not a secret)."""
    value = _number(answer)
    if isinstance(value, CheckResult):
        return value
    shown = (lambda v: f"{v:.1%}") if as_percent else (lambda v: f"{v:.4g}")
    if value >= minimum:
        return _correct(say(f"({shown(value)}, at least {shown(minimum)})", f"（{shown(value)}，不低于 {shown(minimum)}）"))
    return _not_yet(say(f"{shown(value)} is below the {shown(minimum)} asked for.",
                        f"{shown(value)} 低于要求的 {shown(minimum)}。"), hint)


@graded
def check_shape(answer, expected: tuple, hint: str | None = None) -> CheckResult:
    """A shape, given as a tuple, a torch.Size or a tensor (whose shape is used)."""
    if _missing(answer):
        return _not_yet(_placeholder())
    shape = tuple(answer.shape) if hasattr(answer, "shape") else answer
    try:
        shape = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        return _not_yet(say(f"expected a shape such as (1, 28, 28), got {answer!r}.",
                           f"需要一个形状，例如 (1, 28, 28)，得到的是 {answer!r}。"))
    if shape == tuple(expected):
        return _correct(say(f"shape {shape}", f"形状 {shape}"))
    return _not_yet(say(f"expected shape {tuple(expected)}, got {shape}.",
                        f"形状应为 {tuple(expected)}，得到的是 {shape}。"), hint)


@graded
def check_tensor(answer, expected: torch.Tensor, atol: float = 1e-5,
                 hint: str | None = None) -> CheckResult:
    """A tensor (or a list of numbers) equal to ``expected`` in shape and, within ``atol``, in every value."""
    if _missing(answer):
        return _not_yet(_placeholder())
    if not isinstance(answer, torch.Tensor):
        try:  # a list or a number is fine: compare its values
            answer = torch.as_tensor(answer, dtype=expected.dtype)
        except (TypeError, ValueError, RuntimeError):
            return _not_yet(say(f"expected a tensor (or a list of numbers), got {type(answer).__name__} {answer!r}.",
                                f"需要一个张量（或一串数），得到的是 {type(answer).__name__} {answer!r}。"))
    if answer.shape != expected.shape:
        return _not_yet(say(f"expected shape {tuple(expected.shape)}, got {tuple(answer.shape)}.",
                            f"形状应为 {tuple(expected.shape)}，得到的是 {tuple(answer.shape)}。"), hint)
    if torch.isnan(answer).any() and not torch.isnan(expected).any():
        return _not_yet(say("your tensor contains NaN values.", "你的张量里有 NaN。"), hint)
    diff = _differences(answer, expected)
    worst = diff.max().item() if diff.numel() else 0.0
    if worst <= atol:
        return _correct()
    where = tuple(int(i) for i in torch.nonzero(diff == diff.max())[0])
    return _not_yet(say(f"values differ by up to {worst:.3g} (at index {where}: yours "
                        f"{answer[where].item():.6g}, expected {expected[where].item():.6g}).",
                        f"数值最多相差 {worst:.3g}（在下标 {where}：你的是 {answer[where].item():.6g}，"
                        f"应为 {expected[where].item():.6g}）。"), hint)


def _differences(answer: torch.Tensor, expected: torch.Tensor) -> torch.Tensor:
    """|answer - expected| per entry: 0 where both are NaN (a NaN the answer should have), infinite
    where only one is (so the worst entry is reported, never a NaN that hides it)."""
    a, b = answer.detach().double(), expected.detach().double()
    both_nan = torch.isnan(a) & torch.isnan(b)
    return torch.where(both_nan, 0.0, (a - b).abs()).nan_to_num(nan=math.inf)


@graded
def check_function(function, reference, inputs: list[tuple], atol: float = 1e-5,
                   hint: str | None = None) -> CheckResult:
    """A function that agrees with ``reference`` on every tuple of arguments in ``inputs``."""
    if _missing(function) or not callable(function):
        return _not_yet(say("expected a function: ", "需要一个函数：") + _placeholder())
    for args in inputs:
        args = args if isinstance(args, tuple) else (args,)  # one bare argument is one input
        try:
            got = function(*_copies(args))  # fresh copies: an in-place edit can't fool the reference
        except Exception as err:  # the learner's code: report it, don't crash the check
            return _not_yet(say(f"calling it on {_short(args)} raised {type(err).__name__}: {err}",
                                f"用 {_short(args)} 调用它时抛出 {type(err).__name__}：{err}"), hint)
        if _missing(got):
            return _not_yet(say(f"it returned {got!r} on {_short(args)}: finish its body.",
                                f"它在 {_short(args)} 上返回了 {got!r}：请把函数体写完。"))
        values = _as_numbers(got)
        if values is None:
            return _not_yet(say(f"it returned {type(got).__name__} {reprlib.repr(got)} on {_short(args)}; "
                                f"expected a tensor or a number.",
                                f"它在 {_short(args)} 上返回了 {type(got).__name__} {reprlib.repr(got)}；"
                                f"需要一个张量或一个数。"), hint)
        result = check_tensor.__wrapped__(values, torch.as_tensor(reference(*_copies(args)), dtype=torch.float64), atol)
        if not result:
            return _not_yet(say(f"on {_short(args)}: ", f"在 {_short(args)} 上：") + result.message.removeprefix(_not_yet_prefix()), hint)
    return _correct(say(f"it matches on all {len(inputs)} test inputs.", f"全部 {len(inputs)} 组测试输入都一致。"))


@graded
def check_module(answer, reference, example_input: torch.Tensor, atol: float = 1e-5,
                 hint: str | None = None) -> CheckResult:
    """A network built like ``reference``: the same parameter shapes in the same order and, with
    the reference's weights copied in, the same output on ``example_input`` (both in eval mode)."""
    if _missing(answer) or not isinstance(answer, torch.nn.Module):
        return _not_yet(say("expected a network (an nn.Module such as nn.Sequential): ", "需要一个网络（nn.Module，例如 nn.Sequential）：") + _placeholder())
    named = list(answer.named_parameters())
    mine, theirs = [p for _, p in named], list(reference.parameters())
    for index, ((name, a), b) in enumerate(zip(named, theirs)):
        if a.shape != b.shape:
            return _not_yet(say(f"parameter {index + 1} in order (your {name}) has shape {tuple(a.shape)}; the "
                                f"course's model has {tuple(b.shape)} there.",
                                f"按顺序第 {index + 1} 个参数（你的 {name}）形状为 {tuple(a.shape)}；"
                                f"课程的模型在这里是 {tuple(b.shape)}。"), hint)
    if len(mine) != len(theirs):
        return _not_yet(say(f"your network has {len(mine)} parameter tensors, the course's has {len(theirs)}: "
                            f"a layer is missing or extra (a bias=False forgotten?).",
                            f"你的网络有 {len(mine)} 个参数张量，课程的有 {len(theirs)} 个："
                            f"少了或多了一层（忘了 bias=False？）。"), hint)
    buffers = [(a, b) for a, b in zip(answer.buffers(), reference.buffers()) if a.shape == b.shape]
    with torch.no_grad():
        for a, b in zip(mine, theirs):
            a.copy_(b)
        for a, b in buffers:
            a.copy_(b)
        was_training, answer_was_training = reference.training, answer.training
        reference.eval(), answer.eval()
        try:
            got, expected = answer(example_input.clone()), reference(example_input.clone())
        except Exception as err:  # the learner's code: report it, don't crash the check
            return _not_yet(say(f"running it on an input of shape {tuple(example_input.shape)} raised "
                                f"{type(err).__name__}: {err}",
                                f"在形状为 {tuple(example_input.shape)} 的输入上运行时抛出 "
                                f"{type(err).__name__}：{err}"), hint)
        finally:
            reference.train(was_training), answer.train(answer_was_training)
    if got.shape != expected.shape:
        return _not_yet(say(f"it returns shape {tuple(got.shape)}, the course's model {tuple(expected.shape)}.",
                            f"它输出的形状是 {tuple(got.shape)}，课程的模型是 {tuple(expected.shape)}。"), hint)
    result = check_tensor.__wrapped__(got, expected, atol)
    if not result:
        return _not_yet(say("same layers, but with the same weights it computes something else (an "
                            "activation or its order?): ",
                            "层都一样，但权重相同时算出的结果不同（激活函数或它的位置？）：") + result.message.removeprefix(_not_yet_prefix()), hint)
    return _correct(say("same layers, same output as the course's model.", "层和输出都与课程的模型一致。"))


@graded
def check_choice(answer, expected: "str | Sealed", options: str = "abcd", hint: str | None = None) -> CheckResult:
    """A multiple-choice letter such as "b" (case and spaces do not matter)."""
    expected = _unsealed(expected)
    if _missing(answer):
        return _not_yet(_placeholder())
    letter = str(answer).strip().lower()
    if len(letter) != 1 or letter not in options:
        return _not_yet(say(f"answer with one letter out of {', '.join(options)}; got {answer!r}.",
                           f"请用 {'、'.join(options)} 中的一个字母作答；得到的是 {answer!r}。"))
    if letter == expected.lower():
        return _correct()
    return _not_yet(say(f"{letter!r} is not the best answer.", f"{letter!r} 不是最好的答案。"), hint)


def _as_numbers(value) -> torch.Tensor | None:
    """``value`` as a float64 tensor, or None when it is not numbers (a string, a tuple of tensors)."""
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return None


def _copies(args: tuple) -> tuple:
    """Clone tensor arguments so neither function sees what the other did to them."""
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)


def _short(args: tuple) -> str:
    parts = []
    for a in args:
        if isinstance(a, torch.Tensor):
            parts.append(f"tensor{list(a.shape)}" if a.numel() > 4 else f"tensor({a.tolist()})")
        else:
            parts.append(repr(a))
    return "(" + ", ".join(parts) + ")"
