"""Lesson 08's "find the bug": three runs of loop.py, each with one bug of the lab that is not named.
The names are stored encoded, so a glance at this file does not spoil the answers."""
import base64

from ..checks import CheckResult
from .bugs import BUGS
from .lab import LabRun, run_lab

_HIDDEN = {1: "bm9femVyb19ncmFkX2Zvcl9H", 2: "b3B0X0Rfc3RlcHNfRw==", 3: "c2lnbW9pZF93aXRoX2xvZ2l0c19sb3Nz"}
MYSTERIES = tuple(_HIDDEN)


def _answer(number: int) -> str:
    if number not in _HIDDEN:
        raise ValueError(f"there are mysteries {', '.join(map(str, MYSTERIES))}; got {number!r}")
    return base64.b64decode(_HIDDEN[number]).decode()


def run_mystery(number: int, images, steps: int = 300, **options) -> LabRun:
    """Train loop.py with mystery bug ``number`` (the run's ``bug`` reads "mystery N")."""
    run = run_lab(images, _answer(number), steps=steps, **options)
    run.bug = f"mystery {number}"
    return run


def check_mystery(number: int, answer) -> CheckResult:
    """Is ``answer`` (a bug name from the lab, e.g. "detach_in_G_step") the bug in mystery ``number``?"""
    expected = _answer(number)
    if answer is None or answer is Ellipsis:
        return CheckResult(False, "❌ Not yet: replace the ... with the name of a bug from the lab, run "
                                  "that cell, then run this check again.")
    if answer not in BUGS:
        return CheckResult(False, f"❌ Not yet: {answer!r} is not a bug of the lab; choose one of "
                                  f"{', '.join(BUGS)}.")
    if answer == expected:
        return CheckResult(True, f"✅ Correct! {BUGS[answer].diagnosis}")
    return CheckResult(False, f"❌ Not yet: {BUGS[answer].title} would leave another fingerprint. "
                              f"Hint: compare this run's panel with that bug's panel in section 3.")
