"""The training-progress animation: G's output on the same fixed noise, snapshot after snapshot."""
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import HTML
from matplotlib.animation import FuncAnimation, PillowWriter

from .grids import image_grid


def pick_frames(count: int, max_frames: int) -> list[int]:
    """At most ``max_frames`` indices out of ``count``, always the first and last, spaced on a log
    scale: a GAN changes most in its first epochs, so early snapshots get more frames."""
    if count <= max_frames:
        return list(range(count))
    best = [0, count - 1]
    for num in range(max_frames - 1, 4 * max_frames):
        picks = sorted({0} | {int(round(v)) for v in np.geomspace(1, count - 1, num)})
        if len(picks) > max_frames:
            break
        best = picks
    return best


def progress_animation(snapshots, nrow: int = 8, max_frames: int = 30, interval_ms: int = 300,
                       size_inches: float = 4.5, title: str = "after {step} steps") -> FuncAnimation:
    """Animate (step, images) snapshots: a History, or a list of (step, [-1, 1] images) pairs."""
    snapshots = snapshots.frames() if hasattr(snapshots, "frames") else snapshots
    if not snapshots:
        raise ValueError("there are no snapshots to animate yet: train for at least one epoch first.")
    frames = [snapshots[i] for i in pick_frames(len(snapshots), max_frames)]
    grids = [image_grid(images, nrow=nrow).permute(1, 2, 0).numpy() for _, images in frames]
    fig, ax = plt.subplots(figsize=(size_inches, size_inches * grids[0].shape[0] / grids[0].shape[1]))
    picture = ax.imshow(grids[0], interpolation="nearest")
    ax.set_axis_off()
    heading = ax.set_title(title.format(step=frames[0][0]))
    fig.tight_layout()

    def draw(i):
        picture.set_data(grids[i])
        heading.set_text(title.format(step=frames[i][0]))
        return picture, heading

    animation = FuncAnimation(fig, draw, frames=len(grids), interval=interval_ms, blit=False)
    plt.close(fig)  # the notebook shows the animation, not a stray copy of its first frame
    return animation


def save_gif(animation: FuncAnimation, path: str | Path, fps: int = 4) -> Path:
    """Write the animation as a GIF (pillow, no ffmpeg needed); folders are created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    animation.save(str(path), writer=PillowWriter(fps=fps))
    return path


def show_progress(snapshots, gif_path: str | Path | None = None, **options) -> HTML:
    """The animation as an interactive player for the notebook (and a GIF when ``gif_path`` is set)."""
    animation = progress_animation(snapshots, **options)
    if gif_path is not None:
        save_gif(animation, gif_path)
    return HTML(animation.to_jshtml())
