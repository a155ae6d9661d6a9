"""Chinese in plots renders after setup: no glyph drawn as an empty box."""
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gan_utils.viz import fonts  # noqa: E402

CHINESE = "生成器与判别器的损失：真实 vs 生成（第 3 轮）"


@pytest.fixture
def restored_rc():
    with matplotlib.rc_context():
        yield


def draw_and_collect_warnings(title: str) -> list[str]:
    """Draw a figure with ``title`` and return the warnings matplotlib gave while drawing it."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], [-1, 1], label="判别器 D(x)")
    ax.set_title(title)
    ax.set_xlabel("步数 −1")
    ax.legend()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    return [str(w.message) for w in caught]


def test_setup_installs_a_chinese_font():
    path = fonts.bundled_font_file()
    assert path is not None and path.stat().st_size > 1_000_000, (
        "the mplfonts package (requirements.txt) should ship Noto Sans CJK SC")


def test_without_a_chinese_font_the_glyphs_are_missing(restored_rc):
    """The test below can fail: matplotlib's default font has no Chinese."""
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    assert any("missing from font" in w for w in draw_and_collect_warnings(CHINESE))


def test_chinese_titles_render_with_every_glyph(restored_rc):
    family = fonts.use_chinese_font()
    assert family is not None
    missing = [w for w in draw_and_collect_warnings(CHINESE) if "missing from font" in w]
    assert missing == []
    assert matplotlib.rcParams["font.family"] == ["sans-serif", family]  # Latin text keeps its look


def test_no_font_says_how_to_get_one_once(restored_rc, monkeypatch, capsys):
    monkeypatch.setattr(fonts, "chinese_font_family", lambda: None)
    monkeypatch.setattr(fonts, "_said_missing", False)
    assert fonts.use_chinese_font() is None
    assert fonts.use_chinese_font() is None
    out = capsys.readouterr().out
    assert out.count("pip install mplfonts") == 2  # once in Chinese, once in English, said once
