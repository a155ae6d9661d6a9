"""Sphinx configuration of the course's book, one edition per build (tools/build_book.py sets the
edition and the mode through GAN_BOOK_EDITION and GAN_BOOK_MODE, and stages the sources)."""
import os
import sys
from pathlib import Path

EDITION = os.environ.get("GAN_BOOK_EDITION", "en")  # "en" or "zh"
MODE = os.environ.get("GAN_BOOK_MODE", "full")  # "full" or "fast"
OTHER = {"en": "zh", "zh": "en"}[EDITION]
HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tools"))
from offline_pages import MATHJAX_CONFIG  # noqa: E402  (MathJax as every page the course writes uses it)

project = {"en": "GANs from pixels to conditional DCGANs",
           "zh": "生成对抗网络：从像素到条件 DCGAN"}[EDITION]
author = "the course's authors"
language = {"en": "en", "zh": "zh_CN"}[EDITION]
extensions = ["myst_nb"]
templates_path = [str(HERE / "_templates")]
html_static_path = [str(HERE / "_static")]
html_css_files = ["book.css"]
html_js_files = ["book.js"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Notebooks: executed by tools/build_book.py into the jupyter-cache before Sphinx reads them; a
# lesson whose code is unchanged is not run again. A lesson that fails stops the build.
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get("GAN_BOOK_CACHE", str(HERE.parent / "outputs" / "book_cache" / MODE))
nb_execution_timeout = 3600  # full mode: lesson 07 takes about 9 minutes on a 2-core CPU
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# Live widgets need a kernel: the book shows the picture each widget carries (WithPicture) and
# loads no widget JavaScript from a CDN.
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True  # $$...$$ inside a paragraph, as JupyterLab shows it
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "misc.highlighting_failure"]

# Formulas: MathJax 2 from the site itself (copied from the jupyter-server-mathjax package by
# tools/build_book.py), never from a CDN.
mathjax_path = f"mathjax/MathJax.js?config={MATHJAX_CONFIG}"
# MyST-NB marks notebook pages tex2jax_ignore and Sphinx's formulas "math": process only those, and
# the answers folded in <details> (raw HTML, which MyST leaves as it is: book.js marks them), where
# the lessons write $...$ as JupyterLab reads it.
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"], ["$", "$"]],
                               "displayMath": [["\\[", "\\]"], ["$$", "$$"]],
                               "processEscapes": True, "ignoreClass": "tex2jax_ignore|mathjax_ignore",
                               "processClass": "math|tex2jax_process|mathjax_process"},
                   "MathMenu": {"showFontMenu": False}, "menuSettings": {"zoom": "None"}}

# Search: Sphinx's own index, no server. Chinese words are cut with jieba, which is taught the
# glossary's terms (a user dictionary written by tools/build_book.py) so 判别器 is one word.
if EDITION == "zh" and os.environ.get("GAN_BOOK_SEARCH_DICT"):
    html_search_options = {"dict": os.environ["GAN_BOOK_SEARCH_DICT"]}

html_theme = "sphinx_book_theme"
html_title = project
html_sourcelink_suffix = ""  # _sources/NN_name.ipynb is the lesson itself, downloadable
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": True,
    "article_header_end": ["edition-switch.html", "article-header-buttons.html"],
}
html_sidebars = {"**": ["navbar-logo.html", "edition-links.html", "search-button-field.html",
                        "sbt-sidebar-nav.html"]}
if MODE == "fast":
    html_theme_options["announcement"] = {
        "en": "Built in fast mode: the models here trained for a few steps only, so their results "
              "are not trained results (make book builds the full course).",
        "zh": "本书以快速模式构建：其中的模型只训练了几步，结果不代表训练好的模型（make book 构建完整版本）。",
    }[EDITION]

LABELS = {"en": {"switch": "中文版", "switch_lang": "zh-CN", "download": "Download this lesson (.ipynb)"},
          "zh": {"switch": "English edition", "switch_lang": "en", "download": "下载本课（.ipynb）"}}[EDITION]


def edition_links(app, pagename, templatename, context, doctree):
    """Give every page the same page in the other edition (the lessons share file names) and,
    for a lesson, its notebook to download."""
    up = "../" * (pagename.count("/") + 1)
    context["gan_other_edition"] = f"{up}{OTHER}/{pagename}.html"
    context["gan_labels"] = LABELS
    source = context.get("sourcename", "")
    context["gan_download"] = f"{up[3:]}_sources/{source}" if source.endswith(".ipynb") else None


def chinese_search_language():
    """Sphinx 9.0's Chinese search ships the English stemmer (for the Latin words in Chinese text)
    but names it ChineseStemmer in the page, so the search page stops with "ChineseStemmer is not
    defined". The same language, its stemmer named for what it is."""
    from sphinx.search.zh import SearchChinese

    class ChineseSearchWithEnglishStemmer(SearchChinese):
        language_name = "English" if SearchChinese.js_stemmer_rawcode == "english-stemmer.js" else "Chinese"

    return ChineseSearchWithEnglishStemmer


def setup(app):
    app.connect("html-page-context", edition_links)
    if EDITION == "zh":
        app.add_search_language(chinese_search_language())
