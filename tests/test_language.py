"""The course speaks English by default and Simplified Chinese when asked, in one setting."""
import re
import sys
from pathlib import Path

import pytest
import torch

from gan_utils import checks, language, start_lesson
from gan_utils.language import LANG_ENV_VAR, language as current_language, say, set_language


@pytest.fixture(autouse=True)
def fresh_language(monkeypatch):
    """Each test starts with no language chosen and no environment variable."""
    monkeypatch.setattr(language, "_chosen", None)
    monkeypatch.delenv(LANG_ENV_VAR, raising=False)


def test_english_is_the_default():
    assert current_language() == "en"
    assert say("Correct", "正确") == "Correct"


@pytest.mark.parametrize("value", ["zh", "zh-CN", "zh_CN", "ZH-Hans"])
def test_the_environment_variable_chooses_chinese(monkeypatch, value):
    monkeypatch.setenv(LANG_ENV_VAR, value)
    assert current_language() == "zh"
    assert say("Correct", "正确") == "正确"


def test_set_language_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv(LANG_ENV_VAR, "zh")
    set_language("en")
    assert current_language() == "en"


@pytest.mark.parametrize("bad", ["fr", "chinese", ""])
def test_an_unknown_language_is_refused_with_the_choices(bad):
    with pytest.raises(ValueError, match="'en' \\(English\\), 'zh'"):
        set_language(bad)


def test_an_unknown_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv(LANG_ENV_VAR, "klingon")
    with pytest.raises(ValueError, match=LANG_ENV_VAR):
        current_language()


def test_start_lesson_prints_its_header_in_chinese(capsys):
    start_lesson(seed=0, lang="zh")
    out = capsys.readouterr().out
    assert "模式：" in out and "设备：" in out and "数据：" in out and "种子：" in out
    assert "Mode" not in out
    start_lesson(seed=0, lang="en")
    assert "Mode:" in capsys.readouterr().out


def test_checks_answer_in_the_chosen_language():
    set_language("zh")
    assert str(checks.check_value(1.0, 1.0)).startswith("✅ 正确！")
    wrong = repr(checks.check_value(2.0, 1.0, hint="再看一遍公式"))
    assert wrong.startswith("❌ 还不对：") and "提示：再看一遍公式" in wrong
    assert "把 ... 换成你的答案" in repr(checks.check_value(..., 1.0))
    nested = repr(checks.check_function(lambda x: x + 1, lambda x: x, [(torch.tensor(1.0),)]))
    assert nested.count("还不对") == 1, nested  # the inner check's prefix is not repeated
    set_language("en")
    assert repr(checks.check_value(2.0, 1.0)).startswith("❌ Not yet: ")


def test_pixel_errors_speak_the_chosen_language():
    from gan_utils.data.pixels import ImageShapeError, check_channels, denormalize, pixels_to_images
    set_language("zh")
    for wrong in (lambda: pixels_to_images(torch.zeros(2, 28, 28)), lambda: pixels_to_images(torch.zeros(28, 28, dtype=torch.uint8)),
                  lambda: denormalize(torch.zeros(2, dtype=torch.uint8)), lambda: check_channels(2)):
        with pytest.raises(ImageShapeError) as error:
            wrong()
        assert CJK.search(str(error.value)), str(error.value)
    set_language("en")
    with pytest.raises(ImageShapeError, match="expected uint8 pixels"):
        pixels_to_images(torch.zeros(2, 28, 28))


# ---- the lesson 07/08 helpers: bug lab, health rules and panel, curves, widgets ----

CJK = re.compile(r"[\u3400-\u9fff]")


def translation_status():
    """tools/translation_status.py, which reads the glossary's terms and variants to avoid."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    import translation_status
    return translation_status


def history_of(**columns):
    from gan_utils.train import History
    history = History()
    for step, values in enumerate(zip(*columns.values()), start=1):
        history.record(step, 1, dict(zip(columns, values)))
    return history


def test_every_bug_has_a_chinese_title_and_diagnosis_in_the_glossarys_terms():
    from gan_utils.debugging import BUGS
    ts = translation_status()
    avoid, also = ts.avoided_terms(), ts.also_written()
    for name, bug in BUGS.items():
        assert bug.shown_title == bug.title and bug.shown_diagnosis == bug.diagnosis   # English by default
        assert CJK.search(bug.title_zh) and CJK.search(bug.diagnosis_zh), name
        assert not ts.forbidden_terms_in(bug.title_zh + bug.diagnosis_zh, avoid, also), name
    set_language("zh")
    bug = BUGS["no_zero_grad_for_G"]
    assert bug.shown_title == "忘了给 G 调用 zero_grad()" and bug.shown_diagnosis == bug.diagnosis_zh


def test_show_bug_and_the_mysteries_speak_chinese():
    from gan_utils.debugging import BUGS, check_mystery, show_bug
    english = show_bug("detach_in_G_step").splitlines()
    assert english[0].startswith("detaching in G's step  (loop.py, line ")
    set_language("zh")
    shown = show_bug("detach_in_G_step").splitlines()
    assert shown[0].startswith("在生成器步中分离（detach()）（loop.py 第 ") and "在 train_step 中）" in shown[0]
    assert shown[1:] == english[1:]                                     # the code lines stay code
    assert show_bug("no_zero_grad_for_G").endswith("+ （无：这一行被删掉了）")
    verdicts = {name: repr(check_mystery(1, name)) for name in BUGS}
    right = [v for v in verdicts.values() if v.startswith("✅ 正确！")]
    assert len(right) == 1 and right[0] == "✅ 正确！" + BUGS["no_zero_grad_for_G"].diagnosis_zh
    wrong = verdicts["detach_in_G_step"]
    assert wrong.startswith("❌ 还不对：“在生成器步中分离") and "特征迹象" in wrong and "提示：" in wrong
    assert repr(check_mystery(1, ...)).startswith("❌ 还不对：把 ... 换成")
    assert "不是实验室里的错误" in repr(check_mystery(1, "typo"))
    set_language("en")
    assert repr(check_mystery(1, "no_zero_grad_for_G")) == "✅ Correct! " + BUGS["no_zero_grad_for_G"].diagnosis


def test_the_health_rules_report_in_chinese():
    from gan_utils.train import diagnose
    n = 100
    history = history_of(loss_D=[0.01] * n, D_x=[0.5 + 0.5 * i / n for i in range(n)], D_G_z1=[0.01] * n,
                         grad_G_last=[0.0] * n, fake_max=[1.8] * n, fake_min=[-0.5] * n)
    english = {f.name: str(f) for f in diagnose(history)}
    assert english["no_gradient_to_G"].startswith("⚠️ no gradient reaches G")
    set_language("zh")
    found = {f.name: str(f) for f in diagnose(history)}
    assert found.keys() == english.keys()                               # the rule names stay identifiers
    assert found["no_gradient_to_G"].startswith("⚠️ 没有梯度到达 G（梯度范数恰好为 0）")
    assert found["D_wins"].startswith("⚠️ D 压制了 G")
    assert "[-0.50, 1.80]" in found["fakes_out_of_range"] and "生成图像" in found["fakes_out_of_range"]


def test_the_health_panel_and_the_curves_are_labelled_in_chinese(monkeypatch, capsys):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gan_utils.viz import plot_d_outputs, plot_losses, show_health
    monkeypatch.setattr(plt, "show", lambda: None)
    n = 60
    quiet = history_of(loss_D=[0.6] * n, loss_G=[0.8] * n, D_x=[0.6 + 0.004 * (i % 50) for i in range(n)],
                       D_G_z1=[0.4] * n, D_G_z2=[0.45] * n, grad_G_last=[0.5] * n, grad_G_first=[0.1] * n)
    stuck = history_of(loss_D=[0.6] * n, D_x=[0.6] * n, D_G_z1=[0.4] * n, grad_G_last=[0.0] * n)
    set_language("zh")
    show_health(quiet, stuck, titles=["健康", "卡住"])
    printed = capsys.readouterr().out
    assert "健康：没有警告" in printed and "卡住：\n   ⚠️ 没有梯度到达 G" in printed
    axes = plt.gcf().axes
    assert [ax.get_title() for ax in axes[:3]] == ["损失", "D 的判断", "到达 G 的梯度范数"]
    assert axes[0].get_xlabel() == "步"
    assert "G 的最后一层" in [line.get_label() for line in axes[2].get_lines()]
    plt.close("all")
    ax = plot_losses(quiet)
    assert {"D 的损失", "G 的损失"} <= {line.get_label() for line in ax.get_lines()}
    assert ax.get_xlabel() == "训练步数" and ax.get_title().startswith("损失：")
    ax = plot_d_outputs(quiet)
    shown = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.texts),
             *(line.get_label() for line in ax.get_lines())]
    assert any("模式崩溃" in text for text in shown) and "D(x)：真实图像被判为真" in shown
    assert not any("$" in text for text in shown)     # math text has no Chinese glyphs
    with pytest.raises(ValueError, match="请为每次运行各给一个标题"):
        show_health(quiet, titles=["一", "二"])
    plt.close("all")
    set_language("en")
    assert plot_losses(quiet).get_title() == "losses: a GAN's curves wobble, they do not fall to 0"
    plt.close("all")


def _children(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _children(child)


def test_the_widgets_speak_chinese():
    import ipywidgets as widgets

    from gan_utils.models import ConditionalDCGANGenerator
    from gan_utils.toy import ToyGAN
    from gan_utils.widgets import LatentExplorer, build_latent_explorer, build_toy_stepper
    torch.manual_seed(0)
    G = ConditionalDCGANGenerator()
    explorer = LatentExplorer(G, directions=torch.eye(G.latent_dim)[:1])   # no direction search: fast
    english = {w.description for w in _children(build_latent_explorer(explorer, scale=1))
               if isinstance(w, widgets.DOMWidget) and getattr(w, "description", "")}
    assert {"reset", "new random z", "direction 1", "blend"} <= english
    set_language("zh")
    chinese = {w.description for w in _children(build_latent_explorer(explorer, scale=1))
               if isinstance(w, widgets.DOMWidget) and getattr(w, "description", "")}
    assert {"重置", "新的随机 z", "方向 1", "数字", "混入数字", "混合比例"} <= chinese
    stepper = list(_children(build_toy_stepper(ToyGAN(seed=0, hidden_dim=16), train_steps=5)))
    buttons = {w.description: w for w in stepper if isinstance(w, widgets.Button)}
    assert set(buttons) == {"D 步", "G 步", "训练 5 步"}
    assert buttons["D 步"].tooltip == "用新抽取的真实点和生成点更新 D 一次"
    status = next(w for w in stepper if isinstance(w, widgets.HTML))
    buttons["D 步"].click()
    assert status.value.startswith("D 步：D(x) ") and status.value.endswith("（更新之前）")
    buttons["训练 5 步"].click()
    assert status.value == "又训练了 5 步"


def test_the_toy_lab_speaks_chinese():
    from gan_utils.toy.coverage import Coverage
    coverage = Coverage(modes_covered=6, num_modes=8, good_share=0.51, counts=[1] * 8)
    assert str(coverage).startswith("6 of 8 modes covered")
    set_language("zh")
    assert str(coverage) == "覆盖了 8 个模式中的 6 个，51% 的点靠近某个模式"
