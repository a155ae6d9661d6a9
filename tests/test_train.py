import os
import signal

import pytest
import torch
from torch import nn

from gan_utils.data import ImageShapeError, InMemoryBatches
from gan_utils.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from gan_utils.train import (CheckpointError, GANTrainer, History, discriminator_step,
                             generator_step, load_model, read_checkpoint, save_checkpoint)


def small_pair(seed=0):
    torch.manual_seed(seed)
    return MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16)


def digits(n=96, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def parameters(model):
    return [p.detach().clone() for p in model.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_discriminator_step_changes_only_D_and_reports_probabilities():
    G, D = small_pair()
    opt_D = torch.optim.Adam(D.parameters(), lr=1e-3)
    g_before, d_before = parameters(G), parameters(D)
    figures = discriminator_step(D, opt_D, nn.BCEWithLogitsLoss(), digits(8), G(torch.randn(8, 8)).detach())
    assert same(parameters(G), g_before) and not same(parameters(D), d_before)
    assert set(figures) == {"loss_D", "D_x", "D_G_z1"}
    assert 0 < figures["D_x"] < 1 and 0 < figures["D_G_z1"] < 1 and figures["loss_D"] > 0


def test_saturating_generator_loss_is_log_one_minus_D_and_unknown_losses_are_refused():
    G, D = small_pair()
    x_fake = G(torch.randn(8, 8))
    logits = D(x_fake).detach()
    figures = generator_step(D, torch.optim.SGD(G.parameters(), lr=0.0), nn.BCEWithLogitsLoss(), x_fake,
                             loss="saturating")
    assert figures["loss_G"] == pytest.approx(torch.log(1 - torch.sigmoid(logits)).mean().item(), rel=1e-5)
    with pytest.raises(ValueError, match="non-saturating"):
        generator_step(D, torch.optim.SGD(G.parameters(), lr=0.0), nn.BCEWithLogitsLoss(), x_fake, loss="hinge")


def test_discriminator_loss_averages_the_real_and_fake_halves():
    D = MLPDiscriminator(hidden_dim=4)
    nn.init.zeros_(D.net[-1].weight), nn.init.zeros_(D.net[-1].bias)  # D says 0.5 to everything
    figures = discriminator_step(D, torch.optim.SGD(D.parameters(), lr=0.0), nn.BCEWithLogitsLoss(),
                                 digits(4), digits(4, seed=1))
    assert figures["loss_D"] == pytest.approx(torch.log(torch.tensor(2.0)).item(), abs=1e-6)


def test_generator_step_changes_only_G_and_uses_real_labels():
    G, D = small_pair()
    opt_G = torch.optim.Adam(G.parameters(), lr=1e-3)
    g_before, d_before = parameters(G), parameters(D)
    x_fake = G(torch.randn(8, 8))
    logits = D(x_fake).detach()
    figures = generator_step(D, opt_G, nn.BCEWithLogitsLoss(), x_fake)
    assert not same(parameters(G), g_before) and same(parameters(D), d_before)
    assert all(p.grad is None and p.requires_grad for p in D.parameters())  # frozen, then unfrozen
    expected = nn.functional.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    assert figures["loss_G"] == pytest.approx(expected.item(), rel=1e-5)


def test_history_records_and_round_trips():
    history = History()
    history.record(1, 1, {"loss_D": 0.7, "loss_G": 0.8, "D_x": 0.5, "D_G_z1": 0.4, "D_G_z2": 0.45})
    history.record(2, 1, {"loss_D": 0.5, "loss_G": 1.0, "D_x": 0.6, "D_G_z1": 0.3, "D_G_z2": 0.35})
    history.add_snapshot(2, torch.zeros(4, 1, 28, 28))
    assert len(history) == 2 and history.mean("loss_D") == pytest.approx(0.6)
    assert history.mean("loss_G", last=1) == 1.0 and history.last()["D_x"] == 0.6
    again = History.from_state_dict(history.state_dict())
    assert again.loss_G == history.loss_G and torch.equal(again.snapshots[0][1], history.snapshots[0][1])
    with pytest.raises(ValueError, match="no steps"):
        History().mean("loss_D")


def test_fit_records_every_step_and_a_snapshot_per_epoch():
    G, D = small_pair()
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32, seed=0), num_fixed=9)
    history = trainer.fit(2, progress=False)
    assert len(history) == 6 and history.step == list(range(1, 7)) and history.epoch == [1] * 3 + [2] * 3
    assert [step for step, _ in history.snapshots] == [0, 3, 6]
    assert history.snapshots[-1][1].shape == (9, 1, 28, 28)
    trainer.fit(1, progress=False)
    assert trainer.epoch == 3 and trainer.step == 9 and len(history.snapshots) == 4


def test_fit_takes_a_dataloader_of_image_label_pairs():
    G, D = small_pair()
    dataset = torch.utils.data.TensorDataset(digits(64), torch.zeros(64, dtype=torch.long))
    trainer = GANTrainer(G, D, torch.utils.data.DataLoader(dataset, batch_size=32))
    assert len(trainer.fit(1, progress=False)) == 2


def test_fit_refuses_a_bad_epoch_count_and_zero_one_images():
    G, D = small_pair()
    zero_one = torch.utils.data.DataLoader(digits() * 0.5 + 0.5, batch_size=32)  # forgot Normalize
    trainer = GANTrainer(G, D, zero_one)
    with pytest.raises(ValueError, match="positive whole number"):
        trainer.fit(0)
    with pytest.raises(ImageShapeError, match=r"\[0, 1\] images"):
        trainer.fit(1, progress=False)


def run(epochs_then_resume, tmp_path):
    """Train 2 epochs straight ([2]) or 1, checkpoint, fresh objects, resume 1 ([1, 1])."""
    G, D = small_pair()
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32, seed=0), seed=0)
    trainer.fit(epochs_then_resume[0], progress=False)
    if len(epochs_then_resume) == 1:
        return trainer
    trainer.save_checkpoint(tmp_path / "run.pt")
    G2, D2 = small_pair(seed=123)  # different starting weights: the checkpoint must overwrite them
    resumed = GANTrainer(G2, D2, InMemoryBatches(digits(), batch_size=32, seed=0), seed=99)
    resumed.load_checkpoint(tmp_path / "run.pt")
    resumed.fit(epochs_then_resume[1], progress=False)
    return resumed


def test_resumed_training_equals_uninterrupted_training(tmp_path):
    straight, resumed = run([2], tmp_path), run([1, 1], tmp_path)
    assert same(parameters(straight.G), parameters(resumed.G))
    assert same(parameters(straight.D), parameters(resumed.D))
    assert straight.history.loss_D == resumed.history.loss_D and resumed.step == 6


def test_checkpoints_are_written_during_and_at_the_end_of_a_fit(tmp_path, monkeypatch):
    G, D = small_pair()
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32, seed=0),
                         checkpoint_path=tmp_path / "auto.pt", checkpoint_every=3600)
    saved_at = []
    monkeypatch.setattr(trainer, "save_checkpoint", lambda path: saved_at.append(trainer.epoch))
    trainer.fit(3, progress=False)
    assert saved_at == [3]  # not due during the fit: only at its end
    trainer.checkpoint_every = 0
    trainer.fit(2, progress=False)
    assert saved_at == [3, 4, 5]  # due after every epoch
    monkeypatch.undo()
    trainer.fit(1, progress=False)
    assert read_checkpoint(tmp_path / "auto.pt")["epoch"] == 6
    assert not list(tmp_path.glob("*.partial"))


def test_live_updates_do_not_postpone_checkpoints(tmp_path, monkeypatch):
    """A live view redrawn often must not reset the checkpoint timer."""
    import gan_utils.train.hooks as hooks_module
    clock = iter(range(10**6))  # each reading of the clock is one second later
    monkeypatch.setattr(hooks_module.time, "perf_counter", lambda: float(next(clock)))
    G, D = small_pair()
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32, seed=0),
                         checkpoint_path=tmp_path / "auto.pt", checkpoint_every=5)
    saved_at = []
    monkeypatch.setattr(trainer, "save_checkpoint", lambda path: saved_at.append(trainer.epoch))

    class EveryStep:
        def update(self, history):
            pass

    trainer.fit(4, progress=False, live=EveryStep(), live_every=0)
    assert len(saved_at) >= 3 and saved_at[-1] == 4  # due during the fit, not only at its end


def test_snapshots_are_stored_as_pixels_and_come_back_as_images():
    history = History()
    images = torch.linspace(-1, 1, 2 * 28 * 28).view(2, 1, 28, 28)
    history.add_snapshot(5, images)
    step, pixels = history.snapshots[0]
    assert pixels.dtype == torch.uint8 and step == 5
    assert (history.frames()[0][1] - images).abs().max() <= 1 / 255 + 1e-6


class InterruptingBatches:
    """Yields batches and sends this process a SIGINT (Kernel -> Interrupt) during batch ``at``."""

    def __init__(self, images, at, raise_instead=False):
        self.images, self.at, self.raise_instead = images, at, raise_instead

    def __len__(self):
        return len(self.images) // 16

    def __iter__(self):
        for i in range(len(self)):
            if i == self.at:
                if self.raise_instead:
                    raise KeyboardInterrupt
                os.kill(os.getpid(), signal.SIGINT)
            yield self.images[i * 16:(i + 1) * 16]


def test_an_interrupt_stops_after_the_current_step_and_keeps_everything(tmp_path, capsys):
    handler_before = signal.getsignal(signal.SIGINT)  # default, or ignored in a background job
    G, D = small_pair()
    trainer = GANTrainer(G, D, InterruptingBatches(digits(), at=2), checkpoint_path=tmp_path / "c.pt")
    history = trainer.fit(5, progress=False)
    assert len(history) == 3 and trainer.step == 3  # the step during which it came finished
    assert "interrupted after step 3" in capsys.readouterr().out
    assert read_checkpoint(tmp_path / "c.pt")["step"] == 3
    trainer.batches = InMemoryBatches(digits(), batch_size=16, seed=0)
    trainer.fit(1, progress=False)  # and it continues
    assert trainer.step == 9
    assert signal.getsignal(signal.SIGINT) is handler_before  # the learner's Ctrl-C works as before


def test_a_keyboard_interrupt_raised_inside_the_loop_is_caught_too():
    G, D = small_pair()
    trainer = GANTrainer(G, D, InterruptingBatches(digits(), at=1, raise_instead=True))
    assert len(trainer.fit(3, progress=False)) == 1


def test_missing_damaged_and_foreign_checkpoints_get_clear_errors(tmp_path):
    G, D = small_pair()
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32, seed=0))
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        trainer.load_checkpoint(tmp_path / "missing.pt")
    damaged = tmp_path / "damaged.pt"
    damaged.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="damaged"):
        trainer.load_checkpoint(damaged)
    torch.save({"weights": torch.zeros(2)}, tmp_path / "state_dict.pt")
    with pytest.raises(CheckpointError, match="holds a state_dict"):
        read_checkpoint(tmp_path / "state_dict.pt")
    torch.save({"epoch": 3, "notes": "mine"}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="not a checkpoint written by gan_utils"):
        read_checkpoint(tmp_path / "foreign.pt")


def test_a_checkpoint_from_another_architecture_is_refused_with_both_described(tmp_path):
    G, D = small_pair()
    GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32)).save_checkpoint(tmp_path / "mlp.pt")
    other = GANTrainer(MLPGenerator(latent_dim=8, hidden_dim=32), MLPDiscriminator(hidden_dim=16),
                       InMemoryBatches(digits(), batch_size=32))
    with pytest.raises(CheckpointError, match=r"hidden_dim=16.*hidden_dim=32"):
        other.load_checkpoint(tmp_path / "mlp.pt")
    dcgan = GANTrainer(DCGANGenerator(latent_dim=8, ngf=4), DCGANDiscriminator(ndf=4),
                       InMemoryBatches(digits(), batch_size=32))
    with pytest.raises(CheckpointError, match="MLPGenerator.*DCGANGenerator"):
        dcgan.load_checkpoint(tmp_path / "mlp.pt")


def test_load_model_rebuilds_the_generator_in_eval_mode(tmp_path):
    G = DCGANGenerator(latent_dim=8, ngf=4)
    save_checkpoint(tmp_path / "g.pt", G=G)
    restored = load_model(tmp_path / "g.pt")
    z = torch.randn(3, 8)
    assert not restored.training
    assert torch.equal(restored(z), G.eval()(z))
    with pytest.raises(CheckpointError, match="no model called 'D'"):
        load_model(tmp_path / "g.pt", name="D")


def test_joint_and_separate_discriminator_steps_agree_without_batch_norm():
    from gan_utils.train.steps import has_batch_norm
    _, D_joint = small_pair()
    D_separate = MLPDiscriminator(hidden_dim=16)
    D_separate.load_state_dict(D_joint.state_dict())
    x_real, x_fake = digits(8), digits(8, seed=1)
    results = []
    for D, joint in [(D_joint, True), (D_separate, False)]:
        opt = torch.optim.SGD(D.parameters(), lr=0.1)
        results.append(discriminator_step(D, opt, nn.BCEWithLogitsLoss(), x_real, x_fake, joint=joint))
    assert float(results[0]["loss_D"]) == pytest.approx(float(results[1]["loss_D"]), rel=1e-6)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(D_joint.parameters(), D_separate.parameters()))
    assert not has_batch_norm(D_joint) and has_batch_norm(DCGANDiscriminator(ndf=4))


def test_sample_uses_eval_mode_and_restores_training_mode():
    G, D = DCGANGenerator(latent_dim=8, ngf=4), DCGANDiscriminator(ndf=4)
    trainer = GANTrainer(G, D, InMemoryBatches(digits(), batch_size=32, seed=0))
    assert trainer.noise(5).shape == (5, 8)
    G.train()
    images = trainer.sample(n=4)
    assert images.shape == (4, 1, 28, 28) and G.training and images.device.type == "cpu"
    torch.manual_seed(0)
    assert torch.equal(trainer.sample(trainer.fixed_noise[:3]), trainer.sample(trainer.fixed_noise[:3]))


def test_discriminator_can_have_its_own_learning_rate():
    G, D = small_pair()
    batches = InMemoryBatches(digits(), batch_size=32, seed=0)
    same_rate = GANTrainer(G, D, batches, lr=1e-4)
    two_rates = GANTrainer(G, D, batches, lr=1e-4, lr_D=4e-4)
    assert same_rate.opt_D.param_groups[0]["lr"] == 1e-4
    assert two_rates.opt_D.param_groups[0]["lr"] == 4e-4 and two_rates.opt_G.param_groups[0]["lr"] == 1e-4
