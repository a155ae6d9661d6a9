"""Train the seed's 64x64 DCGAN (PyTorch's DCGAN tutorial: CelebA, batch 128, ngf = ndf = 64) on an
image folder, on one device or on many with torchrun, and write what the seeds show.

One process, on the best device present (a GPU when there is one):
    python scripts/train_dcgan.py --data /data/celeba --image-size 64 --batch-size 128 --epochs 5 --out outputs/celeba

N processes on one machine (N GPUs, or N CPU processes with the gloo backend):
    torchrun --nproc_per_node=N scripts/train_dcgan.py --data /data/celeba --out outputs/celeba

Two machines with 4 GPUs each (run on both; the first machine's address is the rendezvous point):
    torchrun --nnodes=2 --nproc_per_node=4 --rdzv_id=faces1 --rdzv_backend=c10d \
        --rdzv_endpoint=10.0.0.1:29400 scripts/train_dcgan.py --data /data/celeba --out /shared/celeba

Seed 002's 64x64 conditional GAN on MNIST (digits resized to 64x64, one class per digit):
    python scripts/train_dcgan.py --dataset mnist --conditional --image-size 64 --out outputs/cgan64

The course's offline faces (drawn by gan_utils.data.faces):
    python scripts/train_dcgan.py --dataset faces --faces 20000 --out outputs/faces

Add --resume to continue from the last checkpoint in --out (also on another number of processes);
--resume 3 starts again from epoch 3's. In --out, rank 0 writes: train_log.txt (losses, D(x) and
D(G(z)) before / after D's step every --log-every steps), losses.png, progress/ frames and
progress.gif (fixed noise), real_vs_fake.png, and checkpoints/epoch_NNNN.pt (one per epoch;
gan_utils.train.restore_generator(out, epoch) rebuilds G from one).
"""
import argparse
import os
import shlex
import sys
import time
from pathlib import Path

import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from gan_utils.data import ImageFolderError, load_image_folder, load_mnist  # noqa: E402
from gan_utils.data.faces import draw_faces  # noqa: E402
from gan_utils.models import (ConditionalDCGANDiscriminator, ConditionalDCGANGenerator,  # noqa: E402
                              DCGANDiscriminator, DCGANGenerator, weights_init)
from gan_utils.train import CheckpointError, GANTrainer, Hook, read_checkpoint  # noqa: E402
from gan_utils.train.distributed import (Processes, ShardedBatches, checkpoint_path,  # noqa: E402
                                         saved_checkpoint, saved_epochs)
from gan_utils.train.health import NonFiniteError  # noqa: E402
from gan_utils.viz import plot_training, save_grid  # noqa: E402
from gan_utils.viz.animation import pick_frames  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    data = parser.add_argument_group("data")
    data.add_argument("--data", help="an ImageFolder root: a folder with one subfolder of images "
                                     "(CelebA: the folder that holds img_align_celeba/)")
    data.add_argument("--dataset", choices=("folder", "mnist", "faces"), default=None,
                      help="folder (with --data), mnist (the full set when on disk, else the bundled "
                           "5000 digits) or faces (the course's drawn faces, made in --out/faces)")
    data.add_argument("--faces", type=int, default=10000, help="how many faces --dataset faces draws")
    data.add_argument("--image-size", type=int, default=64, choices=(28, 64))
    data.add_argument("--workers", type=int, default=None,
                      help="DataLoader worker processes per training process (default: the machine's "
                           "cores shared out, at most 8)")
    model = parser.add_argument_group("model")
    model.add_argument("--conditional", action="store_true", help="a conditional GAN on the folder's classes")
    model.add_argument("--latent-dim", type=int, default=100, help="nz, the length of z")
    model.add_argument("--ngf", type=int, default=64)
    model.add_argument("--ndf", type=int, default=64)
    model.add_argument("--spectral-norm", action="store_true",
                       help="D with spectral normalization (and biases) instead of BatchNorm, lesson 04's recipe")
    run = parser.add_argument_group("training")
    run.add_argument("--epochs", type=int, default=5, help="the epoch to stop after (counted from the start "
                                                           "of the run, also when resuming)")
    run.add_argument("--batch-size", type=int, default=128, help="images per step over all processes together")
    run.add_argument("--lr", type=float, default=2e-4)
    run.add_argument("--lr-d", type=float, default=None, help="D's own learning rate (default: --lr)")
    run.add_argument("--beta1", type=float, default=0.5)
    run.add_argument("--beta2", type=float, default=0.999)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--device", default=None, help="cpu, cuda, cuda:1, mps (default: the best present)")
    run.add_argument("--amp", choices=("auto", "on", "off"), default="auto",
                     help="bf16 autocast: on CUDA by default")
    run.add_argument("--channels-last", choices=("auto", "on", "off"), default="auto",
                     help="channels_last memory format: on CUDA by default")
    run.add_argument("--sync-batchnorm", action="store_true",
                     help="one set of BatchNorm statistics over all GPUs (CUDA only)")
    run.add_argument("--resume", nargs="?", const="last", default=None,
                     help="continue from the last checkpoint in --out, or from epoch N's (--resume N)")
    run.add_argument("--max-steps", type=int, default=None, help="stop after this many steps in all")
    out = parser.add_argument_group("output")
    out.add_argument("--out", default="outputs/train_dcgan", help="folder for logs, pictures and checkpoints")
    out.add_argument("--log-every", type=int, default=50, help="steps between log lines")
    out.add_argument("--snapshot-every", type=int, default=500, help="steps between progress frames "
                                                                        "(and one at every epoch's end)")
    out.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    args.dataset = args.dataset or ("folder" if args.data else None)
    if args.dataset is None:
        parser.error("say what to train on: --data DIR (an image folder), --dataset mnist or --dataset faces")
    if args.dataset == "folder" and not args.data:
        parser.error("--dataset folder needs --data DIR")
    for name in ("epochs", "batch_size", "latent_dim", "ngf", "ndf", "log_every", "snapshot_every", "faces"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if not 0 < args.lr < 1 or not 0 < (args.lr_d or args.lr) < 1:
        parser.error(f"--lr and --lr-d must be in (0, 1); got {args.lr} and {args.lr_d}")
    if not (0 <= args.beta1 < 1 and 0 <= args.beta2 < 1):
        parser.error(f"--beta1 and --beta2 must be in [0, 1); got {args.beta1} and {args.beta2}")
    if args.resume not in (None, "last") and not args.resume.isdigit():
        parser.error(f"--resume takes an epoch number or nothing, got {args.resume!r}")
    return args


def default_workers(processes_here: int) -> int:
    """The cores this process may use, minus one for the training loop, at most 8."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, min(8, cores // processes_here - 1))


def load_data(args, processes: Processes):
    """The training images, (C, H, W) in [-1, 1] (with labels), and the number of channels."""
    if args.dataset == "mnist":
        return MnistAtSize(load_mnist(verbose=processes.is_main), args.image_size), 1
    root = Path(args.data) if args.dataset == "folder" else Path(args.out) / "faces"
    if args.dataset == "faces":
        if processes.is_main and len(list((root / "faces").glob("*.png"))) != args.faces:
            print(f"drawing {args.faces} faces into {root / 'faces'} ...", flush=True)
            draw_faces(root, args.faces, seed=args.seed, verbose=True)
        processes.barrier()   # the others wait until the folder is complete
    return load_image_folder(root, image_size=args.image_size, channels=3), 3


class MnistAtSize(torch.utils.data.Dataset):
    """MNIST digits (and labels) resized to ``size`` when read: 28 stays 28, 64 is seed 002's size."""

    def __init__(self, mnist, size: int):
        self.images, self.labels, self.size = mnist.images, mnist.labels, size
        self.classes = [str(d) for d in range(10)]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i):
        image = self.images[i]
        if self.size != image.shape[-1]:
            image = torch.nn.functional.interpolate(image[None], size=self.size, mode="bilinear",
                                                    align_corners=False)[0].clamp(-1, 1)
        return image, int(self.labels[i])


def build_models(args, channels: int, num_classes: int):
    torch.manual_seed(args.seed)          # the same initial weights in every process and every run
    if args.conditional:
        G = ConditionalDCGANGenerator(args.latent_dim, num_classes, args.image_size, channels, args.ngf)
        D = ConditionalDCGANDiscriminator(num_classes, args.image_size, channels, args.ndf,
                                          spectral_norm=args.spectral_norm, bias=args.spectral_norm)
    else:
        G = DCGANGenerator(args.latent_dim, args.image_size, channels, args.ngf)
        D = DCGANDiscriminator(args.image_size, channels, args.ndf, spectral_norm=args.spectral_norm,
                               bias=args.spectral_norm)   # without BatchNorm, D needs its biases
    return G.apply(weights_init), D.apply(weights_init)


def on_cuda(choice: str, device: torch.device) -> bool:
    return choice == "on" or (choice == "auto" and device.type == "cuda")


def build_trainer(args, processes: Processes):
    """The data, the models, and the course's GANTrainer on this process's share of each batch."""
    dataset, channels = load_data(args, processes)
    num_classes = len(dataset.classes)
    if args.conditional and num_classes < 2:
        sys.exit(f"train_dcgan.py: --conditional needs a folder with one subfolder per class; "
                 f"{args.data} has only {num_classes}.")
    G, D = build_models(args, channels, num_classes)
    if args.sync_batchnorm:
        if processes.device.type != "cuda":
            sys.exit("train_dcgan.py: --sync-batchnorm needs CUDA GPUs (SyncBatchNorm has no CPU version).")
        G, D = (torch.nn.SyncBatchNorm.convert_sync_batchnorm(m) for m in (G, D))
    channels_last = on_cuda(args.channels_last, processes.device)
    if channels_last:
        G, D = (m.to(memory_format=torch.channels_last) for m in (G, D))
    processes.amp = on_cuda(args.amp, processes.device)
    per_process = 1 if processes.world_size == 1 else int(os.environ.get("LOCAL_WORLD_SIZE", 1))
    workers = default_workers(per_process) if args.workers is None else args.workers
    try:
        batches = ShardedBatches(dataset, args.batch_size, processes, seed=args.seed, workers=workers,
                                 channels_last=channels_last)
    except ValueError as err:
        sys.exit(f"train_dcgan.py: {err}")
    trainer = GANTrainer(G, D, batches, lr=args.lr, lr_D=args.lr_d, betas=(args.beta1, args.beta2),
                         seed=args.seed, processes=processes)
    return trainer, dataset


def resume(trainer: GANTrainer, args, out: Path) -> None:
    """--resume: the last checkpoint in --out (or epoch N's), trained on with this command's
    settings (the trainer reports any that changed)."""
    if not saved_epochs(out):
        if trainer.processes.is_main:
            print(f"nothing to resume in {out / 'checkpoints'}: starting at epoch 1", flush=True)
        return
    path = saved_checkpoint(out, None if args.resume == "last" else int(args.resume))
    saved_batch = read_checkpoint(path).get("run", {}).get("batch_size")
    if saved_batch not in (None, args.batch_size):
        raise CheckpointError(f"{path} was trained with --batch-size {saved_batch}; resume with that "
                              f"(the total over all processes), not {args.batch_size}, or start a new --out.")
    trainer.load_checkpoint(path)
    if trainer.processes.is_main:
        print(f"resumed from {out / 'checkpoints'}: epoch {trainer.epoch} done, step {trainer.step}", flush=True)


class Outputs(Hook):
    """What rank 0 writes while the trainer trains: the log every --log-every steps, progress
    frames, a checkpoint and the pictures after every epoch, the pictures and the speed at the end.
    Every process reads the figures at the same steps: reading averages them over the processes."""

    def __init__(self, out: Path, args, dataset, total: int, trainer: GANTrainer):
        from tqdm.auto import tqdm

        self.out, self.args, self.dataset, self.total = out, args, dataset, total
        self.enabled = trainer.processes.is_main
        self.steps_per_epoch = len(trainer.batches)
        self.bar = tqdm(total=total, initial=min(trainer.step, total), unit="step",
                        disable=not self.enabled or args.no_progress)
        self.start, self.first_step = time.perf_counter(), trainer.step

    def after_step(self, trainer) -> None:
        self.bar.update()
        if trainer.step % self.args.log_every == 0:
            last = trainer.history.last()
            self.log(f"[{trainer.epoch + 1}/{self.args.epochs}][{trainer.step - trainer.epoch * self.steps_per_epoch}/"
                     f"{self.steps_per_epoch}] Loss_D: {last['loss_D']:.4f} Loss_G: {last['loss_G']:.4f} "
                     f"D(x): {last['D_x']:.4f} D(G(z)): {last['D_G_z1']:.4f} / {last['D_G_z2']:.4f}")
            self.bar.set_postfix(D_x=f"{last['D_x']:.2f}", D_G_z=f"{last['D_G_z1']:.2f}")
        if trainer.step % self.args.snapshot_every == 0:
            self.frame(trainer)

    def after_epoch(self, trainer) -> None:
        path = trainer.save_checkpoint(checkpoint_path(self.out, trainer.epoch))
        self.frame(trainer)
        self.pictures(trainer)
        if self.enabled:
            self.bar.write(f"epoch {trainer.epoch}: checkpoint {path}")

    def at_end(self, trainer, stopped: bool) -> None:
        self.bar.close()
        if stopped:          # interrupted or diverged: the last epoch's files stay as they are
            return
        self.pictures(trainer)
        seconds = time.perf_counter() - self.start
        done = trainer.step - self.first_step
        images = done * self.args.batch_size
        self.log(f"# {done} steps, {images} images in {seconds:.1f} s: {images / max(seconds, 1e-9):.1f} "
                 f"images/s on {trainer.processes.world_size} process(es)", echo=True)

    def log(self, line: str, echo: bool = False) -> None:
        if not self.enabled:
            return
        with open(self.out / "train_log.txt", "a") as log:
            log.write(line + "\n")
        if echo:
            print(line, flush=True)

    def frame(self, trainer) -> None:
        """Fixed noise through G now, as progress/step_NNNNNNN.png."""
        if self.enabled:
            save_grid(trainer.sample_fixed(), self.out / "progress" / f"step_{trainer.step:07d}.png")

    def gif(self, max_frames: int = 40) -> None:
        """progress.gif from the frames so far (at most ``max_frames``, more of them early on)."""
        files = sorted((self.out / "progress").glob("step_*.png"))
        if files:
            frames = [Image.open(files[i]).convert("P", palette=Image.ADAPTIVE)
                      for i in pick_frames(len(files), max_frames)]
            frames[0].save(self.out / "progress.gif", save_all=True, append_images=frames[1:],
                           duration=400, loop=0)

    def pictures(self, trainer) -> None:
        """progress.gif, losses.png (losses and D's outputs) and real_vs_fake.png (64 real beside 64
        fixed-noise fakes)."""
        trainer.history.flush()   # on every process: the figures are averaged over all of them
        if not self.enabled:
            return
        self.gif()
        history = trainer.history
        if len(history) == 0:
            return
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig = plot_training(history)
        fig.savefig(self.out / "losses.png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        generator = torch.Generator().manual_seed(0)
        picks = torch.randperm(len(self.dataset), generator=generator)[:len(trainer.fixed_noise)]
        real = torch.stack([self.dataset[int(i)][0] for i in picks])
        fake = trainer.sample_fixed()
        gap = torch.ones(len(real) // 8, *real.shape[1:])        # a white column between the two
        rows = [torch.cat([real[r * 8:(r + 1) * 8], gap[:1], fake[r * 8:(r + 1) * 8]]) for r in range(len(real) // 8)]
        save_grid(torch.cat(rows), self.out / "real_vs_fake.png", nrow=17)


def _show(model) -> str:
    return f"{type(model).__name__}({', '.join(f'{k}={v}' for k, v in model.config.items())})"


def main(argv=None) -> GANTrainer:
    args = parse_args(argv)
    processes = Processes(args.device)
    try:
        return train(args, processes)
    finally:
        processes.close()


def train(args, processes: Processes) -> GANTrainer:
    """Build the run, resume it if asked, train it to --epochs (or --max-steps) and return it."""
    out = Path(args.out)
    if processes.is_main:
        out.mkdir(parents=True, exist_ok=True)
    try:
        trainer, dataset = build_trainer(args, processes)
        if args.resume:
            resume(trainer, args, out)
        elif processes.is_main and saved_epochs(out):
            sys.exit(f"train_dcgan.py: {out / 'checkpoints'} already holds a run. Add --resume to continue "
                     f"it, or choose another --out (nothing was overwritten).")
    except (ImageFolderError, CheckpointError) as err:
        sys.exit(f"train_dcgan.py: {err}")
    trainer.history.flush_every = args.log_every   # each log line's figures, averaged over processes
    total = min(args.epochs * len(trainer.batches), args.max_steps or sys.maxsize)
    outputs = Outputs(out, args, dataset, total, trainer)
    if not args.resume or trainer.epoch == 0:
        outputs.log(f"# {shlex.join([sys.executable, *sys.argv])}")
    outputs.log(f"# {processes.world_size} process(es) on {processes.device}, torch {torch.__version__}; "
                f"{len(dataset)} images, batch {args.batch_size}, lr {args.lr}, lr_D {args.lr_d or args.lr}, "
                f"betas {(args.beta1, args.beta2)}, seed {args.seed}, workers {trainer.batches.loader.num_workers}, "
                f"amp {processes.amp}, channels_last {on_cuda(args.channels_last, processes.device)}", echo=True)
    outputs.log("# G = " + _show(trainer.G) + ", D = " + _show(trainer.D))
    if trainer.step == 0:
        outputs.frame(trainer)
    try:
        interrupted = trainer.run(trainer.epochs(args.epochs - trainer.epoch, until_step=total), [outputs])
    except (ImageFolderError, NonFiniteError, CheckpointError) as err:
        sys.exit(f"train_dcgan.py: {err} (With this script: lower --lr, or --resume N from an earlier epoch.)"
                 if isinstance(err, NonFiniteError) else f"train_dcgan.py: {err}")
    if interrupted:
        done = saved_epochs(out)
        sys.exit(f"\ninterrupted at step {trainer.step}; " + (
            f"epoch {done[-1]} is saved: add --resume to the same command to continue from it."
            if done else "no epoch was finished yet, so there is nothing to resume."))
    return trainer


if __name__ == "__main__":
    main()
