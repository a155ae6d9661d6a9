"""Answer checks for exercises: each returns a result that shows "Correct" or what is off."""
import math
import reprlib
from dataclasses import dataclass

import torch


@dataclass
class CheckResult:
    """The verdict of a check; true when the answer is right. Displays as its message."""
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message


def _correct(detail: str = "") -> CheckResult:
    return CheckResult(True, "✅ Correct!" + (f" {detail}" if detail else ""))


def _not_yet(detail: str, hint: str | None = None) -> CheckResult:
    return CheckResult(False, "❌ Not yet: " + detail + (f"\n   Hint: {hint}" if hint else ""))


def _missing(answer) -> bool:
    return answer is None or answer is Ellipsis


_PLACEHOLDER = "replace the ... with your answer, run that cell, then run this check again."


def check_value(answer, expected: float, tol: float = 1e-4, hint: str | None = None) -> CheckResult:
    """A single number, correct within ``tol`` (absolute, or relative for large values)."""
    if _missing(answer):
        return _not_yet(_PLACEHOLDER)
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return _not_yet(f"expected a single number, got a tensor of shape {tuple(answer.shape)}.")
        answer = answer.item()
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return _not_yet(f"expected a number, got {type(answer).__name__} {answer!r}.")
    if math.isclose(value, expected, rel_tol=tol, abs_tol=tol):
        return _correct(f"({value:.6g})")
    return _not_yet(f"your answer is {value:.6g}; that is not it.", hint)


def check_shape(answer, expected: tuple, hint: str | None = None) -> CheckResult:
    """A shape, given as a tuple, a torch.Size or a tensor (whose shape is used)."""
    if _missing(answer):
        return _not_yet(_PLACEHOLDER)
    shape = tuple(answer.shape) if hasattr(answer, "shape") else answer
    try:
        shape = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        return _not_yet(f"expected a shape such as (1, 28, 28), got {answer!r}.")
    if shape == tuple(expected):
        return _correct(f"shape {shape}")
    return _not_yet(f"expected shape {tuple(expected)}, got {shape}.", hint)


def check_tensor(answer, expected: torch.Tensor, atol: float = 1e-5,
                 hint: str | None = None) -> CheckResult:
    """A tensor (or a list of numbers) equal to ``expected`` in shape and, within ``atol``, in every value."""
    if _missing(answer):
        return _not_yet(_PLACEHOLDER)
    if not isinstance(answer, torch.Tensor):
        try:  # a list or a number is fine: compare its values
            answer = torch.as_tensor(answer, dtype=expected.dtype)
        except (TypeError, ValueError, RuntimeError):
            return _not_yet(f"expected a tensor (or a list of numbers), got {type(answer).__name__} {answer!r}.")
    if answer.shape != expected.shape:
        return _not_yet(f"expected shape {tuple(expected.shape)}, got {tuple(answer.shape)}.", hint)
    if torch.isnan(answer).any() and not torch.isnan(expected).any():
        return _not_yet("your tensor contains NaN values.", hint)
    diff = _differences(answer, expected)
    worst = diff.max().item() if diff.numel() else 0.0
    if worst <= atol:
        return _correct()
    where = tuple(int(i) for i in torch.nonzero(diff == diff.max())[0])
    return _not_yet(f"values differ by up to {worst:.3g} (at index {where}: yours "
                    f"{answer[where].item():.6g}, expected {expected[where].item():.6g}).", hint)


def _differences(answer: torch.Tensor, expected: torch.Tensor) -> torch.Tensor:
    """|answer - expected| per entry: 0 where both are NaN (a NaN the answer should have), infinite
    where only one is (so the worst entry is reported, never a NaN that hides it)."""
    a, b = answer.detach().double(), expected.detach().double()
    both_nan = torch.isnan(a) & torch.isnan(b)
    return torch.where(both_nan, 0.0, (a - b).abs()).nan_to_num(nan=math.inf)


def check_function(function, reference, inputs: list[tuple], atol: float = 1e-5,
                   hint: str | None = None) -> CheckResult:
    """A function that agrees with ``reference`` on every tuple of arguments in ``inputs``."""
    if _missing(function) or not callable(function):
        return _not_yet("expected a function: " + _PLACEHOLDER)
    for args in inputs:
        args = args if isinstance(args, tuple) else (args,)  # one bare argument is one input
        try:
            got = function(*_copies(args))  # fresh copies: an in-place edit can't fool the reference
        except Exception as err:  # the learner's code: report it, don't crash the check
            return _not_yet(f"calling it on {_short(args)} raised {type(err).__name__}: {err}", hint)
        if _missing(got):
            return _not_yet(f"it returned {got!r} on {_short(args)}: finish its body.")
        values = _as_numbers(got)
        if values is None:
            return _not_yet(f"it returned {type(got).__name__} {reprlib.repr(got)} on {_short(args)}; "
                            f"expected a tensor or a number.", hint)
        result = check_tensor(values, torch.as_tensor(reference(*_copies(args)), dtype=torch.float64), atol)
        if not result:
            return _not_yet(f"on {_short(args)}: " + result.message.removeprefix("❌ Not yet: "), hint)
    return _correct(f"it matches on all {len(inputs)} test inputs.")


def check_module(answer, reference, example_input: torch.Tensor, atol: float = 1e-5,
                 hint: str | None = None) -> CheckResult:
    """A network built like ``reference``: the same parameter shapes in the same order and, with
    the reference's weights copied in, the same output on ``example_input`` (both in eval mode)."""
    if _missing(answer) or not isinstance(answer, torch.nn.Module):
        return _not_yet("expected a network (an nn.Module such as nn.Sequential): " + _PLACEHOLDER)
    named = list(answer.named_parameters())
    mine, theirs = [p for _, p in named], list(reference.parameters())
    for index, ((name, a), b) in enumerate(zip(named, theirs)):
        if a.shape != b.shape:
            return _not_yet(f"parameter {index + 1} in order (your {name}) has shape {tuple(a.shape)}; the "
                            f"course's model has {tuple(b.shape)} there.", hint)
    if len(mine) != len(theirs):
        return _not_yet(f"your network has {len(mine)} parameter tensors, the course's has {len(theirs)}: "
                        f"a layer is missing or extra (a bias=False forgotten?).", hint)
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
            return _not_yet(f"running it on an input of shape {tuple(example_input.shape)} raised "
                            f"{type(err).__name__}: {err}", hint)
        finally:
            reference.train(was_training), answer.train(answer_was_training)
    if got.shape != expected.shape:
        return _not_yet(f"it returns shape {tuple(got.shape)}, the course's model {tuple(expected.shape)}.", hint)
    result = check_tensor(got, expected, atol)
    if not result:
        return _not_yet("same layers, but with the same weights it computes something else (an "
                        "activation or its order?): " + result.message.removeprefix("❌ Not yet: "), hint)
    return _correct("same layers, same output as the course's model.")


def check_choice(answer, expected: str, options: str = "abcd", hint: str | None = None) -> CheckResult:
    """A multiple-choice letter such as "b" (case and spaces do not matter)."""
    if _missing(answer):
        return _not_yet(_PLACEHOLDER)
    letter = str(answer).strip().lower()
    if len(letter) != 1 or letter not in options:
        return _not_yet(f"answer with one letter out of {', '.join(options)}; got {answer!r}.")
    if letter == expected.lower():
        return _correct()
    return _not_yet(f"{letter!r} is not the best answer.", hint)


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
