"""The one training core: device placement, one loop for every GAN, History through checkpoints,
the sigmoid refusal, wrapped models, and no host sync per step.

A CPU-only machine has a second device for these tests: "meta" (tensors with shapes but no data).
Every tensor a step makes must land on the trainer's device, or mixing "meta" and "cpu" raises."""
import pytest
import torch
from torch import nn

from gan_utils.data import InMemoryBatches
from gan_utils.models import (ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, DCGANDiscriminator,
                              DCGANGenerator, MLPDiscriminator, MLPGenerator)
from gan_utils.models.inputs import values_checked_once
from gan_utils.toy import ToyGAN
from gan_utils.train import GANTrainer, WGANTrainer, read_checkpoint
import gan_utils.train.distributed as distributed_module


def digits(n=64, seed=0):
    return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def mlp_pair():
    torch.manual_seed(0)
    return MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16)


TRAINERS = {
    "MLP GAN (lesson 03)": lambda device: GANTrainer(*mlp_pair(), InMemoryBatches(digits(), 16, seed=0),
                                                     device=device),
    "DCGAN (lesson 04)": lambda device: GANTrainer(DCGANGenerator(latent_dim=8, ngf=4), DCGANDiscriminator(ndf=4),
                                                   InMemoryBatches(digits(), 16, seed=0), device=device),
    "conditional DCGAN (lesson 05)": lambda device: GANTrainer(
        ConditionalDCGANGenerator(latent_dim=8, ngf=4), ConditionalDCGANDiscriminator(ndf=4),
        InMemoryBatches(digits(), 16, labels=torch.arange(64) % 10, seed=0), device=device),
    "WGAN-GP (lesson 07)": lambda device: WGANTrainer(*mlp_pair(), InMemoryBatches(digits(), 16, seed=0),
                                                      d_steps=2, device=device),
    "2D lab (lesson 07)": lambda device: ToyGAN(hidden_dim=8, d_steps=2, loss="wgan-gp", device=device),
}


def one_round(trainer):
    if isinstance(trainer, ToyGAN):
        return [trainer.batches.draw() for _ in range(trainer.d_steps)]
    return list(iter(trainer.batches))[:trainer.d_steps]


@pytest.mark.parametrize("name", TRAINERS)
def test_every_training_path_runs_on_the_trainers_device_not_on_Gs(name):
    trainer = TRAINERS[name]("meta")        # G and D were built on the CPU
    with values_checked_once(trainer.G, trainer.D):   # meta tensors have no values to check
        figures = trainer.train_step(*one_round(trainer))
    assert {value.device.type for value in figures.values()} == {"meta"}
    assert all(p.device.type == "meta" for p in list(trainer.G.parameters()) + list(trainer.D.parameters()))
    assert trainer.fixed_noise.device.type == "meta" and trainer.noise(3).device.type == "meta"


def test_the_default_device_is_the_course_device_whatever_G_was_built_on(monkeypatch):
    monkeypatch.setattr(distributed_module, "get_device", lambda prefer=None: torch.device(prefer or "meta"))
    G, D = mlp_pair()
    batches = InMemoryBatches(digits(), 16, seed=0)
    trainer = GANTrainer(G, D, batches)
    assert trainer.device.type == "meta" and next(G.parameters()).device.type == "meta"
    assert batches.images.device.type == "meta"       # the batches live on the device too
    assert GANTrainer(*mlp_pair(), InMemoryBatches(digits(), 16), device="cpu").device.type == "cpu"


@pytest.mark.filterwarnings("ignore:.*meta parameter")
def test_a_checkpoint_loads_onto_another_device(tmp_path, monkeypatch):
    cpu = TRAINERS["WGAN-GP (lesson 07)"]("cpu")
    cpu.fit(1, progress=False)
    cpu.save_checkpoint(tmp_path / "run.pt")
    loads = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: loads.append(k) or real_load(*a, **k))
    other = TRAINERS["WGAN-GP (lesson 07)"]("meta").load_checkpoint(tmp_path / "run.pt")
    assert loads[0]["map_location"] == "cpu"          # a GPU's checkpoint opens on any machine
    assert other.fixed_noise.device.type == "meta"
    moments = [s["exp_avg"] for s in other.opt_D.state.values()]
    assert moments and all(m.device.type == "meta" for m in moments)
    assert other.step == cpu.step and other.history.gp == cpu.history.gp


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_checkpoint_goes_from_the_gpu_to_the_cpu_and_back(tmp_path):
    gpu = TRAINERS["MLP GAN (lesson 03)"]("cuda")
    gpu.fit(1, progress=False)
    gpu.save_checkpoint(tmp_path / "gpu.pt")
    cpu = TRAINERS["MLP GAN (lesson 03)"]("cpu").load_checkpoint(tmp_path / "gpu.pt")
    cpu.fit(1, progress=False)
    cpu.save_checkpoint(tmp_path / "cpu.pt")
    back = TRAINERS["MLP GAN (lesson 03)"]("cuda").load_checkpoint(tmp_path / "cpu.pt")
    assert back.step == 2 * gpu.step and next(back.G.parameters()).is_cuda


def test_image_gan_wgan_gp_and_the_2d_lab_share_one_loop(monkeypatch):
    calls = []
    real_run = GANTrainer.run
    monkeypatch.setattr(GANTrainer, "run", lambda self, *a, **k: calls.append(type(self).__name__)
                        or real_run(self, *a, **k))
    image, wgan, lab = (TRAINERS[name]("cpu") for name in
                        ("MLP GAN (lesson 03)", "WGAN-GP (lesson 07)", "2D lab (lesson 07)"))
    image.fit(1, progress=False)
    wgan.fit(1, progress=False)
    lab.train(3, progress=False)
    assert calls == ["GANTrainer", "WGANTrainer", "ToyGAN"]
    assert all(type(t).train_step is GANTrainer.train_step for t in (image, wgan, lab))
    for trainer in (image, wgan, lab):  # one history format: a step counter and the same core figures
        assert trainer.history.step == list(range(1, trainer.step + 1))
        assert {"loss_D", "loss_G", "D_x", "D_G_z1", "D_G_z2"} <= set(trainer.history.keys())
    assert (wgan.step, wgan.d_updates, wgan.g_updates) == (2, 4, 2)   # d_steps=2: 4 batches, 2 steps
    assert (lab.step, lab.d_updates, lab.g_updates) == (3, 6, 3)     # the same meaning in the lab


def test_history_keeps_a_steps_extra_figures_through_a_checkpoint(tmp_path):
    wgan = TRAINERS["WGAN-GP (lesson 07)"]("cpu")
    wgan.fit(2, progress=False)
    wgan.save_checkpoint(tmp_path / "w.pt")
    resumed = TRAINERS["WGAN-GP (lesson 07)"]("cpu").load_checkpoint(tmp_path / "w.pt")
    assert resumed.history.gp == wgan.history.gp and len(resumed.history.gp) == 4
    assert resumed.history.wasserstein == wgan.history.wasserstein
    assert read_checkpoint(tmp_path / "w.pt")["history"]["columns"].keys() >= {"gp", "wasserstein"}


def test_loading_a_checkpoint_leaves_the_global_random_state_alone(tmp_path):
    trainer = TRAINERS["MLP GAN (lesson 03)"]("cpu")
    trainer.fit(1, progress=False)
    trainer.save_checkpoint(tmp_path / "run.pt")
    resumed = TRAINERS["MLP GAN (lesson 03)"]("cpu")
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    resumed.load_checkpoint(tmp_path / "run.pt")
    assert torch.equal(torch.rand(3), expected)


def test_fixed_noise_has_its_own_generator():
    a = GANTrainer(*mlp_pair(), InMemoryBatches(digits(), 16), num_fixed=4, seed=0, device="cpu")
    b = GANTrainer(*mlp_pair(), InMemoryBatches(digits(), 16), num_fixed=16, seed=0, device="cpu")
    assert torch.equal(a.fixed_noise, b.fixed_noise[:4])   # same seed, same fixed noise
    # and the training noise starts where a plain generator seeded like the trainer starts
    assert torch.equal(a.noise(5), torch.randn(5, 8, generator=torch.Generator().manual_seed(0)))


def test_a_sigmoid_discriminator_with_a_logits_loss_is_refused_and_the_classic_form_runs():
    G = MLPGenerator(latent_dim=8, hidden_dim=16)
    batches = InMemoryBatches(digits(), 16, seed=0)
    with pytest.raises(ValueError, match="second sigmoid.*criterion=nn.BCELoss"):
        GANTrainer(G, MLPDiscriminator(hidden_dim=16, sigmoid=True), batches, device="cpu")
    own_D = nn.Sequential(nn.Flatten(), nn.Linear(784, 1), nn.Sigmoid())   # not a course model
    with pytest.raises(ValueError, match="ends in a Sigmoid"):
        GANTrainer(G, own_D, batches, device="cpu")
    with pytest.raises(ValueError, match="needs probabilities"):
        GANTrainer(G, MLPDiscriminator(hidden_dim=16), batches, criterion=nn.BCELoss(), device="cpu")
    # asked for explicitly, the classic form trains, and matches the logits form from the same start
    torch.manual_seed(0)
    G_1, D_1 = MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16, sigmoid=True)
    G_2, D_2 = MLPGenerator(latent_dim=8, hidden_dim=16), MLPDiscriminator(hidden_dim=16)
    G_2.load_state_dict(G_1.state_dict()), D_2.load_state_dict(D_1.state_dict())
    classic = GANTrainer(G_1, D_1, InMemoryBatches(digits(), 16, seed=0), criterion=nn.BCELoss(), device="cpu")
    logits = GANTrainer(G_2, D_2, InMemoryBatches(digits(), 16, seed=0), device="cpu")
    a, b = classic.fit(2, progress=False), logits.fit(2, progress=False)
    for key in ("D_x", "D_G_z1", "loss_D", "loss_G"):   # probabilities read as they are, no 2nd sigmoid
        assert a[key] == pytest.approx(b[key], rel=1e-3, abs=1e-4), key


def test_wrapped_models_are_accepted_and_saved_unwrapped(tmp_path):
    G, D = mlp_pair()
    trainer = GANTrainer(nn.DataParallel(G), nn.DataParallel(D), InMemoryBatches(digits(), 16, seed=0),
                         device="cpu", checkpoint_path=tmp_path / "dp.pt")
    trainer.fit(1, progress=False)
    assert read_checkpoint(tmp_path / "dp.pt")["G"]["class"] == "MLPGenerator"
    with pytest.raises(TypeError, match="no latent_dim.*DataParallel, DistributedDataParallel or torch.compile"):
        GANTrainer(nn.Sequential(G), D, digits(), device="cpu")


def test_a_step_does_not_wait_for_the_device(monkeypatch):
    """No figure is read back per step: only the first batch's value checks (real images and G's
    range), the snapshots, the history's occasional flush and its last one at the end of the run
    (which the NaN check reads) move numbers to the host."""
    reads = []
    for name in ("item", "tolist", "cpu"):
        real = getattr(torch.Tensor, name)
        monkeypatch.setattr(torch.Tensor, name, lambda self, *a, _real=real, _name=name, **k:
                            reads.append(_name) or _real(self, *a, **k))
    trainer = GANTrainer(*mlp_pair(), InMemoryBatches(digits(64), 4, seed=0), device="cpu")
    trainer.fit(2, progress=False)                  # 32 steps
    assert len(trainer.history) == 32 and len(reads) < 16, reads
