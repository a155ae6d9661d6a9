"""Image folders (for example CelebA faces) for the 64x64 DCGAN configuration.

The layout is checked when the folder is loaded; each file when it is read, so a file that is
not a readable image is named, with what to do, even inside a ``DataLoader`` worker.
``check_files=True`` reads every file at load time and lists all the bad ones at once.
"""
import os
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError
from torchvision import datasets, transforms

from ..arguments import check_whole_number
from .pixels import ImageShapeError, check_channels

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
MAX_IMAGE_SIZE = 1024
FOLDER_LAYOUT = ("ImageFolder expects one subfolder per class, even if there is only one class:\n"
                 "    {root}/\n        faces/\n            000001.jpg\n            000002.jpg\n"
                 "Move the images into a subfolder such as {root}/faces/ and try again.")
UNREADABLE = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


class ImageFolderError(ValueError):
    """An image folder is missing, empty or not arranged the way ImageFolder needs, or one of
    its files is not a readable image."""


def image_folder_transform(image_size: int = 64, channels: int = 3) -> transforms.Compose:
    """Resize the short side, center-crop a square, to tensor, then normalize to [-1, 1]."""
    check_whole_number(image_size, "image_size", minimum=8)
    if image_size > MAX_IMAGE_SIZE:
        raise ImageShapeError(f"image_size={image_size} pixels a side is more than this course's "
                              f"{MAX_IMAGE_SIZE} (the DCGAN uses 64): pick a size from 8 to "
                              f"{MAX_IMAGE_SIZE}.")
    check_channels(channels)
    steps = [transforms.Resize(image_size), transforms.CenterCrop(image_size)]
    if channels == 1:  # ImageFolder opens every image as RGB; collapse it to one channel
        steps.append(transforms.Grayscale(num_output_channels=1))
    steps += [transforms.ToTensor(), transforms.Normalize((0.5,) * channels, (0.5,) * channels)]
    return transforms.Compose(steps)


def load_image_folder(root, image_size: int = 64, channels: int = 3,
                      check_files: bool = False) -> datasets.ImageFolder:
    """An ``ImageFolder`` of ``root`` giving (channels, image_size, image_size) tensors in [-1, 1].

    Hidden folders and files (``.ipynb_checkpoints``, macOS ``._`` files) are skipped. With
    ``check_files`` every image is decoded now (slow for a big folder) to list all unreadable files.
    """
    transform = image_folder_transform(image_size, channels)
    root = _folder(root)
    dataset = CourseImageFolder(root, transform) if _class_folders(root) else None
    if dataset is None or len(dataset) == 0:
        raise ImageFolderError(_no_images_message(root))
    _refuse_empty_classes(dataset, root)
    if check_files:
        check_image_files(dataset)
    return dataset


class CourseImageFolder(datasets.ImageFolder):
    """``ImageFolder`` that skips hidden folders and files and names any file it cannot read."""

    def __init__(self, root: Path, transform=None):
        super().__init__(str(root), transform=transform, loader=open_image,
                         is_valid_file=_is_image_file, allow_empty=True)

    def find_classes(self, directory):
        classes = [folder.name for folder in _class_folders(Path(directory))]
        return classes, {name: index for index, name in enumerate(classes)}


def open_image(path: str) -> Image.Image:
    """The image at ``path`` as 8-bit RGB; a file that is not a readable image raises
    ImageFolderError naming it and the fix (the message also comes out of DataLoader workers)."""
    try:
        return _load_rgb(path)
    except UNREADABLE as err:
        raise ImageFolderError(f"cannot read the image {path}: {_why_unreadable(err, path)}. Remove "
                               f"or replace that file; load_image_folder(root, check_files=True) "
                               f"lists every unreadable file at once.") from None


def check_image_files(dataset: datasets.ImageFolder) -> None:
    """Decode every file of an image-folder dataset now and raise one ImageFolderError listing
    all that cannot be read (the first 10), so they can be fixed in one go."""
    bad = []
    for path, _ in dataset.samples:
        try:
            _load_rgb(path)
        except UNREADABLE as err:
            bad.append(f"  {path}: {_why_unreadable(err, path)}")
    if bad:
        more = f"\n  ... and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise ImageFolderError(f"{len(bad)} of {len(dataset.samples)} files in {dataset.root} cannot "
                               f"be read as images; remove or replace them:\n"
                               + "\n".join(bad[:10]) + more)


def _load_rgb(path: str) -> Image.Image:
    """Decode the whole file (a truncated one fails here, not later) as 8-bit RGB; 16-bit
    grayscale is scaled down rather than clipped to white."""
    with Image.open(path) as image:
        image.load()
        if image.mode.startswith("I;16") or (image.mode == "I" and image.getextrema()[1] > 255):
            values = np.asarray(image, dtype=np.float64) / 65535 * 255
            return Image.fromarray(values.clip(0, 255).round().astype(np.uint8)).convert("RGB")
        return image.convert("RGB")


def _why_unreadable(err: Exception, path: str) -> str:
    """The reason a file could not be read, in words a learner can act on."""
    if isinstance(err, UnidentifiedImageError):
        return "it is not an image file that PIL recognises, whatever its name says"
    if isinstance(err, OSError) and err.strerror:
        return err.strerror + (" (a link whose target is gone)" if os.path.islink(path) else "")
    return str(err)  # e.g. "image file is truncated (38 bytes not processed)"


def _is_image_file(path: str) -> bool:
    """An image by its extension, and not hidden (macOS writes ``._name.jpg`` beside each file)."""
    name = os.path.basename(path)
    return not name.startswith(".") and name.lower().endswith(IMAGE_EXTENSIONS)


def _folder(root) -> Path:
    """``root`` as a Path (``~`` expanded), refused unless it is an existing folder."""
    if root is None or str(root) == "":
        raise ImageFolderError(f"root should be the path of your image folder, for example "
                               f"'/data/celeba'; got {root!r}.")
    root = Path(root).expanduser()
    if root.is_file():
        raise ImageFolderError(f"{root} is a file, not a folder. Point root at the folder that holds "
                               f"your class subfolder(s); if it is an archive (.zip, .tar), unpack it "
                               f"first.")
    if not root.is_dir():
        raise ImageFolderError(f"image folder {root} does not exist. Point root at the folder "
                               f"that holds your class subfolder(s).")
    return root


def _class_folders(root: Path) -> list[Path]:
    """The visible subfolders of ``root``, sorted: each is one class for ImageFolder."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _no_images_message(root: Path) -> str:
    """Why a folder gave no images: they lie loose in ``root``, or there are none at all."""
    loose = [p for p in root.iterdir() if p.is_file() and _is_image_file(str(p))]
    found = (f"found {len(loose)} image(s) directly in {root} and none in a subfolder. " if loose
             else f"found no images ({', '.join(IMAGE_EXTENSIONS)}) in {root}. ")
    return found + FOLDER_LAYOUT.format(root=root)


def _refuse_empty_classes(dataset: datasets.ImageFolder, root: Path) -> None:
    """Refuse subfolders without images: each would be a class the data never shows."""
    counts = Counter(target for _, target in dataset.samples)
    empty = [name for name, index in dataset.class_to_idx.items() if counts[index] == 0]
    if empty:
        raise ImageFolderError(f"the subfolder(s) {', '.join(empty)} of {root} hold no images "
                               f"({', '.join(IMAGE_EXTENSIONS)}). Each subfolder is one class: put "
                               f"images in it, or move it out of {root}.")
