"""The Chinese edition stays in step with the English: tools/translation_status.py on the course,
and each of its checks on a small English/Chinese pair that it must catch."""
import copy
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import translation_status as ts  # noqa: E402


def test_the_chinese_edition_is_in_step_with_the_english():
    statuses = ts.course_status()
    assert all(s.ok for s in statuses), "\n" + ts.report(statuses)


def test_the_glossary_gives_one_term_per_concept():
    avoid = ts.avoided_terms()
    assert avoid["鉴别器"] == "判别器" and avoid["对抗生成网络"] == "生成对抗网络"
    assert avoid["隐向量"] == "潜在向量"
    assert not set(avoid) & set(avoid.values()), "a chosen term is also listed as one to avoid"


ENGLISH_MD = ("## 2. The best discriminator\n\nFor a fixed generator the best discriminator is "
              "$D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + p_g(x)}$, see [lesson 03](03_mlp_gan.ipynb).")
CHINESE_MD = ("## 2. 最优判别器\n\n生成器固定时，最优判别器是 "
              "$D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + p_g(x)}$，见[第 03 课](03_mlp_gan.ipynb)。")
ENGLISH_CODE = ('device = start_lesson(seed=0, lang="en")  # the device\n'
                'history = {"d_loss": []}\nplt.title("real vs fake")\nprint(f"D loss {x:.2f}")')
CHINESE_CODE = ('device = start_lesson(seed=0, lang="zh")  # 设备\n'
                'history = {"d_loss": []}\nplt.title("真实 vs 生成")\nprint(f"判别器损失 {x:.2f}")')


@pytest.fixture
def pair(tmp_path, monkeypatch):
    """A one-lesson English course, its glossary and a correct Chinese translation, in tmp_path."""
    english, chinese = tmp_path / "notebooks", tmp_path / "notebooks" / "zh"
    chinese.mkdir(parents=True)
    (english / "GLOSSARY.md").write_text(
        "| English | 中文 | meaning | lesson | 避免（avoid） |\n|---|---|---|---|---|\n"
        "| discriminator | 判别器 | judges | 03 | 鉴别器、辨别器 |\n", encoding="utf-8")
    en = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(ENGLISH_MD),
                                         nbformat.v4.new_code_cell(ENGLISH_CODE)])
    zh = copy.deepcopy(en)
    zh.cells[0].source, zh.cells[1].source = CHINESE_MD, CHINESE_CODE
    for e, z in zip(en.cells, zh.cells):
        z.metadata["translation"] = {"source": ts.source_hash(e.source)}
    for folder in (english, chinese):  # the lesson a link points to exists in both editions
        nbformat.write(nbformat.v4.new_notebook(), folder / "03_mlp_gan.ipynb")
    monkeypatch.setattr(ts, "ENGLISH", english)
    monkeypatch.setattr(ts, "CHINESE", chinese)

    def status(edit_en=None, edit_zh=None):
        e, z = copy.deepcopy(en), copy.deepcopy(zh)
        if edit_en:
            edit_en(e)
        if edit_zh:
            edit_zh(z)
        nbformat.write(e, english / "02_lesson.ipynb")
        nbformat.write(z, chinese / "02_lesson.ipynb")
        return ts.course_status(["02"], english, chinese, english / "GLOSSARY.md")[0]
    return status


def test_a_faithful_translation_is_in_step(pair):
    s = pair()
    assert s.ok, ts.report([s])


def test_editing_the_english_marks_the_cell_stale(pair):
    def edit(nb):
        nb.cells[0].source += " It is a maximum."
    assert pair(edit_en=edit).stale == ["cell 1: the English cell changed since it was translated"]


def test_a_changed_program_is_drift(pair):
    def edit(nb):
        nb.cells[1].source = nb.cells[1].source.replace('"d_loss"', '"判别器损失"')
    assert pair(edit_zh=edit).drifted == ["cell 2: not the same program as the English cell"]


def test_a_different_number_of_cells_is_drift(pair):
    def edit(nb):
        nb.cells.append(nbformat.v4.new_markdown_cell("多出来的一段。"))
    assert "the English has 2" in pair(edit_zh=edit).drifted[0]


def test_a_changed_formula_is_reported(pair):
    def edit(nb):
        nb.cells[0].source = nb.cells[0].source.replace("p_g(x)}$", "p_g}$")
    assert any("formula" in p for p in pair(edit_zh=edit).problems)


def test_an_avoided_term_is_reported(pair):
    def edit(nb):
        nb.cells[0].source = nb.cells[0].source.replace("最优判别器是", "最优鉴别器是")
    assert pair(edit_zh=edit).problems == ["cell 1: avoid 鉴别器（用 判别器）"]


def test_a_link_to_the_english_edition_is_reported(pair):
    def edit(nb):
        nb.cells[0].source = nb.cells[0].source.replace("(03_mlp_gan.ipynb)", "(../03_mlp_gan.ipynb)")
    assert any("leads to the English 03_mlp_gan.ipynb" in p for p in pair(edit_zh=edit).problems)


def test_an_english_paragraph_left_behind_is_untranslated(pair):
    def edit(nb):
        nb.cells[0].source += "\n\nThis paragraph was never translated into Chinese at all."
    assert len(pair(edit_zh=edit).untranslated) == 1


def test_a_missing_lesson_is_untranslated(pair, tmp_path):
    s = pair()
    (tmp_path / "notebooks" / "zh" / "02_lesson.ipynb").unlink()
    missing = ts.course_status(["02"], ts.ENGLISH, ts.CHINESE, ts.ENGLISH / "GLOSSARY.md")[0]
    assert s.ok and missing.missing and "untranslated" in ts.report([missing])


def test_a_plot_label_mixing_math_and_chinese_is_reported(pair):
    def edit(nb):
        nb.cells[1].source = nb.cells[1].source.replace('"真实 vs 生成"', '"真实 $p_{data}$"')
    assert any("mixes $math$ and Chinese" in p for p in pair(edit_zh=edit).problems)


ENGLISH_ALT = "Two panels: the loss curves of D and G wobbling around a level, and D's verdicts on real and fake."
CHINESE_ALT = "两幅图：D 和 G 的损失曲线围绕一个水平上下波动；判别器对真实图像和生成图像的判断。"


def with_alt(alt):
    """An edit that gives the code cell (cell 2) the figure's alt text, as MyST-NB reads it."""
    def edit(nb):
        nb.cells[1].metadata["mystnb"] = {"image": {"alt": alt}}
    return edit


def test_alt_text_in_both_editions_is_in_step(pair):
    s = pair(edit_en=with_alt(ENGLISH_ALT), edit_zh=with_alt(CHINESE_ALT))
    assert s.ok, ts.report([s])


def test_alt_text_in_only_one_edition_is_reported(pair):
    only_english = pair(edit_en=with_alt(ENGLISH_ALT))
    assert only_english.problems == ["cell 2: the English cell has alt text for its figure "
                                     "(metadata.mystnb.image.alt), this one has none"]
    only_chinese = pair(edit_zh=with_alt(CHINESE_ALT))
    assert only_chinese.problems == ["cell 2: alt text (metadata.mystnb.image.alt) here, none in the English cell"]


def test_alt_text_left_in_english_is_reported(pair):
    copied = pair(edit_en=with_alt(ENGLISH_ALT), edit_zh=with_alt(ENGLISH_ALT))
    assert len(copied.problems) == 1 and "is not Chinese" in copied.problems[0]
    half_done = "Two panels: the loss curves of D and G 波动, and D's verdicts on real and fake."
    mixed = pair(edit_en=with_alt(ENGLISH_ALT), edit_zh=with_alt(half_done))
    assert len(mixed.problems) == 1 and "is not Chinese" in mixed.problems[0]


def test_chinese_alt_text_with_english_names_in_it_is_chinese():
    assert not ts.reads_as_english("动画：lerp 和 slerp 两条路径上 G(z) 的图像，t 从 0 走到 1；WGAN-GP 的评判器曲线。")
    assert ts.reads_as_english("The grid of generated digits, 生成的数字。")
    assert ts.reads_as_english("A grid of generated digits.")


def test_an_avoided_term_in_alt_text_is_reported(pair):
    s = pair(edit_en=with_alt(ENGLISH_ALT), edit_zh=with_alt(CHINESE_ALT.replace("判别器", "鉴别器")))
    assert s.problems == ["cell 2: alt text: avoid 鉴别器（用 判别器）"]


def test_an_animation_alt_argument_is_translated_and_must_be_chinese(pair):
    english_call = '\nviz.animation_player(animation, alt="Animation: the orange points spread around the ring.")'
    chinese_call = '\nviz.animation_player(animation, alt="动画：橙色的生成点逐渐散布到整个圆环上。")'

    def en(nb):
        nb.cells[1].source += english_call

    def zh(nb):
        nb.cells[1].source += chinese_call
        nb.cells[1].metadata["translation"] = {"source": ts.source_hash(ENGLISH_CODE + english_call)}
    translated = pair(edit_en=en, edit_zh=zh)
    assert translated.ok, ts.report([translated])   # a different alt string is not a different program
    assert ts.program_of('player(a, alt="frames")') == ts.program_of('player(a, alt="画面")')   # even a one-word alt

    def zh_left_in_english(nb):
        zh(nb)
        nb.cells[1].source = nb.cells[1].source.replace(chinese_call, english_call)
    untranslated = pair(edit_en=en, edit_zh=zh_left_in_english)
    assert len(untranslated.problems) == 1 and "alt= argument" in untranslated.problems[0]
    assert "is not Chinese" in untranslated.problems[0]
