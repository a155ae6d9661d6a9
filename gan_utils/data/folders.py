"""Image folders (for example CelebA faces) for the 64x64 DCGAN configuration."""
from pathlib import Path

from torchvision import datasets, transforms

from .pixels import ImageShapeError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
FOLDER_LAYOUT = ("ImageFolder expects one subfolder per class, even if there is only one class:\n"
                 "    {root}/\n        faces/\n            000001.jpg\n            000002.jpg\n"
                 "Move the images into a subfolder such as {root}/faces/ and try again.")


class ImageFolderError(ValueError):
    """An image folder is missing, empty or not arranged the way ImageFolder needs."""


def image_folder_transform(image_size: int = 64, channels: int = 3) -> transforms.Compose:
    """Resize the short side, center-crop a square, to tensor, then normalize to [-1, 1]."""
    if not isinstance(image_size, int) or image_size < 8:
        raise ImageShapeError(f"image_size must be an integer of at least 8 pixels, got {image_size!r}")
    if channels not in (1, 3):
        raise ImageShapeError(f"channels should be 1 (grayscale) or 3 (RGB), got {channels!r}")
    steps = [transforms.Resize(image_size), transforms.CenterCrop(image_size)]
    if channels == 1:  # ImageFolder opens every image as RGB; collapse it to one channel
        steps.append(transforms.Grayscale(num_output_channels=1))
    steps += [transforms.ToTensor(), transforms.Normalize((0.5,) * channels, (0.5,) * channels)]
    return transforms.Compose(steps)


def load_image_folder(root, image_size: int = 64, channels: int = 3) -> datasets.ImageFolder:
    """An ``ImageFolder`` of ``root`` giving (channels, image_size, image_size) tensors in [-1, 1]."""
    transform = image_folder_transform(image_size, channels)
    root = Path(root)
    if not root.is_dir():
        raise ImageFolderError(f"image folder {root} does not exist. Point root at the folder "
                               f"that holds your class subfolder(s).")
    loose = [p for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS]
    subfolders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    nested = [p for d in subfolders for p in d.rglob("*")
              if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS]
    if not nested:
        found = f"found {len(loose)} image(s) directly in {root} and none in a subfolder. " if loose \
            else f"found no images ({', '.join(IMAGE_EXTENSIONS)}) in {root}. "
        raise ImageFolderError(found + FOLDER_LAYOUT.format(root=root))
    return datasets.ImageFolder(str(root), transform=transform)
