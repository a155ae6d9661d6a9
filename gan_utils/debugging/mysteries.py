"""Lesson 08's "find the bug": three runs of loop.py, each with one bug of the lab that is not named.
The names are stored encoded, so a glance at this file does not spoil the answers."""
import base64

from ..checks import CheckResult, graded
from ..language import say
from .bugs import BUGS
from .lab import LabRun, run_lab

_HIDDEN = {1: "bm9femVyb19ncmFkX2Zvcl9H", 2: "b3B0X0Rfc3RlcHNfRw==", 3: "c2lnbW9pZF93aXRoX2xvZ2l0c19sb3Nz"}
MYSTERIES = tuple(_HIDDEN)


def _answer(number: int) -> str:
    if number not in _HIDDEN:
        raise ValueError(say(f"there are mysteries {', '.join(map(str, MYSTERIES))}; got {number!r}",
                             f"谜题的编号只有 {'、'.join(map(str, MYSTERIES))}，得到的是 {number!r}。"))
    return base64.b64decode(_HIDDEN[number]).decode()


def run_mystery(number: int, images, steps: int = 300, **options) -> LabRun:
    """Train loop.py with mystery bug ``number`` (the run's ``bug`` reads "mystery N")."""
    run = run_lab(images, _answer(number), steps=steps, label=f"mystery {number}", **options)
    run.bug = f"mystery {number}"
    return run


@graded
def check_mystery(number: int, answer) -> CheckResult:
    """Is ``answer`` (a bug name from the lab, e.g. "detach_in_G_step") the bug in mystery ``number``?"""
    expected = _answer(number)
    if answer is None or answer is Ellipsis:
        return CheckResult(False, say("❌ Not yet: replace the ... with the name of a bug from the lab, run "
                                      "that cell, then run this check again.",
                                      "❌ 还不对：把 ... 换成实验室中某个错误的名字，运行那个单元格，"
                                      "再运行这个检查。"))
    if answer not in BUGS:
        return CheckResult(False, say(f"❌ Not yet: {answer!r} is not a bug of the lab; choose one of "
                                      f"{', '.join(BUGS)}.",
                                      f"❌ 还不对：{answer!r} 不是实验室里的错误；请从这些名字中选一个："
                                      f"{'、'.join(BUGS)}。"))
    bug = BUGS[answer]
    if answer == expected:
        return CheckResult(True, say(f"✅ Correct! {bug.diagnosis}", f"✅ 正确！{bug.diagnosis_zh}"))
    return CheckResult(False, say(f"❌ Not yet: {bug.title} would leave another fingerprint. "
                                  f"Hint: compare this run's panel with that bug's panel in section 3.",
                                  f"❌ 还不对：“{bug.title_zh}”会留下另一种特征迹象。"
                                  f"提示：把这次运行的面板与第 3 节中那个错误的面板作比较。"))
