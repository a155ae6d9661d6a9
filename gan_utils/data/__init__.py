"""The data room: MNIST (full or bundled), image folders, in-memory batches, pixel transforms."""
from .batches import InMemoryBatches
from .folders import ImageFolderError, check_image_files, image_folder_transform, load_image_folder
from .mnist import (BundledMNIST, DataFileError, MnistData, data_dir, download_full_mnist,
                    fetch_full_mnist, full_mnist_on_disk, load_mnist, mnist_dataset, read_idx,
                    verify_file)
from .pixels import (ImageShapeError, check_image_batch, denormalize, mnist_transform,
                     pixels_to_images)
