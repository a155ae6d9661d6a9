"""The language the course's helpers print in: English by default, Simplified Chinese for the
Chinese edition (``start_lesson(lang="zh")``, or ``GAN_COURSE_LANG=zh`` for a whole session)."""
import os

LANG_ENV_VAR = "GAN_COURSE_LANG"
LANGUAGES = {"en": "English", "zh": "简体中文"}
_chosen: str | None = None  # set by set_language(); wins over the environment variable


def _normalise(lang: str, where: str) -> str:
    """'zh', 'zh-CN', 'zh_Hans' -> 'zh'; 'en-US' -> 'en'; anything else is refused with the choices."""
    code = str(lang).strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        choices = ", ".join(f"{c!r} ({name})" for c, name in LANGUAGES.items())
        raise ValueError(f"{where} {lang!r} is not a language this course speaks; use one of {choices}.")
    return code


def set_language(lang: str) -> str:
    """Choose the language of everything gan_utils prints from now on in this kernel."""
    global _chosen
    _chosen = _normalise(lang, "lang=")
    return _chosen


def language() -> str:
    """'en' or 'zh': the language chosen with set_language(), else $GAN_COURSE_LANG, else English."""
    if _chosen is not None:
        return _chosen
    value = os.environ.get(LANG_ENV_VAR, "").strip()
    return _normalise(value, f"{LANG_ENV_VAR}=") if value else "en"


def say(en: str, zh: str) -> str:
    """The text in the current language: ``print(say("Correct!", "正确！"))``."""
    return zh if language() == "zh" else en
