"""Run by tests/test_train_distributed.py, alone or under torchrun: K steps of GANTrainer with
MLP models (no BatchNorm, no dropout) on seeded random images, then rank 0 saves G's weights.

    python tests/distributed_worker.py OUT.pt BATCH_SIZE STEPS
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_utils.models import MLPDiscriminator, MLPGenerator  # noqa: E402
from gan_utils.train import GANTrainer  # noqa: E402
from gan_utils.train.distributed import Processes, ShardedBatches  # noqa: E402


class Images(torch.utils.data.Dataset):
    classes = ["noise"]

    def __init__(self, count: int = 64):
        self.images = torch.rand(count, 1, 8, 8, generator=torch.Generator().manual_seed(1)) * 2 - 1

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], 0


def main(out: str, batch_size: int, steps: int) -> None:
    processes = Processes("cpu")
    torch.manual_seed(0)
    G = MLPGenerator(latent_dim=4, hidden_dim=16, image_shape=(1, 8, 8))
    D = MLPDiscriminator(hidden_dim=16, image_shape=(1, 8, 8))
    batches = ShardedBatches(Images(), batch_size, processes, seed=0)
    trainer = GANTrainer(G, D, batches, lr=1e-3, seed=0, processes=processes)
    trainer.run(trainer.epochs(10**6, until_step=steps))
    if processes.is_main:
        torch.save({"G": G.state_dict(), "D": D.state_dict(), "D_x": trainer.history.D_x}, out)
    processes.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
