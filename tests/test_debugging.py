"""The bug lab (gan_utils/debugging): every bug changes exactly one line of loop.py, leaves its own
fingerprint in the figures, and the healthy run shows none of them; the mysteries check answers."""
import math

import pytest
import torch

from gan_utils.data import load_mnist
from gan_utils.debugging import BUGS, MYSTERIES, check_mystery, run_lab, run_mystery, show_bug, with_bug
from gan_utils.debugging import loop
from gan_utils.train import diagnose

STEPS = 120


@pytest.fixture(scope="module")
def images():
    return load_mnist(source="bundled", verbose=False).images


@pytest.fixture(scope="module")
def healthy(images):
    return {"gan": run_lab(images, steps=STEPS, progress=False),
            "wgan": run_lab(images, kind="wgan", steps=STEPS, progress=False)}


@pytest.fixture(scope="module")
def buggy(images):
    return {name: run_lab(images, name, steps=STEPS, progress=False) for name in BUGS}


def tail(run, key, share=0.25):
    values = run.history[key]
    return sum(values[-int(len(values) * share):]) / int(len(values) * share)


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


def test_the_healthy_runs_show_no_fingerprint(healthy):
    assert diagnose(healthy["gan"].history) == [] and diagnose(healthy["wgan"].history) == []
    assert max(healthy["gan"].history["grad_G_in_D_step"]) == 0.0
    assert 0.7 < tail(healthy["wgan"], "critic_slope") < 1.3


def test_each_bug_leaves_its_fingerprint_in_numbers(healthy, buggy):
    h = healthy["gan"]
    assert min(buggy["no_detach_in_D_step"].history["grad_G_in_D_step"][5:]) > 0
    assert max(buggy["detach_in_G_step"].history["grad_G_last"]) == 0.0 and min(h.history["grad_G_last"]) > 0
    swapped = buggy["swapped_labels_in_G_step"]
    assert math.exp(-tail(swapped, "loss_G")) > tail(swapped, "D_G_z2") + 0.5
    assert abs(math.exp(-tail(h, "loss_G")) - tail(h, "D_G_z2")) < 0.2
    sigmoid = buggy["sigmoid_with_logits_loss"].history
    assert min(sigmoid["D_x"] + sigmoid["D_G_z1"]) > 0.5 and max(sigmoid["D_x"] + sigmoid["D_G_z1"]) < 0.7311
    assert min(sigmoid["loss_D"]) > 0.5 and min(h.history["loss_D"]) < 0.5
    assert max(buggy["no_tanh"].history["fake_max"]) > 1.0 or min(buggy["no_tanh"].history["fake_min"]) < -1.0
    assert min(buggy["data_in_0_1"].history["real_min"]) >= 0.0
    no_zero = buggy["no_zero_grad_for_G"]
    assert tail(no_zero, "grad_G_last") > 20 * tail(h, "grad_G_last")
    d_x = buggy["opt_D_steps_G"].history["D_x"]
    assert max(d_x) - min(d_x) < 0.05 and max(h.history["D_x"]) - min(h.history["D_x"]) > 0.3
    fast_D = buggy["lr_D_too_large"]
    assert tail(fast_D, "D_x") - tail(fast_D, "D_G_z1") > 0.4 > tail(h, "D_x") - tail(h, "D_G_z1")
    assert tail(buggy["gp_eps_per_pixel"], "mix_on_line", 1.0) < 0.95 < tail(healthy["wgan"], "mix_on_line", 1.0)
    assert tail(buggy["gp_norm_wrong_dim"], "critic_slope") > 1.5


def test_the_health_panel_warns_on_every_bug_of_the_lab(buggy):
    for name, run in buggy.items():
        assert diagnose(run.history), f"{name} leaves no warning"


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
