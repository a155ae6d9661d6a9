"""Build the course as a static website, offline: ``make book`` (full mode) or ``make book-fast``.

Every lesson is executed (English and Chinese editions), then Sphinx with MyST-NB writes one
page per lesson with all its outputs, the glossary, the symptoms table and the teacher guide:

    outputs/book/index.html        choose an edition
    outputs/book/en/, .../zh/      one site per edition, same page names (the language switch)

Execution is cached with jupyter-cache (one cache per mode under outputs/book_cache/): a lesson
whose code is unchanged is not run again, so a second build takes seconds. The lessons run in
parallel kernels (one per CPU core), with their files under outputs/book_build/ (never the
learner's outputs/). Fast mode builds into outputs/book-fast/ and says so on every page.

Usage:
  python tools/build_book.py            full mode (GAN_COURSE_FAST=1 in the environment: fast)
  python tools/build_book.py --fast     fast mode, a few minutes
  python tools/build_book.py --rerun    forget the cached executions of this mode first
  python tools/build_book.py --editions en
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from offline_pages import copy_mathjax
from translation_status import CJK, glossary_rows

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"
EDITIONS = {"en": NOTEBOOKS, "zh": NOTEBOOKS / "zh"}
SHARED_PAGES = ["GLOSSARY.md"]  # one file for both editions (the glossary is bilingual)
EDITION_PAGES = ["TEACHER_GUIDE.md", "SYMPTOMS.md"]  # each edition's own, beside its lessons
# links of the zh lessons that leave notebooks/zh/: in the book the shared pages sit beside them
# (and ../SYMPTOMS.md becomes the Chinese table, which sits there too)
ZH_LINKS = {"](../GLOSSARY.md": "](GLOSSARY.md", "](../SYMPTOMS.md": "](SYMPTOMS.md",
            "](../../README.zh-CN.md)": "](index.md)"}
NEEDED = {"sphinx": "sphinx", "myst_nb": "myst-nb", "sphinx_book_theme": "sphinx-book-theme",
          "jupyter_cache": "jupyter-cache", "jieba": "jieba"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", default=None,
                        help="fast mode (default: GAN_COURSE_FAST from the environment, else full)")
    parser.add_argument("--full", dest="fast", action="store_false", help="full mode")
    parser.add_argument("--out", type=Path, help="the site's folder (default outputs/book, "
                        "outputs/book-fast in fast mode)")
    parser.add_argument("--editions", nargs="+", choices=sorted(EDITIONS), default=sorted(EDITIONS))
    parser.add_argument("--rerun", action="store_true", help="execute every lesson again")
    args = parser.parse_args(argv)
    if args.fast is None:
        args.fast = os.environ.get("GAN_COURSE_FAST", "0").strip().lower() in {"1", "true", "yes", "on"}
    args.mode = "fast" if args.fast else "full"
    args.out = (args.out or ROOT / "outputs" / ("book-fast" if args.fast else "book")).resolve()
    args.work = ROOT / "outputs" / "book_build" / args.mode
    args.cache = ROOT / "outputs" / "book_cache" / args.mode
    return args


def check_tools() -> None:
    """Stop with the command that installs the book's tools when one is missing."""
    import importlib.util
    missing = [package for module, package in NEEDED.items() if importlib.util.find_spec(module) is None]
    if missing:
        sys.exit(f"build_book: missing {', '.join(missing)}. Install the book's tools with "
                 f"`make book` (or: python -m pip install -r requirements-book.txt).")


def write_if_changed(path: Path, data: bytes) -> None:
    """Write only new content, so Sphinx's own incremental build sees unchanged pages as unchanged."""
    if not path.exists() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def stage(edition: str, source: Path) -> None:
    """The edition's pages in ``source``: its lessons, teacher guide and symptoms table, the shared
    glossary, a home page."""
    folder = EDITIONS[edition]
    lessons = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not lessons:
        sys.exit(f"build_book: no lessons in {folder}")
    wanted = {"index.md"}
    write_if_changed(source / "index.md", (BOOK / f"home.{edition}.md").read_bytes())
    for path in [*lessons, *(folder / name for name in EDITION_PAGES), *(NOTEBOOKS / name for name in SHARED_PAGES)]:
        text = path.read_text(encoding="utf-8")
        if edition == "zh":
            for old, new in ZH_LINKS.items():
                text = text.replace(old, new)
        write_if_changed(source / path.name, text.encode("utf-8"))
        wanted.add(path.name)
    for stale in source.iterdir():  # a lesson renamed or removed since the last build
        if stale.is_file() and stale.name not in wanted:
            stale.unlink()


def search_dictionary(path: Path) -> Path:
    """The glossary's Chinese terms as a jieba dictionary, so search indexes 判别器 as one word."""
    terms = [term for cells in glossary_rows() if CJK.search(cells[1])
             for term in re.split(r"[、,，/（）() ]+", cells[1]) if term]
    write_if_changed(path, "".join(f"{term} 100000\n" for term in dict.fromkeys(terms)).encode("utf-8"))
    return path


def execute(notebooks: list[Path], args) -> None:
    """Run the lessons that the cache does not hold yet, in parallel kernels; stop on any error."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(args.cache))
    if args.rerun:
        cache.clear_cache()
    for notebook in notebooks:
        cache.add_nb_to_project(str(notebook))
    taken = take_recorded(cache, notebooks, args.work / "executed")
    if taken:
        print(f"build_book: {taken} lessons taken as `make test` just ran them (nbval)", flush=True)
    records = [cache.get_project_record(str(notebook)) for notebook in notebooks]
    todo = [record for record in records if cache.get_cached_project_nb(record.pk) is None]
    print(f"build_book: {len(records) - len(todo)} of {len(records)} lessons unchanged since they "
          f"were last executed in {args.mode} mode (cached)", flush=True)
    if not todo:
        return
    jobs = min(os.cpu_count() or 1, len(todo))  # jupyter-cache's pool: one process per core
    threads = max(1, (os.cpu_count() or 1) // jobs)
    lesson_outputs = args.work / "lesson_outputs"
    # the kernels inherit this process's environment: the mode, a separate outputs folder, and
    # CPU threads shared out between the kernels running at once
    os.environ.update({"GAN_COURSE_FAST": "1" if args.fast else "0",
                       "GAN_COURSE_OUTPUTS": str(lesson_outputs),
                       "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)})
    print(f"build_book: executing {len(todo)} lessons in {args.mode} mode, {jobs} at a time "
          f"({threads} CPU thread{'s' if threads > 1 else ''} each); the full course takes "
          f"{'a few minutes' if args.fast else 'about 70 minutes for both editions on a 2-core CPU'}",
          flush=True)
    started = time.perf_counter()
    executor = load_executor("local-parallel" if jobs > 1 else "local-serial", cache)
    result = executor.run_and_cache(filter_pks=[record.pk for record in todo], timeout=3600,
                                    allow_errors=False)
    failed = result.errored + result.excepted
    for pk in failed:
        record = cache.get_project_record(pk)
        print(f"\nbuild_book: {record.uri} failed:\n{record.traceback or '(no traceback recorded)'}",
              file=sys.stderr)
    if failed:
        sys.exit(f"build_book: {len(failed)} lesson(s) failed; nothing was built. Fix them and run again "
                 f"(the lessons that succeeded stay cached).")
    print(f"build_book: executed {len(result.succeeded)} lessons in {time.perf_counter() - started:.0f} s",
          flush=True)


def take_recorded(cache, notebooks: list[Path], folder: Path) -> int:
    """Put the executions `make test` kept (tests/record_executions.py) into the cache, for the
    lessons whose code is the code they ran; each kept file is used once, then removed."""
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    taken = 0
    for notebook in notebooks:
        recorded = folder / notebook.parent.name / notebook.name
        if not recorded.exists():
            continue
        lesson = nbformat.read(str(notebook), as_version=4)
        executed = nbformat.read(str(recorded), as_version=4)
        lesson_code = [cell for cell in lesson.cells if cell.cell_type == "code"]
        executed_code = [cell for cell in executed.cells if cell.cell_type == "code"]
        if [cell.source for cell in lesson_code] == [cell.source for cell in executed_code]:
            for cell, done in zip(lesson_code, executed_code):
                cell.outputs = done.outputs
            cache.cache_notebook_bundle(CacheBundleIn(lesson, str(notebook), data={"executed_by": "make test"}),
                                        check_validity=False, overwrite=True)
            taken += 1
        recorded.unlink()
    return taken


def render(edition: str, source: Path, args, dictionary: Path) -> None:
    """Sphinx writes the edition's site from the staged pages (executions come from the cache)."""
    env = {**os.environ, "GAN_BOOK_EDITION": edition, "GAN_BOOK_MODE": args.mode,
           "GAN_BOOK_CACHE": str(args.cache), "GAN_BOOK_SEARCH_DICT": str(dictionary)}
    # Sphinx builds in the work folder (MyST-NB keeps its files beside the html folder), then the
    # finished site replaces the edition's folder in the book
    html = args.work / edition / "html"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(BOOK),
               "-d", str(args.work / edition / "doctrees"), str(source), str(html)]
    if subprocess.run(command, env=env).returncode != 0:
        sys.exit(f"build_book: Sphinx could not build the {edition} edition (see above).")
    copy_mathjax(html / "_static" / "mathjax")
    shutil.rmtree(args.out / edition, ignore_errors=True)
    shutil.copytree(html, args.out / edition)


def write_landing_page(out: Path, editions: list[str], mode: str) -> None:
    """outputs/book/index.html: the two editions, side by side."""
    cards = {"en": ('en', 'GANs from pixels to conditional DCGANs', 'English edition', 'Open the book'),
             "zh": ('zh-CN', '生成对抗网络：从像素到条件 DCGAN', '中文版', '打开本书')}
    links = "\n".join(f'  <a class="card" href="{edition}/index.html" lang="{lang}"><strong>{label}</strong>'
                      f'<span>{title}</span><em>{action} →</em></a>'
                      for edition in editions for lang, title, label, action in [cards[edition]])
    note = ("<p class=\"note\">Built in fast mode: the models trained for a few steps only. "
            "<span lang=\"zh-CN\">快速模式构建：模型只训练了几步。</span></p>" if mode == "fast" else "")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GANs from pixels to conditional DCGANs · 生成对抗网络</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 4rem auto; padding: 0 1rem;
         color: #222; background: #fff; line-height: 1.5; }}
  @media (prefers-color-scheme: dark) {{ body {{ color: #eee; background: #121212; }}
                                         .card {{ border-color: #555; }} }}
  .cards {{ display: flex; gap: 1rem; flex-wrap: wrap; margin-top: 2rem; }}
  .card {{ flex: 1 1 16rem; display: flex; flex-direction: column; gap: 0.4rem; padding: 1.2rem;
          border: 2px solid #0072B2; border-radius: 0.6rem; color: inherit; text-decoration: none; }}
  .card:hover, .card:focus {{ background: rgba(0, 114, 178, 0.08); }}
  .card strong {{ font-size: 1.3rem; }} .card em {{ color: #0072B2; font-style: normal; font-weight: 600; }}
  .note {{ border-left: 4px solid #E69F00; padding-left: 0.8rem; }}
</style>
</head>
<body>
<h1>GANs from pixels to conditional DCGANs</h1>
<p>A hands-on course on Generative Adversarial Networks, every lesson executed.
<span lang="zh-CN">生成对抗网络动手实践课程，每一课都已运行。</span></p>
{note}
<nav class="cards" aria-label="Editions">
{links}
</nav>
</body>
</html>
"""
    write_if_changed(out / "index.html", page.encode("utf-8"))
    write_if_changed(out / ".nojekyll", b"")  # GitHub Pages: serve the _static/ folders as they are


def main(argv=None) -> None:
    args = parse_args(argv)
    check_tools()
    started = time.perf_counter()
    sources = {edition: args.work / "src" / edition for edition in args.editions}
    for edition, source in sources.items():
        stage(edition, source)
    execute([notebook for source in sources.values() for notebook in sorted(source.glob("*.ipynb"))], args)
    dictionary = search_dictionary(args.work / "search_terms_zh.txt")
    for edition, source in sources.items():
        print(f"build_book: writing the {edition} edition", flush=True)
        render(edition, source, args, dictionary)
    write_landing_page(args.out, args.editions, args.mode)
    print(f"build_book: the book is in {args.out} ({args.mode} mode, {time.perf_counter() - started:.0f} s). "
          f"Read it offline with:\n  python -m http.server 8000 --bind 127.0.0.1 --directory {args.out}\n"
          f"then open http://127.0.0.1:8000/")


if __name__ == "__main__":
    main()
