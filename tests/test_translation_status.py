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
