"""The training-progress animation: G's output on the same fixed noise, snapshot after snapshot."""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..language import say
from ..arguments import check_whole_number
from .curves import history_of
from .grids import image_grid, writable_file

if TYPE_CHECKING:  # pyplot and IPython load only when something is drawn
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation


def pick_frames(count: int, max_frames: int) -> list[int]:
    """At most ``max_frames`` indices out of ``count``, always the first and last, spaced on a log
    scale: a GAN changes most in its first epochs, so early snapshots get more frames (with
    ``max_frames=1``, only the last)."""
    max_frames = check_whole_number(max_frames, "max_frames")
    if count <= max_frames:
        return list(range(count))
    if max_frames == 1:
        return [count - 1]
    best = [0, count - 1]
    for num in range(max_frames - 1, 4 * max_frames):
        picks = sorted({0} | {int(round(v)) for v in np.geomspace(1, count - 1, num)})
        if len(picks) > max_frames:
            break
        best = picks
    return best


def progress_animation(snapshots, nrow: int = 8, max_frames: int = 30, interval_ms: int = 300,
                       size_inches: float = 4.5, title: str = "after {step} steps") -> FuncAnimation:
    """Animate (step, images) snapshots: a trainer, its History, or a list of (step, [-1, 1] images) pairs."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation
    snapshots = _snapshots(snapshots)
    _check_options(interval_ms, title)
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


def _snapshots(source) -> list:
    """The (step, images) pairs of a trainer, a History or a list, refused with the fix when there
    are none or they are not images."""
    if isinstance(source, (list, tuple)):
        snapshots = list(source)
    else:
        snapshots = history_of(source, "show_progress").frames()
    if not snapshots:
        raise ValueError("there are no snapshots to animate yet: train for at least one epoch first.")
    for pair in snapshots:
        _check_snapshot(pair)
    return snapshots


def _check_snapshot(pair) -> None:
    """One (step, images) pair whose images are a (N, C, H, W) batch, not the 2D lab's points."""
    images = pair[1] if isinstance(pair, (tuple, list)) and len(pair) == 2 else None
    if not isinstance(images, (torch.Tensor, np.ndarray)):
        raise TypeError(f"each snapshot should be a (step, images) pair, got {type(pair).__name__}; "
                        f"for one batch of images use show_grid(images).")
    if images.ndim == 2:
        raise ValueError(f"these snapshots hold points {tuple(images.shape)}, not images: for the "
                         f"2D lab use gan_utils.toy.toy_animation(lab).")


def _check_options(interval_ms, title: str) -> None:
    """A positive frame interval, and a title string that uses no placeholder but {step}."""
    if not isinstance(title, str):
        raise TypeError(f"title should be a string such as 'after {{step}} steps', got {type(title).__name__}")
    if isinstance(interval_ms, bool) or not isinstance(interval_ms, (int, float)) or not interval_ms > 0:
        raise ValueError(f"interval_ms (milliseconds between frames) should be a positive number, "
                         f"such as 300; got {interval_ms!r}")
    try:
        title.format(step=0)
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(f"the title may use {{step}} and nothing else in braces, got {title!r} "
                         f"({type(error).__name__}: {error})") from None


def save_gif(animation: FuncAnimation, path: str | Path, fps: int = 4) -> Path:
    """Write the animation as a GIF (pillow, no ffmpeg needed); folders are created."""
    from matplotlib.animation import PillowWriter
    path = writable_file(path, (".gif",), "the GIF file name")
    animation.save(str(path), writer=PillowWriter(fps=fps))
    return path


def show_progress(snapshots, gif_path: str | Path | None = None, alt: str | None = None,
                  **options) -> HTML:
    """The animation as an interactive player for the notebook (and a GIF when ``gif_path`` is set).
    ``snapshots``: the trainer, its ``history``, or a list of (step, images) pairs; ``alt``: what the
    frames show, for readers who cannot see them (a description of a progress grid by default)."""
    from IPython.display import HTML
    if gif_path is not None:
        gif_path = writable_file(gif_path, (".gif",), "gif_path")  # refused before the work, not after
    animation = progress_animation(snapshots, **options)
    if gif_path is not None:
        save_gif(animation, gif_path)
    if alt is None:
        alt = say("Animation: the grid of generated images at each snapshot, from noise at the start "
                  "towards the data at the end.",
                  "动画：每个快照时刻生成的图像网格，从开始时的噪声逐步接近真实数据。")
    return animation_player(animation, alt=alt)


# matplotlib's player draws its buttons with Font Awesome icons fetched from a CDN: offline they are
# blank. Plain symbols that every font has replace them (each button keeps its title and aria-label).
BUTTON_SYMBOLS = {"fa-minus": "−", "fa-fast-backward": "|◀◀", "fa-step-backward": "|◀",
                  "fa-play fa-flip-horizontal": "◀", "fa-pause": "||", "fa-play": "▶",
                  "fa-step-forward": "▶|", "fa-fast-forward": "▶▶|", "fa-plus": "+"}
ICON = re.compile(r'<i class="fa (fa-[a-z-]+(?: fa-flip-horizontal)?)"></i>')
FRAME_IMAGE = re.compile(r'<img id="_anim_img[0-9a-f]*"')
REMOTE_STYLESHEET = re.compile(r'<link rel="stylesheet"\s+href="https?://[^"]*"\s*/?>')


def animation_player(animation, alt: str | None = None) -> HTML:
    """The animation as matplotlib's interactive player (``to_jshtml``) that needs no internet: its
    buttons show plain symbols instead of icons from a CDN, and the page requests nothing. ``alt``
    describes the frames for screen readers (the frame picture's alt text)."""
    from IPython.display import HTML
    if alt is None:
        alt = say("Animation: a sequence of frames; the buttons below step through them.",
                  "动画：一组按顺序播放的画面，可以用下面的按钮逐帧查看。")
    page = REMOTE_STYLESHEET.sub("", animation.to_jshtml())
    page = FRAME_IMAGE.sub(lambda tag: f'{tag.group(0)} alt="{html.escape(alt, quote=True)}"', page, count=1)
    page = ICON.sub(lambda icon: f'<span aria-hidden="true">{BUTTON_SYMBOLS.get(icon.group(1), "?")}</span>', page)
    if re.search(r'(?:src|href)="https?://', page):
        raise RuntimeError("the animation player still refers to a remote address; the course's "
                           "offline player needs updating for this matplotlib version")
    return HTML(page)
