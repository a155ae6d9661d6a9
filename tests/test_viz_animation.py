import re

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image

from gan_utils.train import History
from gan_utils.viz import pick_frames, progress_animation, save_gif, show_progress

matplotlib.use("Agg")


def history_with_snapshots(count):
    history = History()
    for i in range(count):  # a black background, and a square that brightens frame by frame
        images = torch.full((4, 1, 28, 28), -1.0)
        images[:, :, 8:20, 8:20] = -1 + 2 * i / max(1, count - 1)
        history.add_snapshot(i * 10, images)
    return history


def test_pick_frames_is_dense_early_and_keeps_both_ends():
    assert pick_frames(5, 30) == [0, 1, 2, 3, 4]
    frames = pick_frames(400, 30)
    assert len(frames) == 30 and frames[0] == 0 and frames[-1] == 399
    assert frames == sorted(set(frames)) and frames[:5] == [0, 1, 2, 3, 4]  # dense at the start
    gaps = np.diff(frames)
    assert gaps[-1] > gaps[5]  # sparse at the end


def test_animation_has_one_frame_per_snapshot_and_changes_between_them(tmp_path):
    animation = progress_animation(history_with_snapshots(3), nrow=2)
    path = save_gif(animation, tmp_path / "out" / "progress.gif")
    gif = Image.open(path)
    assert gif.n_frames == 3
    first = int(np.asarray(gif.convert("L")).sum())
    gif.seek(2)
    last = int(np.asarray(gif.convert("L")).sum())
    assert last > first  # a black square first, a white one last


def test_show_progress_gives_html_and_a_gif(tmp_path):
    html = show_progress(history_with_snapshots(2), gif_path=tmp_path / "p.gif", nrow=2)
    assert "<script" in html.data and (tmp_path / "p.gif").exists()


def test_no_snapshots_is_a_clear_error():
    with pytest.raises(ValueError, match="train for at least one epoch"):
        progress_animation(History())


def test_the_player_works_offline_with_plain_symbols_for_its_buttons():
    from gan_utils.viz import animation_player
    snapshots = [(step, torch.full((4, 1, 28, 28), value)) for step, value in ((0, -1.0), (10, -0.5), (20, 0.5))]
    page = animation_player(progress_animation(snapshots)).data
    assert not re.search(r'(?:src|href)="https?://', page)       # no Font Awesome from a CDN
    assert 'class="fa' not in page and page.count('aria-hidden="true"') == 9
    assert "\u25b6" in page and 'aria-label="Play"' in page
    assert show_progress(snapshots).data.count('aria-hidden="true"') == 9
