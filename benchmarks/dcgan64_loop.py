"""The seed's 64x64 DCGAN loop, as PyTorch's DCGAN tutorial writes it, against scripts/train_dcgan.py,
on the same synthetic 64x64 image folder (drawn faces) and the same architecture (ngf = ndf = 64).

The seed loop: ImageFolder + DataLoader (2 workers), D ending in a Sigmoid with BCELoss, separate
backward passes for the real and the fake batch, and ``.item()`` on every figure every step.
train_dcgan.py: one backward pass for D, logits with BCEWithLogitsLoss, figures read every 50
steps, workers by core count, and on CUDA bf16 autocast and channels_last (each switchable here).

Both loops run ``--warmup`` steps, then ``--steps`` timed steps; images per second and the ratio
are printed. On a GPU, ``--compare-cuda-options`` also times train_dcgan.py without autocast and
without channels_last.

Usage:  python benchmarks/dcgan64_loop.py [--batch-size 128] [--steps 20] [--warmup 3] [--device cuda]
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn
from torchvision import datasets, transforms

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from gan_utils import get_device  # noqa: E402
from gan_utils.data.faces import draw_faces  # noqa: E402
from gan_utils.models import weights_init  # noqa: E402
from gan_utils.train import Hook  # noqa: E402
from gan_utils.train.distributed import Processes  # noqa: E402
import train_dcgan  # noqa: E402


class SeedGenerator(nn.Module):
    """The tutorial's netG: nz=100 -> 3x64x64, ngf=64."""

    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z):
        return self.main(z)


class SeedDiscriminator(nn.Module):
    """The tutorial's netD: 3x64x64 -> a probability, ndf=64, ending in a Sigmoid."""

    def __init__(self, ndf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.main(x)


def seed_loop(root: Path, device, batch_size: int, warmup: int, steps: int) -> float:
    """Images per second of the tutorial's loop, written as it writes it."""
    dataset = datasets.ImageFolder(root=str(root), transform=transforms.Compose([
        transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor(),
        transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]))
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=2)
    torch.manual_seed(0)
    netG, netD = SeedGenerator().to(device), SeedDiscriminator().to(device)
    netG.apply(weights_init), netD.apply(weights_init)
    criterion = nn.BCELoss()
    optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    done, start = 0, None
    while done < warmup + steps:
        for data in dataloader:
            if done == warmup:
                _sync(device)
                start = time.perf_counter()
            netD.zero_grad()
            real_cpu = data[0].to(device)
            b_size = real_cpu.size(0)
            label = torch.full((b_size,), 1.0, dtype=torch.float, device=device)
            output = netD(real_cpu).view(-1)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()
            noise = torch.randn(b_size, 100, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(0.0)
            output = netD(fake.detach()).view(-1)
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()
            netG.zero_grad()
            label.fill_(1.0)
            output = netD(fake).view(-1)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()
            _ = (errD.item(), errG.item(), D_x, D_G_z1, D_G_z2)   # the tutorial keeps them for its log
            done += 1
            if done == warmup + steps:
                break
    _sync(device)
    return steps * batch_size / (time.perf_counter() - start)


def script_loop(root: Path, device, batch_size: int, warmup: int, steps: int, amp: str, channels_last: str) -> float:
    """Images per second of train_dcgan.py's run (its models, data, settings and GANTrainer, one
    process), timed after ``warmup`` steps."""
    args = train_dcgan.parse_args(["--data", str(root), "--batch-size", str(batch_size), "--device", str(device),
                                   "--amp", amp, "--channels-last", channels_last])
    trainer, _ = train_dcgan.build_trainer(args, Processes(args.device))
    clock = Clock(device, start_after=warmup)
    trainer.run(trainer.epochs(10**6, until_step=warmup + steps), [clock])
    return steps * batch_size / (clock.end - clock.start)


class Clock(Hook):
    """The time after step ``start_after`` and after the last step (the device waited for)."""

    def __init__(self, device, start_after: int):
        self.device, self.start_after = device, start_after

    def after_step(self, trainer) -> None:
        if trainer.step == self.start_after:
            _sync(self.device)
            self.start = time.perf_counter()

    def at_end(self, trainer, stopped: bool) -> None:
        _sync(self.device)
        self.end = time.perf_counter()


def _sync(device) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--device", default=None)
    parser.add_argument("--compare-cuda-options", action="store_true")
    args = parser.parse_args(argv)
    device = get_device(args.device)
    images = args.batch_size * (args.steps + args.warmup) // 2 + args.batch_size   # two epochs or so
    with tempfile.TemporaryDirectory() as folder:
        root = draw_faces(Path(folder), images, seed=0)
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{torch.get_num_threads()} CPU threads"
        print(f"device: {device} ({name}), torch {torch.__version__}; batch {args.batch_size}, "
              f"{args.steps} timed steps after {args.warmup} warm-up steps, {images} images of 80x88 -> 64x64")
        seed = seed_loop(root, device, args.batch_size, args.warmup, args.steps)
        print(f"seed-003 loop (tutorial)     {seed:8.1f} images/s")
        ours = script_loop(root, device, args.batch_size, args.warmup, args.steps, "auto", "auto")
        print(f"scripts/train_dcgan.py       {ours:8.1f} images/s   {ours / seed:.2f}x the seed loop")
        if args.compare_cuda_options and device.type == "cuda":
            for amp, layout in (("off", "off"), ("on", "off"), ("off", "on")):
                other = script_loop(root, device, args.batch_size, args.warmup, args.steps, amp, layout)
                print(f"  amp {amp:<3} channels_last {layout:<3}  {other:8.1f} images/s   {other / seed:.2f}x")


if __name__ == "__main__":
    main()
