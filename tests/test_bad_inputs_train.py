"""Bad inputs and faults in the training room: each is refused before training with a message that
says what was expected and what to do, or handled so that nothing trained is lost."""
import multiprocessing
import os
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from gan_utils import InMemoryBatches, output_dir
from gan_utils.models import (ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, MLPDiscriminator,
                              MLPGenerator)
from gan_utils.settings import get_device
from gan_utils.toy import ToyGAN
from gan_utils.train import (CheckpointError, GANTrainer, WGANTrainer, load_model, read_checkpoint,
                             save_checkpoint)
from gan_utils.train.health import NonFiniteError

REPO_OUTPUTS = Path(__file__).resolve().parents[1] / "outputs"


def digits(n=64, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def pair(seed=0):
    torch.manual_seed(seed)
    return MLPGenerator(latent_dim=8, hidden_dim=32), MLPDiscriminator(hidden_dim=32)


def trainer_on(path=None, n=64, **kwargs):
    G, D = pair()
    return GANTrainer(G, D, InMemoryBatches(digits(n), batch_size=32, seed=0), device="cpu",
                      checkpoint_path=path, **kwargs)


# --- learners' outputs are safe --------------------------------------------------------------------

def test_a_test_run_writes_lesson_outputs_outside_the_learners_outputs_folder():
    assert os.environ.get("GAN_COURSE_OUTPUTS"), "conftest.py should point lessons elsewhere"
    assert REPO_OUTPUTS.resolve() not in output_dir("03_mlp_gan").resolve().parents


def test_a_new_run_keeps_a_longer_run_s_checkpoint_under_another_name(tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    trainer_on(path).fit(3, progress=False)
    trainer_on(path).fit(1, progress=False)
    out = capsys.readouterr().out
    kept = tmp_path / "checkpoint.epoch3.pt"
    assert "held another run, trained for 3 epochs" in out and "kept it as checkpoint.epoch3.pt" in out
    assert read_checkpoint(kept)["epoch"] == 3 and read_checkpoint(path)["epoch"] == 1
    assert isinstance(load_model(kept), MLPGenerator)


def test_a_run_as_long_replaces_the_file_and_says_so(tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    trainer_on(path).fit(1, progress=False)
    trainer_on(path).fit(1, progress=False)
    assert "held another run of 2 steps (this one has 2): replacing it" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]


def test_one_run_saving_again_and_again_keeps_one_file(tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    trainer = trainer_on(path, checkpoint_every=0)
    trainer.fit(2, progress=False)
    trainer.fit(1, progress=False)
    assert capsys.readouterr().out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]
    assert read_checkpoint(path)["epoch"] == 3


def test_a_resumed_run_saves_over_its_own_file(tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    trainer_on(path).fit(2, progress=False)
    resumed = trainer_on(path).load_checkpoint(path)
    resumed.fit(1, progress=False)
    assert "replacing" not in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]
    assert read_checkpoint(path)["epoch"] == 3


def test_two_trainers_on_one_path_keep_the_longer_run(tmp_path, capsys):
    path = tmp_path / "shared.pt"
    first, second = trainer_on(path), trainer_on(path)
    first.fit(2, progress=False)
    second.fit(1, progress=False)      # would have overwritten 2 epochs with 1 without a word
    assert read_checkpoint(tmp_path / "shared.epoch2.pt")["run"]["id"] == first.files.run_id
    assert "kept it as shared.epoch2.pt" in capsys.readouterr().out


def test_an_unreadable_file_at_the_checkpoint_path_is_kept_not_overwritten(tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    path.write_text("my notes")
    trainer_on(path).fit(1, progress=False)
    assert (tmp_path / "checkpoint.unreadable.pt").read_text() == "my notes"
    assert "kept it as checkpoint.unreadable.pt" in capsys.readouterr().out


def _save_many(path, n):
    for i in range(n):
        save_checkpoint(path, step=i, weights=torch.zeros(1000))


def test_two_processes_saving_one_checkpoint_never_clash(tmp_path):
    path = tmp_path / "checkpoint.pt"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_save_many, args=(path, 40)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert read_checkpoint(path)["step"] == 39
    assert not list(tmp_path.glob("*.partial"))


def test_a_checkpoint_path_that_is_a_folder_is_refused_before_training(tmp_path):
    with pytest.raises(CheckpointError, match=r"is a folder; give a file name inside it, e\.g\. .*checkpoint\.pt"):
        trainer_on(tmp_path)


def test_a_checkpoint_path_under_a_file_is_refused_before_training(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(CheckpointError, match="cannot create the folder .*notes.txt.* pick a folder"):
        trainer_on(tmp_path / "notes.txt" / "checkpoint.pt")


def test_a_full_disk_while_saving_says_nothing_in_memory_is_lost(tmp_path, monkeypatch):
    trainer = trainer_on()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(CheckpointError, match="No space left on device.*Nothing in memory is lost"):
        trainer.save_checkpoint(tmp_path / "checkpoint.pt")
    assert not list(tmp_path.iterdir())


# --- numerical health -------------------------------------------------------------------------------

def test_a_nan_in_a_later_batch_stops_training_at_that_step_and_keeps_the_good_checkpoint(tmp_path):
    path = tmp_path / "checkpoint.pt"
    images = digits(128)
    trainer = GANTrainer(*pair(), InMemoryBatches(images, batch_size=32, shuffle=False),
                         device="cpu", checkpoint_path=path)
    trainer.fit(1, progress=False)
    images[100, 0, 5, 5] = float("nan")   # batch 4 of epoch 2 (step 8); the first batch is clean
    with pytest.raises(NonFiniteError, match=r"non-finite at step 8 \(epoch 2\): loss_D = nan.*"
                                             r"last good checkpoint is kept at .*checkpoint\.pt"):
        trainer.fit(1, progress=False)
    assert read_checkpoint(path)["epoch"] == 1
    assert all(torch.isfinite(p).all() for p in load_model(path).parameters())


def test_a_learning_rate_that_explodes_names_the_step(tmp_path):
    G, D = pair()
    with torch.no_grad():
        D.net[-1].weight.fill_(float("inf"))
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32), device="cpu")
    with pytest.raises(NonFiniteError, match="non-finite at step 1 .*learning rate too high"):
        trainer.fit(1, progress=False)


def test_nan_weights_are_never_saved(tmp_path):
    trainer = trainer_on()
    with torch.no_grad():
        next(trainer.G.parameters()).fill_(float("nan"))
    with pytest.raises(NonFiniteError, match="weights of G hold NaN"):
        trainer.save_checkpoint(tmp_path / "checkpoint.pt")
    assert not (tmp_path / "checkpoint.pt").exists()


# --- resuming ---------------------------------------------------------------------------------------

def test_a_resumed_trainer_uses_the_callers_learning_rate_and_says_what_came_from_where(tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    trainer_on(path, lr=1e-3, betas=(0.9, 0.99)).fit(1, progress=False)
    resumed = trainer_on(lr=2e-4).load_checkpoint(path)
    assert {group["lr"] for group in resumed.opt_G.param_groups + resumed.opt_D.param_groups} == {2e-4}
    assert resumed.opt_G.param_groups[0]["betas"] == (0.5, 0.999)
    out = capsys.readouterr().out
    assert "From the checkpoint: the weights of G and D, Adam's moments" in out
    assert "Changed from the saved run: lr: 0.001 -> 0.0002" in out and "betas: (0.9, 0.99) -> (0.5, 0.999)" in out


def test_a_wgan_trainer_refuses_a_gan_trainer_checkpoint_by_name(tmp_path):
    path = tmp_path / "checkpoint.pt"
    trainer_on(path).fit(1, progress=False)
    wgan = WGANTrainer(*pair(), InMemoryBatches(digits(), batch_size=32), device="cpu")
    with pytest.raises(CheckpointError, match=r"saved by a GANTrainer \(non-saturating\), but this trainer "
                                              r"is a WGANTrainer \(wgan-gp\)"):
        wgan.load_checkpoint(path)


def test_a_gan_trainer_refuses_an_old_wgan_checkpoint_told_by_its_history(tmp_path):
    path = tmp_path / "checkpoint.pt"
    wgan = WGANTrainer(*pair(), InMemoryBatches(digits(), batch_size=32), device="cpu", d_steps=1)
    wgan.fit(1, progress=False)
    payload = wgan.state_dict()
    del payload["run"]                   # written before checkpoints recorded their trainer
    save_checkpoint(path, **payload)
    with pytest.raises(CheckpointError, match=r"saved by a WGANTrainer \(wgan-gp\)"):
        trainer_on().load_checkpoint(path)


def test_switching_between_the_two_bce_losses_on_resume_is_allowed_and_reported(tmp_path, capsys):
    path = tmp_path / "checkpoint.pt"
    trainer_on(path, loss="saturating").fit(1, progress=False)
    trainer_on().load_checkpoint(path)
    assert "loss: 'saturating' -> 'non-saturating'" in capsys.readouterr().out


# --- batches ----------------------------------------------------------------------------------------

def test_a_dataloader_that_drops_its_only_partial_batch_is_refused_with_the_reason():
    loader = DataLoader(TensorDataset(digits(10)), batch_size=32, drop_last=True)
    with pytest.raises(ValueError, match="drop_last=True and batch_size=32, but only 10 images"):
        GANTrainer(*pair(), loader, device="cpu")


def test_a_generator_expression_as_batches_is_refused_before_the_first_epoch():
    images = digits(64)
    with pytest.raises(TypeError, match="one-shot iterator.*empty after the first epoch"):
        GANTrainer(*pair(), (images[i:i + 32] for i in range(0, 64, 32)), device="cpu")


def test_a_bare_tensor_as_batches_points_to_in_memory_batches():
    with pytest.raises(TypeError, match=r"one tensor \(64, 1, 28, 28\).*InMemoryBatches\(images, batch_size=64\)"):
        GANTrainer(*pair(), digits(64), device="cpu")


def test_a_dataset_as_batches_points_to_a_dataloader():
    with pytest.raises(TypeError, match=r"Dataset \(TensorDataset\).*DataLoader\(dataset, batch_size=64"):
        GANTrainer(*pair(), TensorDataset(digits(64)), device="cpu")


class OneEpochOnly:
    """An iterable without a length that is empty the second time (a used-up stream)."""

    def __init__(self):
        self.used = False

    def __iter__(self):
        batches = [] if self.used else [digits(32)]
        self.used = True
        return iter(batches)


def test_an_epoch_with_no_batch_stops_with_a_message_instead_of_counting_it():
    trainer = GANTrainer(*pair(), OneEpochOnly(), device="cpu")
    with pytest.raises(ValueError, match="epoch 2 got no batch from batches"):
        trainer.fit(3, progress=False)
    assert trainer.epoch == 1


# --- models, device and settings --------------------------------------------------------------------

def test_a_cuda_device_on_a_machine_without_one_points_to_get_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available here; use get_device()"):
        GANTrainer(*pair(), InMemoryBatches(digits(), batch_size=32), device="cuda")


def test_a_device_name_that_is_not_one_is_named():
    with pytest.raises(ValueError, match="'gpu' is not a device name; use 'cpu', 'cuda'"):
        get_device("gpu")


def test_a_conditional_generator_with_a_plain_discriminator_is_refused_before_training():
    batches = InMemoryBatches(digits(), batch_size=32, labels=torch.arange(64) % 10)
    with pytest.raises(TypeError, match="G is conditional.*takes images only.*ConditionalDCGANDiscriminator"):
        GANTrainer(ConditionalDCGANGenerator(latent_dim=8), MLPDiscriminator(hidden_dim=32), batches)


def test_a_plain_generator_with_a_conditional_discriminator_is_refused():
    with pytest.raises(TypeError, match="D .*needs labels.*G .*is not conditional"):
        GANTrainer(MLPGenerator(latent_dim=8), ConditionalDCGANDiscriminator(),
                   InMemoryBatches(digits(), batch_size=32))


def test_the_same_model_as_g_and_d_is_refused():
    G = MLPGenerator(latent_dim=8)
    with pytest.raises(ValueError, match="G and D are the same model"):
        GANTrainer(G, G, InMemoryBatches(digits(), batch_size=32))


def test_a_discriminator_that_is_not_a_module_is_refused():
    with pytest.raises(TypeError, match="D should be a discriminator.*got function"):
        GANTrainer(MLPGenerator(latent_dim=8), lambda x: x.mean(), InMemoryBatches(digits(), batch_size=32))


@pytest.mark.parametrize("setting, value, words", [
    ("lr", 0, "lr .*between 0 and 1"), ("lr", -2e-4, "lr .*between 0 and 1"),
    ("lr", "2e-4", "lr .*between 0 and 1.*'2e-4'"), ("lr_D", 5, "lr_D .*between 0 and 1"),
    ("betas", (0.5,), r"betas should be two numbers in \[0, 1\)"), ("betas", (1.2, 0.9), "betas"),
    ("real_label", 1.5, r"real_label should be in \(0, 1\]"), ("num_fixed", 0, "num_fixed .*whole number, at least 1, got 0"),
    ("seed", -1, "seed should be a whole number, at least 0, got -1"), ("checkpoint_every", -5, "checkpoint_every"),
])
def test_settings_that_would_train_silently_wrong_are_refused_by_name(setting, value, words):
    with pytest.raises(ValueError, match=words):
        trainer_on(**{setting: value})


def test_a_hook_that_is_not_a_hook_is_refused_before_training():
    trainer = trainer_on()
    with pytest.raises(TypeError, match="hooks should be Hook objects.*got function"):
        trainer.fit(1, progress=False, hooks=[lambda trainer: None])
    assert trainer.step == 0


def test_a_whole_model_saved_with_torch_save_is_named_as_such(tmp_path):
    torch.save(MLPGenerator(latent_dim=8), tmp_path / "G.pt")
    with pytest.raises(CheckpointError, match=r"whole model saved with torch.save\(model\).*weights_only=False"):
        load_model(tmp_path / "G.pt")


def test_snapshot_every_zero_in_the_2d_lab_is_refused():
    lab = ToyGAN(device="cpu")
    with pytest.raises(ValueError, match="snapshot_every .*whole number, at least 1, got 0"):
        lab.train(10, snapshot_every=0, progress=False)
    assert lab.step == 0


def test_a_sigmoid_discriminator_with_bce_with_logits_is_refused_by_name():
    with pytest.raises(ValueError, match="D ends in a Sigmoid.*criterion=nn.BCELoss"):
        GANTrainer(MLPGenerator(latent_dim=8), MLPDiscriminator(sigmoid=True),
                   InMemoryBatches(digits(), batch_size=32), criterion=nn.BCEWithLogitsLoss())


def test_a_generator_without_tanh_is_named_before_the_first_step():
    G, D = pair()
    G.net[-1] = nn.Identity()           # the last Tanh taken away: outputs beyond [-1, 1]
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32), device="cpu")
    with pytest.raises(ValueError, match=r"G's images should be in \[-1, 1\].*end G with nn.Tanh\(\)"):
        trainer.fit(1, progress=False)
    assert trainer.step == 0
