"""scripts/train_dcgan.py and gan_utils.train.distributed: one process and two gloo processes under
torchrun, on the CPU (small models and folders, a few seconds a run)."""
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from gan_utils.data import InMemoryBatches, load_image_folder
from gan_utils.data.faces import draw_faces
from gan_utils.models import build_model
from gan_utils.train import CheckpointError, GANTrainer, read_checkpoint, save_checkpoint
from gan_utils.train.distributed import restore_generator, saved_epochs

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_dcgan.py"
WORKER = ROOT / "tests" / "distributed_worker.py"
SMALL = ["--ngf", "8", "--ndf", "8", "--batch-size", "8", "--log-every", "1", "--no-progress", "--workers", "0"]


def run(*args, processes: int = 1, check: bool = True) -> subprocess.CompletedProcess:
    """The script (or the worker) in fresh processes: plain python, or torchrun with gloo."""
    launcher = ([sys.executable] if processes == 1 else
                [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"])
    result = subprocess.run([*launcher, *map(str, args)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if check and result.returncode:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="module")
def faces(tmp_path_factory):
    """32 drawn faces in the ImageFolder layout: 4 steps of 8 an epoch."""
    return draw_faces(tmp_path_factory.mktemp("faces"), 32, seed=3)


def weights(path: Path) -> dict:
    stored = torch.load(path, map_location="cpu", weights_only=True)
    return stored["G"]["state"] | {f"D.{k}": v for k, v in stored["D"]["state"].items()}


def test_two_gloo_processes_train_and_rank_0_writes_every_output(faces, tmp_path):
    out = tmp_path / "run"
    result = run(SCRIPT, "--data", faces, "--epochs", "2", "--snapshot-every", "3", "--out", out, *SMALL, processes=2)
    log = (out / "train_log.txt").read_text()
    assert "2 process(es) on cpu" in log and log.count("Loss_D:") == 8   # one line a step, from rank 0 only
    assert "[2/2][4/4] Loss_D:" in log and "D(G(z)):" in log and " / " in log.splitlines()[-2]
    assert saved_epochs(out) == [1, 2]
    for name in ("losses.png", "progress.gif", "real_vs_fake.png"):
        assert (out / name).stat().st_size > 1000, name
    frames = sorted(p.name for p in (out / "progress").iterdir())
    assert frames == ["step_0000000.png", "step_0000003.png", "step_0000004.png", "step_0000006.png",
                      "step_0000008.png"]   # the start, every 3 steps, and each epoch's end
    assert "epoch 2: checkpoint" in result.stdout
    G = restore_generator(out, epoch=1)
    assert G(torch.randn(2, 100)).shape == (2, 3, 64, 64) and not G.training


def test_two_processes_average_their_gradients_like_one_with_the_whole_batch(tmp_path):
    """No BatchNorm: 2 processes x 8 images reach the weights of 1 process x 16 after 10 steps."""
    run(WORKER, tmp_path / "two.pt", 16, 10, processes=2)
    worker = load_script(WORKER)       # the single-process runs in this process: no start-up cost
    worker.main(str(tmp_path / "one.pt"), 16, 10)
    worker.main(str(tmp_path / "one_half.pt"), 8, 10)
    two, one, half = (torch.load(tmp_path / f"{name}.pt") for name in ("two", "one", "one_half"))
    for key in one["G"]:
        assert torch.allclose(two["G"][key], one["G"][key], atol=1e-6), key
        assert not torch.allclose(half["G"][key], one["G"][key], atol=1e-4), key
    for key in one["D"]:
        assert torch.allclose(two["D"][key], one["D"][key], atol=1e-6), key
    assert two["D_x"] == pytest.approx(one["D_x"], abs=1e-6)   # the log averages over processes
    assert one["D_x"][0] != pytest.approx(one["D_x"][-1], abs=1e-3)   # it did train


def test_resume_continues_the_epoch_count_from_two_processes_to_one(faces, tmp_path, capsys):
    out = tmp_path / "run"
    run(SCRIPT, "--data", faces, "--epochs", "1", "--out", out, *SMALL, processes=2)
    script, args = load_script(), ["--data", str(faces), "--epochs", "2", "--out", str(out), *SMALL]
    with pytest.raises(SystemExit, match="already holds a run.*--resume"):
        script.main(args)
    with pytest.raises(SystemExit, match="trained with --batch-size 8"):
        script.main([*args, "--resume", "--batch-size", "4"])
    script.main([*args, "--resume"])   # one process now
    assert "epoch 1 done, step 4" in capsys.readouterr().out and saved_epochs(out) == [1, 2]
    stored = torch.load(out / "checkpoints" / "epoch_0002.pt", weights_only=True)
    assert stored["epoch"] == 2 and stored["step"] == 8 and stored["run"]["processes"] == 1
    assert stored["history"]["step"] == list(range(1, 9))   # epoch 1's figures came along
    log = (out / "train_log.txt").read_text()
    assert "2 process(es)" in log and "1 process(es)" in log and "[2/2][4/4]" in log


def test_a_run_killed_mid_epoch_resumes_from_its_last_checkpoint_and_loses_nothing_else(faces, tmp_path, capsys):
    """Killed during epoch 2 of 3, resumed: the same weights as a run never interrupted."""
    args = ["--data", str(faces), "--epochs", "3", *SMALL, "--ngf", "32", "--ndf", "32"]
    script = load_script()
    script.main([*args, "--out", str(tmp_path / "whole")])
    out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, str(SCRIPT), *map(str, args), "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = out / "train_log.txt"
    deadline = time.monotonic() + 120
    while not (log.exists() and "[2/3][1/4]" in log.read_text()):
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before epoch 2"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert saved_epochs(out) == [1], "killed after epoch 2 ended: make the test's steps slower"
    script.main([*args, "--out", str(out), "--resume"])
    assert "epoch 1 done, step 4" in capsys.readouterr().out and saved_epochs(out) == [1, 2, 3]
    whole, resumed = weights(tmp_path / "whole" / "checkpoints" / "epoch_0003.pt"), weights(out / "checkpoints" / "epoch_0003.pt")
    for key in whole:
        assert torch.allclose(whole[key].float(), resumed[key].float(), atol=1e-6), key


def test_mnist_conditional_64x64_runs_a_few_steps(tmp_path):
    out = tmp_path / "cgan64"
    run(SCRIPT, "--dataset", "mnist", "--conditional", "--image-size", "64", "--max-steps", "3",
        "--out", out, *SMALL)
    log = (out / "train_log.txt").read_text()
    assert "ConditionalDCGANGenerator" in log and log.count("Loss_D:") == 3
    frame = out / "progress" / "step_0000000.png"
    assert frame.exists() and (out / "losses.png").exists()


def load_script(path: Path = SCRIPT):
    """A script as a module, to call its main() in this process (single-process runs)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bad_arguments_and_folders_get_a_message_not_a_traceback(tmp_path, capsys):
    script = load_script()
    cases = [(["--epochs", "2"], "--data DIR"),
             (["--data", str(tmp_path / "nowhere")], "does not exist"),
             (["--dataset", "mnist", "--batch-size", "0"], "--batch-size must be at least 1"),
             (["--dataset", "mnist", "--resume", "last-one"], "epoch number"),
             (["--dataset", "mnist", "--batch-size", "100000", "--out", str(tmp_path / "b")], "fewer than one batch")]
    for argv, message in cases:
        with pytest.raises(SystemExit) as stop:
            script.main(argv)
        said = str(stop.value.code) + capsys.readouterr().err
        assert stop.value.code != 0 and message in said, (argv, said)
    with pytest.raises(CheckpointError, match="no checkpoints"):
        restore_generator(tmp_path)


def test_bf16_autocast_and_channels_last_run_on_the_cpu_too(faces, tmp_path):
    """The CUDA defaults, switched on by hand, keep the figures finite (checked by collect())."""
    script = load_script()
    script.main(["--data", str(faces), "--epochs", "1", "--amp", "on", "--channels-last", "on",
                 "--out", str(tmp_path / "amp"), *SMALL])
    G = restore_generator(tmp_path / "amp")
    assert torch.isfinite(G(torch.randn(2, 100))).all()


def trainer_for(path: Path, faces: Path, **settings) -> GANTrainer:
    """A notebook's trainer with models shaped like the checkpoint's, on the faces in memory."""
    stored = read_checkpoint(path)
    G, D = (build_model(stored[name]["class"], stored[name]["config"]) for name in ("G", "D"))
    images = torch.stack([image for image, _ in load_image_folder(faces, image_size=64)])
    return GANTrainer(G, D, InMemoryBatches(images, batch_size=8, seed=0), seed=0, **settings)


def test_a_torchrun_checkpoint_goes_on_in_a_notebook_and_back_in_the_script(faces, tmp_path, capsys):
    """One checkpoint layout: epoch 1 under torchrun, epoch 2 in GANTrainer, epoch 3 in the script."""
    out = tmp_path / "run"
    run(SCRIPT, "--data", faces, "--epochs", "1", "--out", out, *SMALL, processes=2)
    first = out / "checkpoints" / "epoch_0001.pt"
    trainer = trainer_for(first, faces).load_checkpoint(first)
    assert trainer.epoch == 1 and trainer.step == 4 and len(trainer.history) == 4
    trainer.fit(1, progress=False)
    assert trainer.epoch == 2 and trainer.step == 8 and trainer.history.step == list(range(1, 9))
    trainer.save_checkpoint(out / "checkpoints" / "epoch_0002.pt")
    script = load_script()
    resumed = script.main(["--data", str(faces), "--epochs", "3", "--out", str(out), *SMALL, "--resume"])
    assert "epoch 2 done, step 8" in capsys.readouterr().out
    assert resumed.epoch == 3 and resumed.step == 12 and saved_epochs(out) == [1, 2, 3]
    with pytest.raises(CheckpointError, match=r"saved by a GANTrainer \(non-saturating\).*GANTrainer \(wgan-gp\)"):
        trainer_for(first, faces, loss="wgan-gp").load_checkpoint(first)


def test_an_old_train_dcgan_checkpoint_is_refused_by_name_before_anything_changes(faces, tmp_path):
    trainer = trainer_for(draw_and_train(faces, tmp_path), faces)
    before = {k: v.clone() for k, v in trainer.G.state_dict().items()}
    old = tmp_path / "old.pt"   # the layout train_dcgan.py wrote before it trained with GANTrainer
    save_checkpoint(old, G=trainer.G, D=trainer.D, opt_G=trainer.opt_G, opt_D=trainer.opt_D, epoch=1, step=4,
                    seconds=1.0, history=trainer.history.state_dict(), settings={"batch_size": 8},
                    world_size=2, fixed_noise=trainer.fixed_noise)
    with pytest.raises(CheckpointError, match="earlier scripts/train_dcgan.py.*load_model"):
        trainer.load_checkpoint(old)
    assert all(torch.equal(before[k], v) for k, v in trainer.G.state_dict().items())


def draw_and_train(faces: Path, tmp_path: Path) -> Path:
    """The checkpoint of one epoch of the script in this process."""
    load_script().main(["--data", str(faces), "--epochs", "1", "--out", str(tmp_path / "one"), *SMALL])
    return tmp_path / "one" / "checkpoints" / "epoch_0001.pt"


def test_resume_with_a_new_lr_trains_at_it_and_says_so(faces, tmp_path, capsys):
    """The case the script's own loop got wrong: Adam's saved state brought back the old rate."""
    args = ["--data", str(faces), "--out", str(tmp_path / "run"), *SMALL]
    load_script().main([*args, "--epochs", "1"])
    trainer = load_script().main([*args, "--epochs", "2", "--resume", "--lr", "1e-5"])
    said = capsys.readouterr().out
    assert "Changed from the saved run: lr: 0.0002 -> 1e-05; lr_D: 0.0002 -> 1e-05" in said
    for optimizer in (trainer.opt_G, trainer.opt_D):
        assert [group["lr"] for group in optimizer.param_groups] == [1e-5]
    stored = read_checkpoint(tmp_path / "run" / "checkpoints" / "epoch_0002.pt")
    assert stored["opt_G"]["param_groups"][0]["lr"] == 1e-5 and stored["run"]["settings"]["lr"] == 1e-5


def test_the_face_generators_card_reads_the_run_it_was_made_by(faces, tmp_path):
    """scripts/train_pretrained.py's card for dcgan64_faces, from a small run of the same script."""
    sys.path.insert(0, str(ROOT / "scripts"))
    pretrained = load_script(ROOT / "scripts" / "train_pretrained.py")
    args = ["--data", str(faces), "--epochs", "2", "--out", str(tmp_path / "run"), *SMALL]
    load_script().main(args)
    gif = pretrained.progress_gif(tmp_path / "run" / "progress", tmp_path / "faces.gif")
    card = pretrained.faces_card(tmp_path / "run", args, gif)
    assert (card["epochs"], card["steps"], card["batch_size"], card["seed"]) == (2, 8, 8, 0)
    assert card["trainer_options"] == {"lr": 2e-4, "lr_D": 2e-4, "betas": [0.5, 0.999]}
    assert card["device"] == "cpu" and card["wall_time_seconds"] > 0
    assert card["train_command"].startswith("python scripts/train_dcgan.py --data ")
