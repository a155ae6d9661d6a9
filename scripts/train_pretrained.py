"""Train the shipped generators with the course's own training room, in full mode, on the CPU.

    .venv/bin/python scripts/train_pretrained.py                 # all four
    .venv/bin/python scripts/train_pretrained.py dcgan cgan      # some of them

The digit generators are trained on the 4000 training digits of the bundled set, scored with
gan_utils.metrics on 1000 samples against the 1000 held-out digits they never see, and written to
data/pretrained/<name>.pt (half precision) with a JSON card: the command, seed, epochs, wall time,
torch threads and scores. dcgan64_faces is trained by
scripts/train_dcgan.py (FACES_ARGS below; an interrupted run resumes) on drawn faces; its card also
records that command, and 9 of its fixed-noise faces are kept as dcgan64_faces_progress.gif.
"""
import re
import shlex
import sys
import time
from pathlib import Path

import torch
from PIL import Image

from gan_utils import InMemoryBatches, load_mnist, seed_everything
from gan_utils.metrics import print_scores, score_generator
from gan_utils.models import (ConditionalDCGANDiscriminator, ConditionalDCGANGenerator, DCGANDiscriminator,
                              DCGANGenerator, MLPDiscriminator, MLPGenerator, weights_init)
from gan_utils.data.files import sha256_of
from gan_utils.pretrained import PRETRAINED, pretrained_path, save_pretrained
from gan_utils.train import GANTrainer, read_checkpoint
from gan_utils.train.distributed import checkpoint_path, restore_generator, saved_epochs
from gan_utils.viz.animation import pick_frames
import train_dcgan

FACES_RUN = Path("outputs/pretrained_runs/dcgan64_faces")
# the seed's 64x64 DCGAN at half width, its Adam settings, and a spectrally normalized D (lesson 04)
FACES_ARGS = ["--dataset", "faces", "--faces", "16000", "--ngf", "32", "--ndf", "32", "--spectral-norm",
              "--batch-size", "64", "--epochs", "16", "--log-every", "25", "--snapshot-every", "50",
              "--out", str(FACES_RUN)]

SEED = 0
DEFAULTS = {"lr": 2e-4, "betas": (0.5, 0.999)}  # the DCGAN paper's Adam settings
RECIPES = {  # name: (build G and D, epochs, trainer options on top of DEFAULTS)
    "mlp_gan": (lambda: (MLPGenerator(), MLPDiscriminator()), 400, {}),
    # The classic DCGAN (lesson 04) drops part of the digit 1 and scores FD 137; a spectrally normalized
    # D without BatchNorm, trained faster than G (two time-scales), covers all ten digits (lesson 04).
    "dcgan": (lambda: (DCGANGenerator().apply(weights_init),
                       DCGANDiscriminator(spectral_norm=True).apply(weights_init)), 200,
              {"lr": 1e-4, "lr_D": 4e-4, "betas": (0.0, 0.9)}),
    "cgan": (lambda: (ConditionalDCGANGenerator().apply(weights_init),
                      ConditionalDCGANDiscriminator().apply(weights_init)), 60, {}),
}


def train(name: str, mnist) -> None:
    build, epochs, options = RECIPES[name]
    seed_everything(SEED)
    G, D = build()
    labels = mnist.labels if name == "cgan" else None
    batches = InMemoryBatches(mnist.images, batch_size=64, labels=labels, seed=SEED)
    settings = DEFAULTS | options
    trainer = GANTrainer(G, D, batches, seed=SEED, **settings)
    start = time.perf_counter()
    trainer.fit(epochs)
    seconds = time.perf_counter() - start
    scores = score_generator(trainer.G.cpu().eval(), train=mnist.images)   # against the held-out digits
    print_scores(scores, name)
    card = {"name": name, "what": PRETRAINED[name], "command": f"python scripts/train_pretrained.py {name}",
            "seed": SEED, "epochs": epochs, "steps": trainer.step, "batch_size": 64,
            "data": mnist.describe(), "optimizer": "Adam", "trainer_options": settings,
            "discriminator": D.config, "device": str(trainer.device), "torch_threads": torch.get_num_threads(),
            "wall_time_seconds": round(seconds, 1), "torch": torch.__version__, "scores": scores}
    print(f"wrote {save_pretrained(trainer.G, name, card)} ({seconds:.0f} s of training)")


def train_faces() -> None:
    """dcgan64_faces: train_dcgan.py's run (resumed if it was interrupted), its last G shipped."""
    train_dcgan.main([*FACES_ARGS, "--resume"])
    gif = progress_gif(FACES_RUN / "progress", pretrained_path("dcgan64_faces").with_name("dcgan64_faces_progress.gif"))
    print(f"wrote {save_pretrained(restore_generator(FACES_RUN), 'dcgan64_faces', faces_card(FACES_RUN, FACES_ARGS, gif))} and {gif}")


def faces_card(run: Path, args: list[str], gif: Path) -> dict:
    """How the shipped face generator was made: the command, its settings, its last checkpoint."""
    epoch = saved_epochs(run)[-1]
    stored = read_checkpoint(checkpoint_path(run, epoch))
    settings = stored["run"]["settings"]
    return {"name": "dcgan64_faces", "what": PRETRAINED["dcgan64_faces"],
            "command": "python scripts/train_pretrained.py dcgan64_faces",
            "train_command": shlex.join(["python", "scripts/train_dcgan.py", *args]),
            "seed": train_dcgan.parse_args(args).seed, "epochs": epoch, "steps": stored["step"],
            "batch_size": stored["run"]["batch_size"],
            "data": "16000 faces drawn by gan_utils.data.faces.draw_faces(seed=0), 80x88 pixels, "
                    "resized and cropped to 64x64",
            "optimizer": "Adam", "trainer_options": {"lr": settings["lr"], "lr_D": settings["lr_D"],
                                                     "betas": list(settings["betas"])},
            "discriminator": stored["D"]["config"], "device": log_header(run),
            "torch_threads": torch.get_num_threads(), "wall_time_seconds": training_seconds(run),
            "torch": torch.__version__, "progress_gif": {"file": gif.name, "bytes": gif.stat().st_size,
                                                         "sha256": sha256_of(gif)}}


def training_seconds(run: Path) -> float:
    """The run's training time over all its resumes: the sum of its log's "... in N s:" lines."""
    return round(sum(float(s) for s in re.findall(r" images in ([0-9.]+) s:", (run / "train_log.txt").read_text())), 1)


def log_header(run: Path) -> str:
    """Where the run trained, from its log's first header line ("1 process(es) on cpu")."""
    found = re.search(r"process\(es\) on (\S+),", (run / "train_log.txt").read_text())
    return found.group(1) if found else "unknown"


def progress_gif(frames: Path, path: Path, faces: int = 3, max_frames: int = 16) -> Path:
    """A small GIF of the top-left faces x faces block of each progress frame (log-spaced frames),
    all in the last frame's 256 colours (a few hundred KB)."""
    files = sorted(frames.glob("step_*.png"))
    side = 2 + faces * 66                       # save_grid's 64-pixel images with 2 pixels of padding
    pictures = [Image.open(files[i]).convert("RGB").crop((0, 0, side, side))
                for i in pick_frames(len(files), max_frames)]
    palette = pictures[-1].quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    pictures = [picture.quantize(palette=palette, dither=Image.Dither.NONE) for picture in pictures]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=350, loop=0)
    return path


def main() -> None:
    names = sys.argv[1:] or [*RECIPES, "dcgan64_faces"]
    unknown = [name for name in names if name not in PRETRAINED]
    if unknown:
        sys.exit(f"unknown name(s) {unknown}; choose from {list(PRETRAINED)}")
    mnist = load_mnist(source="bundled", split="train", verbose=False)   # the held-out 1000 stay unseen
    for name in names:
        train_faces() if name == "dcgan64_faces" else train(name, mnist)


if __name__ == "__main__":
    main()
