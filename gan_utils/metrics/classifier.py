"""The course's own digit classifier: the judge behind every score in the metrics room."""
import json
from pathlib import Path

import torch
from torch import nn

from ..data.files import read_bytes, restore_hint, verify_file
from ..settings import DataFileError, data_dir
from ..data.pixels import check_image_batch

WEIGHTS_FILE = "digit_classifier.pt"
CLASSIFIER_REBUILD = "python scripts/train_classifier.py"


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
    """The shipped classifier in eval mode on ``device`` (loaded once per device, then reused),
    after checking its file against the sha256 on its card: a changed byte would skew every score."""
    path = classifier_path()
    key = f"{path}@{torch.device(device)}"
    if key not in _cache:
        check_weights(path)
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model = DigitClassifier()
            model.load_state_dict({k: v.float() for k, v in state.items()})
        except Exception as err:
            raise DataFileError(f"{path} matches its card but could not be read as the digit "
                                f"classifier ({type(err).__name__}). "
                                f"{restore_hint(path, CLASSIFIER_REBUILD)}") from None
        _cache[key] = model.to(device).eval()
    return _cache[key]


def read_card(path: Path, rebuild: str = CLASSIFIER_REBUILD) -> dict:
    """The JSON card written beside shipped weights (how they were made, their scores, their
    sha256); a missing or malformed card raises DataFileError naming it and the fix."""
    card = Path(path).with_suffix(".json")
    if not card.is_file():
        raise DataFileError(f"the card {card} is missing, so {card.stem}.pt cannot be checked. "
                            f"{restore_hint(card, rebuild)}")
    try:
        record = json.loads(read_bytes(card))
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise DataFileError(f"the card {card} is not valid JSON ({err}). "
                            f"{restore_hint(card, rebuild)}") from None
    if not isinstance(record, dict):
        raise DataFileError(f"the card {card} should hold a JSON object ({{...}}), it holds a "
                            f"{type(record).__name__}. {restore_hint(card, rebuild)}")
    return record


def check_weights(path: Path, rebuild: str = CLASSIFIER_REBUILD) -> dict:
    """Refuse shipped weights that are missing, lack a card with their sha256, or differ from it
    (DataFileError naming the file and the fix); return the card."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"the weights {path} are missing. {restore_hint(path, rebuild)}")
    card = read_card(path, rebuild)
    expected = card.get("sha256")
    if not (isinstance(expected, str) and len(expected) == 64):
        raise DataFileError(f"the card {path.with_suffix('.json')} records no sha256 for "
                            f"{path.name}, so the file cannot be checked. "
                            f"{restore_hint(path, rebuild)}")
    verify_file(path, expected, rebuild)
    return card
