"""The data room: MNIST (full or bundled), image folders, in-memory batches, pixel transforms."""
from ..settings import DataFileError, data_dir
from .batches import InMemoryBatches
from .folders import ImageFolderError, check_image_files, image_folder_transform, load_image_folder
from .files import sha256_of, verify_file
from .mnist import (BundledMNIST, MnistData, download_full_mnist, fetch_full_mnist, full_mnist_on_disk,
                    load_mnist, mnist_dataset, read_idx)
from .pixels import (ImageShapeError, check_image_batch, denormalize, mnist_transform,
                     pixels_to_images)
