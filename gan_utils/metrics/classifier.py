"""The course's own digit classifier: the judge behind every score in the metrics room."""
import hashlib
import json
from pathlib import Path

import torch
from torch import nn

from ..data.mnist import data_dir
from ..data.pixels import check_image_batch

WEIGHTS_FILE = "digit_classifier.pt"


class DigitClassifier(nn.Module):
    """A small CNN for 28x28 digits in [-1, 1]: two conv blocks, a 64-unit feature layer, 10 logits.

    ``features(x)`` returns the 64 numbers the Frechet distance compares.
    """

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # (N, 16, 14, 14)
            nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # (N, 32, 7, 7)
            nn.Flatten(),                                                 # (N, 1568)
            nn.Dropout(0.3),
            nn.Linear(32 * 7 * 7, 64), nn.ReLU(),                         # (N, 64) features
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(64, 10))    # (N, 10) logits

    def features(self, images: torch.Tensor) -> torch.Tensor:
        check_image_batch(images, channels=1, size=28, guess_zero_one=False)
        return self.body(images)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))


def classifier_path() -> Path:
    return data_dir() / "pretrained" / WEIGHTS_FILE


_cache: dict[str, DigitClassifier] = {}


def load_classifier(device: str | torch.device = "cpu") -> DigitClassifier:
    """The shipped classifier in eval mode on ``device`` (loaded once per device, then reused)."""
    path = classifier_path()
    key = f"{path}@{torch.device(device)}"
    if key not in _cache:
        if not path.is_file():
            raise FileNotFoundError(f"the digit classifier's weights are missing: {path}. Restore "
                                    f"them from git, or rebuild them with scripts/train_classifier.py.")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model = DigitClassifier()
            model.load_state_dict({k: v.float() for k, v in state.items()})
        except Exception as err:
            raise RuntimeError(f"{path} is damaged ({type(err).__name__}); restore it from git or "
                               f"rebuild it with scripts/train_classifier.py.") from None
        _cache[key] = model.to(device).eval()
    return _cache[key]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_card(path: Path) -> dict:
    """The JSON record written beside shipped weights (how they were made, their scores)."""
    return json.loads(Path(path).with_suffix(".json").read_text())
