"""Write where the course is published (``gan_utils/course/source.py``, the one place a publisher
edits) into every lesson's install cell (both editions), the install commands in the READMEs and
teacher guides, and the READMEs' "Open in Colab / Kaggle / Binder" lines:

    python tools/course_source.py          write the source into the lessons and the documents
    python tools/course_source.py --check  say what is out of date; exit 1 if anything is (a test runs it)

The install cell sits just before each lesson's setup cell (the one that calls ``start_lesson``). Where
the course's package is installed (a clone after ``make course``, ``pip install``, a class's server)
it prints one line and does nothing; in Colab, Kaggle or any Python without it (or with an older
one) it installs the package from ``PACKAGE``, keeping torch, torchvision and numpy at the versions
already there. Opened in a clone whose environment lacks the package, it says to run ``make setup``.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

from gan_utils.course.lessons import EDITIONS
from gan_utils.course.notebooks import find_lessons, notebook_text, read_notebook, write_atomically
from gan_utils.course.source import BRANCH, NEEDS, PACKAGE, REPOSITORY

ROOT = Path(__file__).resolve().parents[1]
TAG = "install-course"   # the install cell's tag; "remove-cell" keeps it out of the book
LINKS_START, LINKS_END = "<!-- hosted links: tools/course_source.py writes this list -->", "<!-- end of hosted links -->"
DOCUMENTS = {ROOT / "README.md": "en", ROOT / "README.zh-CN.md": "zh",
             ROOT / "notebooks" / "TEACHER_GUIDE.md": "en", ROOT / "notebooks" / "zh" / "TEACHER_GUIDE.md": "zh"}
INSTALL_COMMAND = re.compile(r"gan-utils @ git\+[^\s\"'`]+")   # the package source as the documents quote it

WORDS = {
    "en": {
        "title": "#@title Install the course's package where it is missing (click to show the code)",
        "why": "# Colab, Kaggle, or a Python without the course: this installs the course's package first. Where\n"
               "# it is installed (make course, pip, a class's server) it does nothing. torch, torchvision and\n"
               "# numpy are never reinstalled: pip keeps the versions already here (Colab's GPU build of torch).",
        "set": "# the course's one install source (gan_utils/course/source.py)",
        "needs": "# the oldest course package these lessons run on",
        "present": '"The course package is installed here: nothing to install."',
        "clone": 'f"This lesson is in the course\'s own folder {clone}, but this kernel\'s Python lacks the course\'s "\n'
                 '                           "package (or has an older one): run `make setup` there, or `python -m pip install -e .`, "\n'
                 '                           "and choose that environment\'s kernel."',
        "installing": 'f"Installing the course package from {COURSE_PACKAGE} (a minute or so)..."',
        "failed": 'f"could not install the course package from {COURSE_PACKAGE}; pip said:\\n{pip.stderr[-1500:]}"',
        "restart": '"Installed. This kernel cannot load it yet: restart the kernel (Colab: Runtime > Restart session), "\n'
                   '                     "then run the lesson from the top."',
        "done": '"Installed the course package" + (f" ({\', \'.join(keep)} kept as they were)." if keep else ".")',
    },
    "zh": {
        "title": "#@title 在缺少课程软件包的地方安装它（点击显示代码）",
        "why": "# 在 Colab、Kaggle 或没有装本课程的 Python 里：先安装课程的软件包。已经装好的地方\n"
               "# （make course、pip、班级服务器）这个单元格什么也不做。torch、torchvision 和 numpy\n"
               "# 从不重装：pip 保留这里已有的版本（例如 Colab 上支持 GPU 的 torch）。",
        "set": "# 课程唯一的安装来源（在 gan_utils/course/source.py 中设置）",
        "needs": "# 这些课能运行的最旧的课程软件包版本",
        "present": '"这里已经装好课程软件包：无需安装。"',
        "clone": 'f"这一课在课程自己的文件夹 {clone} 里，但这个内核的 Python 没有课程的软件包（或者版本太旧）："\n'
                 '                           "请在那里运行 `make setup` 或 `python -m pip install -e .`，再选用那个环境的内核。"',
        "installing": 'f"正在从 {COURSE_PACKAGE} 安装课程软件包（大约一分钟）……"',
        "failed": 'f"无法从 {COURSE_PACKAGE} 安装课程软件包；pip 的输出：\\n{pip.stderr[-1500:]}"',
        "restart": '"已安装，但这个内核还加载不了它：请重启内核（Colab：代码执行程序 > 重启会话），"\n'
                   '                     "再从头运行这一课。"',
        "done": '"已安装课程软件包" + (f"（{\'、\'.join(keep)} 保持原样）。" if keep else "。")',
    },
}

CELL = '''{title}
{why}
COURSE_PACKAGE = {package!r}  {set}
COURSE_NEEDS = {needs_version!r}  {needs}


def install_course_package():
    import importlib.metadata, importlib.util, pathlib, subprocess, sys
    try:
        version = tuple(int(part) for part in importlib.metadata.version("gan-utils").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        version = None
    if importlib.util.find_spec("gan_utils") is not None and version is not None and version >= COURSE_NEEDS:
        return print({present})
    here = pathlib.Path.cwd()
    clone = next((folder for folder in (here, *here.parents)
                  if (folder / "gan_utils").is_dir() and (folder / "pyproject.toml").is_file()), None)
    if clone is not None:
        raise RuntimeError({clone})
    keep = []
    for name in ("torch", "torchvision", "numpy"):
        try:
            keep.append(f"{{name}}=={{importlib.metadata.version(name)}}")
        except importlib.metadata.PackageNotFoundError:
            pass
    print({installing})
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", COURSE_PACKAGE, *keep],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise RuntimeError({failed})
    importlib.invalidate_caches()
    if importlib.util.find_spec("gan_utils") is None or "gan_utils" in sys.modules:
        return print({restart})
    print({done})


install_course_package()'''


def install_cell_source(lang: str, package: str = PACKAGE) -> str:
    """The install cell's code in ``lang`` ("en" or "zh"), installing ``package`` where needed."""
    return CELL.format(package=package, needs_version=NEEDS, **WORDS[lang])


def with_install_cell(notebook, lang: str, package: str = PACKAGE) -> bool:
    """Put the install cell (today's text) just before the setup cell; True if anything changed."""
    source = install_cell_source(lang, package)
    metadata = {"tags": [TAG, "remove-cell"], "cellView": "form",   # folded in Colab (a form) and JupyterLab
                "jupyter": {"source_hidden": True}}
    cells = notebook.cells
    present = [cell for cell in cells if TAG in cell.metadata.get("tags", [])]
    if present:
        cell = present[0]
        before = (cell.source, dict(cell.metadata))
        cell.source = source
        cell.metadata.update(metadata)
        return (cell.source, dict(cell.metadata)) != before
    setup = next((i for i, cell in enumerate(cells) if cell.cell_type == "code" and "start_lesson(" in cell.source), None)
    if setup is None:
        raise ValueError("the lesson has no setup cell (a code cell calling start_lesson) to put the install cell before")
    cells.insert(setup, nbformat.v4.new_code_cell(source, metadata=metadata))
    return True


def lesson_folder(lang: str) -> Path:
    """The clone's folder of the ``lang`` edition's lessons."""
    return ROOT / "notebooks" / EDITIONS[lang]


def hosted_links(lang: str = "en") -> str:
    """The README's list: one line per lesson with its Open in Colab / Kaggle / Binder links."""
    owner_name = REPOSITORY.removeprefix("https://github.com/")
    lines = []
    for path in find_lessons(lesson_folder(lang)):
        relative = path.relative_to(ROOT).as_posix()
        blob = f"{REPOSITORY}/blob/{BRANCH}/{relative}"
        lines.append(f"- {path.stem}: [Colab](https://colab.research.google.com/github/{owner_name}/blob/{BRANCH}/{relative})"
                     f" · [Kaggle](https://www.kaggle.com/kernels/welcome?src={blob})"
                     f" · [Binder](https://mybinder.org/v2/gh/{owner_name}/{BRANCH}?urlpath=lab/tree/{relative})")
    return "\n".join([LINKS_START, *lines, LINKS_END])


def with_source(text: str, lang: str, readme: bool) -> str:
    """A document with today's install source in its install commands (and, in a README, its list of
    hosted links)."""
    text = INSTALL_COMMAND.sub(PACKAGE, text)
    if not readme:
        return text
    pattern = re.compile(re.escape(LINKS_START) + ".*?" + re.escape(LINKS_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"no hosted-links list (a line {LINKS_START!r}) to replace")
    return pattern.sub(lambda _: hosted_links(lang), text)


def targets() -> dict[Path, str]:
    """Each file this tool would change, with its new text."""
    files = {}
    for lang in EDITIONS:
        for path in find_lessons(lesson_folder(lang)):
            notebook = read_notebook(path)
            if with_install_cell(notebook, lang):
                files[path] = notebook_text(notebook)
    for document, lang in DOCUMENTS.items():
        text = document.read_text(encoding="utf-8")
        new = with_source(text, lang, readme=document.parent == ROOT)
        if new != text:
            files[document] = new
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
        print(f"Every lesson and document installs from {PACKAGE} and links to {REPOSITORY} ({BRANCH}).")
    return 1 if files and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
