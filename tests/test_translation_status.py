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
    assert avoid["崩溃"] == "模式崩溃" and avoid["参与者"] == "玩家" and avoid["合页损失"].startswith("铰链损失")
    assert avoid["压垮"] == avoid["过于强势"] == avoid["压倒"]
    assert not set(avoid) & set(avoid.values()), "a chosen term is also listed as one to avoid"
    also = ts.also_written()
    assert also["批量规范化"] == "批归一化" and also["汇聚层"] == "池化层" and also["小批量"] == "批次"
    assert not set(also) & set(avoid), "a 亦作 variant is also listed as one to avoid"
    assert not [v for v in also if ts.forbidden_terms_in(v, avoid, also)], "a 亦作 variant would be flagged"


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
        "| discriminator | 判别器 | judges | 03 | 鉴别器、辨别器 |\n"
        "| mode collapse | 模式崩溃 | one kind of thing | 07 | 模式坍塌、崩溃（单独使用时） |\n"
        "| batch normalization | 批归一化（亦作 批量规范化） | over the batch | 04 | 批量归一化 |\n", encoding="utf-8")
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


def test_a_variant_is_fine_inside_the_chosen_term_and_alone_it_is_flagged(pair):
    def collapsed(text):
        def edit(nb):
            nb.cells[0].source += f"\n\n{text}"
        return edit
    assert pair(edit_zh=collapsed("生成器发生了模式崩溃。")).ok
    assert pair(edit_zh=collapsed("生成器崩溃了。")).problems == ["cell 1: avoid 崩溃（用 模式崩溃）"]
    assert ts.avoided_terms(ts.ENGLISH / "GLOSSARY.md")["崩溃"] == "模式崩溃"   # the cell's （note） is not a term


def test_an_also_written_variant_is_not_flagged(pair):
    def edit(nb):
        nb.cells[0].source += "\n\n批归一化（《动手学深度学习》称为批量规范化）让训练更稳。"
    assert pair(edit_zh=edit).ok, "a 亦作 variant is another text's term, listed so readers find it"
    assert ts.also_written(ts.ENGLISH / "GLOSSARY.md") == {"批量规范化": "批归一化"}
    assert ts.avoided_terms(ts.ENGLISH / "GLOSSARY.md")["批量归一化"] == "批归一化"   # the term, without its note

    def avoided(nb):
        nb.cells[0].source += "\n\n批量归一化让训练更稳。"
    assert pair(edit_zh=avoided).problems == ["cell 1: avoid 批量归一化（用 批归一化）"]
    # an avoided variant inside a 亦作 variant is fine there too, and flagged elsewhere
    avoid, also = {"规范化": "归一化"}, {"批量规范化": "批归一化"}
    assert ts.forbidden_terms_in("批量规范化", avoid, also) == []
    assert ts.forbidden_terms_in("像素规范化", avoid, also) == ["规范化（用 归一化）"]


LABEL_EN = "The stable form, $-\\log \\sigma(a) \\quad (\\text{label } 1)$, is what it computes."
LABEL_ZH = "稳定的形式 $-\\log \\sigma(a) \\quad (\\text{标签 } 1)$ 就是它计算的内容。"


def with_markdown(source, english=False):
    def edit(nb):
        nb.cells[0].source += "\n\n" + source
        if not english:
            nb.cells[0].metadata["translation"] = {"source": ts.source_hash(ENGLISH_MD + "\n\n" + LABEL_EN)}
    return edit


def test_a_formula_may_translate_the_words_inside_text(pair):
    s = pair(edit_en=with_markdown(LABEL_EN, english=True), edit_zh=with_markdown(LABEL_ZH))
    assert s.ok, ts.report([s])


def test_a_formula_changed_outside_text_is_still_reported(pair):
    for changed in (LABEL_ZH.replace("} 1)", "} 2)"),                          # the mathematics changed
                    LABEL_ZH.replace("(\\text{标签 } 1)", "(\\text{标签 }\\text{ 1})"),   # another \text{} group
                    LABEL_ZH.replace("\\text{标签 } 1", "标签 1")):            # the \text{} gone
        s = pair(edit_en=with_markdown(LABEL_EN, english=True), edit_zh=with_markdown(changed))
        assert [p for p in s.problems if "formula" in p] == [
            "cell 1: formula '$-\\\\log \\\\sigma(a) \\\\quad (\\\\text{label } 1)$' missing or changed"], changed


def test_english_left_inside_text_is_untranslated(pair):
    s = pair(edit_en=with_markdown(LABEL_EN, english=True), edit_zh=with_markdown(LABEL_EN.replace(
        "The stable form,", "稳定的形式").replace(", is what it computes.", " 就是它计算的内容。")))
    assert not s.problems and len(s.untranslated) == 1 and "\\text{label }" in s.untranslated[0]
    assert ts.english_in_text("that is ") and ts.english_in_text("real half, ") and ts.english_in_text(" if ")
    assert not [name for name in ("mean", "std", "out", "in", "DCGAN", "onehot", "data", "loss", "真实的一半，")
                if ts.english_in_text(name)], "a name inside \\text{} (x - \\text{mean}) is not English prose"


def test_a_print_that_spaces_full_width_punctuation_is_reported(pair):
    def printing(english_line, chinese_line):
        def en(nb):
            nb.cells[1].source += "\n" + english_line

        def zh(nb):
            nb.cells[1].source += "\n" + chinese_line
            nb.cells[1].metadata["translation"] = {"source": ts.source_hash(ENGLISH_CODE + "\n" + english_line)}
        return pair(edit_en=en, edit_zh=zh)
    spaced = printing('print("shape:", x.shape)', 'print("形状：", x.shape)')
    assert len(spaced.problems) == 1 and "shows a space after '：'" in spaced.problems[0]
    before = printing('print(x, "lower is better")', 'print(x, "，越小越好")')
    assert len(before.problems) == 1 and "shows a space before '，'" in before.problems[0]
    for fine in (('print(f"shape: {x.shape}")', 'print(f"形状：{x.shape}")'),        # an f-string in both editions
                 ('print("shape:", x.shape)', 'print("形状为", x.shape)'),           # reworded, no punctuation
                 ('print("shape:   ", x.shape)', 'print("形状：  ", x.shape)'),      # padded on purpose: columns
                 ('print("shape:", x.shape, sep="")', 'print("形状：", x.shape, sep="")')):
        s = printing(*fine)
        assert s.ok, ts.report([s])
