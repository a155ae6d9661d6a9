"""The health rules (gan_utils/train/diagnosis.py) on made-up histories, and silent on the course's
own pretrained recipes trained by GANTrainer (which logs the gradient reaching G)."""
import sys
from pathlib import Path

import pytest
import torch

from gan_utils import seed_everything
from gan_utils.data import InMemoryBatches, load_mnist
from gan_utils.train import GANTrainer, History, diagnose
from gan_utils.train.diagnosis import rule_figures

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from train_pretrained import DEFAULTS, RECIPES  # noqa: E402


def history_of(**columns) -> History:
    history = History()
    for step, values in enumerate(zip(*columns.values()), start=1):
        history.record(step, 1, dict(zip(columns, values)))
    return history


def test_a_short_or_quiet_history_gives_no_warning():
    assert diagnose(history_of(loss_D=[0.0] * 10)) == []           # too short to judge
    steady = history_of(loss_D=[0.6] * 100, D_x=[0.6 + 0.004 * (i % 50) for i in range(100)],
                        D_G_z1=[0.4] * 100, grad_G_last=[0.5] * 100)
    assert [f.name for f in diagnose(steady)] == []


def test_rules_name_what_they_see():
    n = 100
    found = diagnose(history_of(loss_D=[0.01] * n, D_x=[0.5 + 0.5 * i / n for i in range(n)],
                                D_G_z1=[0.01] * n, grad_G_last=[0.0] * n, fake_max=[1.8] * n,
                                fake_min=[-0.5] * n))
    assert {f.name for f in found} == {"D_wins", "no_gradient_to_G", "fakes_out_of_range"}
    assert all(str(f).startswith("⚠️") for f in found)


def test_a_D_whose_optimizer_steps_outpace_G_is_named_with_the_ratio():
    n = 100
    racing = history_of(loss_D=[0.5] * n, D_x=[0.6 + 0.004 * (i % 50) for i in range(n)], D_G_z1=[0.3] * n,
                        D_step=[0.5] * n, G_step=[0.05] * n)
    assert rule_figures(racing)["D_step_ratio"] == pytest.approx(10)
    assert [f.name for f in diagnose(racing)] == ["D_outpaces_G"]
    assert "10 times" in str(diagnose(racing)[0])


@pytest.mark.parametrize("name", ["mlp_gan", "dcgan"])
def test_the_course_recipes_train_without_a_warning(name):
    build, _, options = RECIPES[name]
    seed_everything(0)
    G, D = build()
    images = load_mnist(source="bundled", verbose=False).images[:2560]
    trainer = GANTrainer(G, D, InMemoryBatches(images, batch_size=64, seed=0), seed=0, **(DEFAULTS | options))
    trainer.fit(3 if name == "mlp_gan" else 2, progress=False)
    assert {"grad_G_first", "grad_G_last"} <= set(trainer.history.keys())
    assert torch.tensor(trainer.history["grad_G_last"]).gt(0).all()
    assert diagnose(trainer.history) == [], [str(f) for f in diagnose(trainer.history)]
