"""The bug lab (gan_utils/debugging): every bug changes exactly one line of loop.py, leaves its own
fingerprint in the figures, and the healthy run shows none of them; the mysteries check answers."""
import sys
from pathlib import Path

import pytest
import torch

from gan_utils.data import load_mnist
from gan_utils.debugging import BUGS, MYSTERIES, check_mystery, run_lab, run_mystery, show_bug, with_bug
from gan_utils.debugging import loop

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from outcomes import MIN_MARGIN, bug_lab, claims  # noqa: E402

STEPS = 100          # lesson 08's fast mode: every warning must already be there
SEEDS = range(5)     # the lesson runs seed 0; a learner who changes it must see the same warnings


@pytest.fixture(scope="module")
def images():
    return load_mnist(source="bundled", verbose=False).images


@pytest.fixture(scope="module")
def lab_runs():
    """The healthy loops and every bug, at each seed: the figures the health rules judge."""
    return [bug_lab(seed, STEPS) for seed in SEEDS]


def test_there_are_at_least_eight_bugs_each_one_line_of_loop_py():
    assert len(BUGS) >= 8
    source = open(loop.__file__).read().splitlines()
    for name, bug in BUGS.items():
        shown = show_bug(name).splitlines()
        assert shown[1] == f"- {bug.healthy}" and bug.function in shown[0]
        changed = with_bug(name)
        assert callable(changed.train_step) and changed is not with_bug(None)
        assert sum(line.split("  #")[0].strip() == bug.healthy for line in source) >= 1


def test_an_unknown_bug_is_refused_with_the_list(images):
    with pytest.raises(ValueError, match="no bug called 'typo'.*detach_in_G_step"):
        run_lab(images, "typo", steps=1)
    with pytest.raises(ValueError, match="lives in the wgan loop"):
        run_lab(images, "gp_norm_wrong_dim", kind="gan", steps=1)


BUG_LAB_CLAIMS = [claim for claim in claims() if claim.experiment == "bug_lab"]


@pytest.mark.parametrize("claim", BUG_LAB_CLAIMS, ids=lambda claim: claim.says)
def test_each_bug_leaves_its_fingerprint_and_its_warning_and_the_healthy_loops_none(lab_runs, claim):
    """Every bug's warning at every seed, none for the healthy loops, with a margin over the seeds
    (the cheap form of tools/margins.py, which adds seeds, kernel paths and full-mode lengths)."""
    values = [figures[claim.figure] for figures in lab_runs]
    assert all(claim.holds(figures) for figures in lab_runs), f"{claim.figure} {claim.op} {claim.threshold}: {values}"
    assert claim.margin(lab_runs) >= MIN_MARGIN, f"thin margin {claim.margin(lab_runs):.0%}: {values}"


def test_the_mysteries_are_lab_bugs_and_their_checks_say_not_yet_on_a_placeholder(images):
    assert len(MYSTERIES) == 3
    for number in MYSTERIES:
        assert not check_mystery(number, ...)
        assert "Not yet" in repr(check_mystery(number, "not_a_bug"))
        assert sum(bool(check_mystery(number, name)) for name in BUGS) == 1
    run = run_mystery(1, images, steps=5, progress=False)
    assert run.bug == "mystery 1" and len(run.history) == 5


def test_the_lab_repeats_a_run_from_its_seed(images):
    a, b = (run_lab(images, steps=10, progress=False) for _ in range(2))
    assert a.history == b.history and torch.equal(a.history.snapshots[-1][1], b.history.snapshots[-1][1])
