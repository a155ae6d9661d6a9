"""Where the course is published, set in one place (the three names below), and written from here
into every lesson's install cell (both editions), the READMEs' "Open in Colab / Kaggle / Binder"
lines and binder/README.md. Whoever publishes the course (or a fork) edits the names, then runs

    python tools/course_source.py          write the source into the lessons and the READMEs
    python tools/course_source.py --check  say what is out of date; exit 1 if anything is (a test runs it)

The install cell sits just before each lesson's setup cell (the one that calls ``start_lesson``). Where
``gan_utils`` is installed (a clone after ``make course``, ``pip install``, a class's server) it prints
one line and does nothing; in Colab, Kaggle or any Python without it, it installs the package from
``PACKAGE``, keeping torch, torchvision and numpy at the versions already there.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

from gan_utils.course.notebooks import find_lessons, notebook_text, read_notebook, write_atomically

REPOSITORY = "https://github.com/gan-course/gans-from-pixels"   # where the course's git repository is published
BRANCH = "main"
PACKAGE = f"gan-utils @ git+{REPOSITORY}@{BRANCH}"   # what the install cell installs: this, or a published wheel's URL

ROOT = Path(__file__).resolve().parents[1]
TAG = "install-course"   # the install cell's tag; "remove-cell" keeps it out of the book
LINKS_START, LINKS_END = "<!-- hosted links: tools/course_source.py writes this list -->", "<!-- end of hosted links -->"

WORDS = {
    "en": {
        "why": "# Colab, Kaggle, or a Python without the course: install the course's package first. Where it is\n"
               "# installed (make course, pip, a class's server) this does nothing. torch, torchvision and numpy\n"
               "# are never reinstalled: pip keeps the versions already here (Colab's GPU build of torch).",
        "set": "# the course's one install source (tools/course_source.py)",
        "keep": "# kept at the versions installed here",
        "failed": 'f"could not install the course package from {COURSE_PACKAGE}; pip said:\\n{pip.stderr[-1500:]}"',
        "done": 'f"Installed the course package from {COURSE_PACKAGE}" + (f" ({\', \'.join(keep)} kept as they were)." if keep else ".")',
        "present": '"The course package is installed here: nothing to install."',
    },
    "zh": {
        "why": "# 在 Colab、Kaggle 或没有装本课程的 Python 里：先安装课程的软件包。已经装好的地方\n"
               "# （make course、pip、班级服务器）这个单元格什么也不做。torch、torchvision 和 numpy\n"
               "# 从不重装：pip 保留这里已有的版本（例如 Colab 上支持 GPU 的 torch）。",
        "set": "# 课程唯一的安装来源（在 tools/course_source.py 中设置）",
        "keep": "# 保持这里已装的版本",
        "failed": 'f"无法从 {COURSE_PACKAGE} 安装课程软件包；pip 的输出：\\n{pip.stderr[-1500:]}"',
        "done": 'f"已从 {COURSE_PACKAGE} 安装课程软件包" + (f"（{\'、\'.join(keep)} 保持原样）。" if keep else "。")',
        "present": '"这里已经装好课程软件包：无需安装。"',
    },
}

CELL = '''{why}
COURSE_PACKAGE = {package!r}  {set}
import importlib.metadata, importlib.util, subprocess, sys

if importlib.util.find_spec("gan_utils") is None:
    keep = []  {keep}
    for name in ("torch", "torchvision", "numpy"):
        try:
            keep.append(f"{{name}}=={{importlib.metadata.version(name)}}")
        except importlib.metadata.PackageNotFoundError:
            pass
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", COURSE_PACKAGE, *keep],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise RuntimeError({failed})
    importlib.invalidate_caches()
    print({done})
else:
    print({present})'''


def install_cell_source(lang: str, package: str = PACKAGE) -> str:
    """The install cell's code in ``lang`` ("en" or "zh"), installing ``package`` where needed."""
    return CELL.format(package=package, **WORDS[lang])


def with_install_cell(notebook, lang: str, package: str = PACKAGE) -> bool:
    """Put the install cell (today's text) just before the setup cell; True if anything changed."""
    source = install_cell_source(lang, package)
    cells = notebook.cells
    present = [i for i, cell in enumerate(cells) if TAG in cell.metadata.get("tags", [])]
    if present:
        cell = cells[present[0]]
        changed = cell.source != source
        cell.source = source
        return changed
    setup = next((i for i, cell in enumerate(cells) if cell.cell_type == "code" and "start_lesson(" in cell.source), None)
    if setup is None:
        raise ValueError("the lesson has no setup cell (a code cell calling start_lesson) to put the install cell before")
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [TAG, "remove-cell"], "jupyter": {"source_hidden": True}})
    cells.insert(setup, cell)
    return True


def hosted_links(lang: str = "en") -> str:
    """The README's list: one line per lesson with its Open in Colab / Kaggle / Binder links."""
    owner_name = REPOSITORY.removeprefix("https://github.com/")
    lines = []
    for path in find_lessons(ROOT / "notebooks" / ("zh" if lang == "zh" else "")):
        relative = path.relative_to(ROOT).as_posix()
        blob = f"{REPOSITORY}/blob/{BRANCH}/{relative}"
        lines.append(f"- {path.stem}: [Colab](https://colab.research.google.com/github/{owner_name}/blob/{BRANCH}/{relative})"
                     f" · [Kaggle](https://www.kaggle.com/kernels/welcome?src={blob})"
                     f" · [Binder](https://mybinder.org/v2/gh/{owner_name}/{BRANCH}?urlpath=lab/tree/{relative})")
    return "\n".join([LINKS_START, *lines, LINKS_END])


def with_links(text: str, lang: str) -> str:
    """``text`` (a README) with its hosted-links list replaced by today's."""
    pattern = re.compile(re.escape(LINKS_START) + ".*?" + re.escape(LINKS_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"no hosted-links list (a line {LINKS_START!r}) to replace")
    return pattern.sub(lambda _: hosted_links(lang), text)


def targets() -> dict[Path, str]:
    """Each file this tool writes, with its new text."""
    files = {}
    for folder, lang in ((ROOT / "notebooks", "en"), (ROOT / "notebooks" / "zh", "zh")):
        for path in find_lessons(folder):
            notebook = read_notebook(path)
            if with_install_cell(notebook, lang):
                files[path] = notebook_text(notebook)
    for readme, lang in ((ROOT / "README.md", "en"), (ROOT / "README.zh-CN.md", "zh")):
        text = readme.read_text(encoding="utf-8")
        if with_links(text, lang) != text:
            files[readme] = with_links(text, lang)
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    try:
        files = targets()
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path, text in files.items():
        shown = path.relative_to(ROOT)
        if args.check:
            print(f"out of date: {shown} (run python tools/course_source.py)")
        else:
            write_atomically(path, text)
            print(f"wrote {shown}")
    if not files:
        print(f"Every lesson and README installs from, and links to, {REPOSITORY} ({BRANCH}).")
    return 1 if files and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
