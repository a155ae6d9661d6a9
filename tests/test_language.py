"""The course speaks English by default and Simplified Chinese when asked, in one setting."""
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
