"""The book (``make book``) in a real browser, served as its README says
(``python -m http.server --bind 127.0.0.1``), with every request off the machine blocked and
recorded: no page may make one. Every page of both editions renders its formulas (no raw TeX is
left in the text), decodes every image and gives each a written alt text; an animation advances a
frame when its button is pressed; the language switch leads to the same lesson in the other
edition; search finds "discriminator" and 判别器; a lesson's download link serves its notebook.

It reads the book ``make test`` builds first, in outputs/book-fast/ (outputs/book/ with
GAN_COURSE_FAST=0; it is built here when missing); GAN_BOOK_DIR=outputs/book checks the full-mode
book after a fast test run.
Run only this test with:  .venv/bin/python -m pytest -q tests/test_book.py
"""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import SCREENSHOTS, free_port, ms_left, offline_page, stop
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[1]
FAST = os.environ.get("GAN_COURSE_FAST", "1") == "1"   # the mode `make test` built the book in
BOOK = (REPO_ROOT / os.environ.get("GAN_BOOK_DIR", "outputs/book-fast" if FAST else "outputs/book")).resolve()
LESSONS = sorted(path.stem for path in (REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = ["index", *LESSONS, "GLOSSARY", "SYMPTOMS", "TEACHER_GUIDE"]
RAW_TEX = ["$", "\\frac", "\\(", "\\[", "\\mathbb", "\\log", "\\hat"]
SEARCHES = {"en": "discriminator", "zh": "判别器"}
# MathJax 2 has typeset the page (or the page has no formulas and loads no MathJax)
MATH_DONE_JS = """() => new Promise(done => {
    if (!window.MathJax || !window.MathJax.Hub) return done(true);
    window.MathJax.Hub.Queue(() => done(true));
})"""
# the page's prose as a reader gets it, folded answers included; code is left out (its strings
# may hold TeX for matplotlib) and so is MathJax's copy of each formula's source
PROSE_JS = """() => {
    const page = (document.querySelector('article') || document.body).cloneNode(true);
    page.querySelectorAll('pre, code, script, style, .MathJax_Preview').forEach(el => el.remove());
    return page.textContent;
}"""
# every image of the page loaded (lazy ones are asked for now) and decoded: the ones that did not
IMAGES_JS = """async () => {
    const images = [...document.querySelectorAll('main img, article img')];
    images.forEach(img => { img.loading = 'eager'; });
    await Promise.all(images.map(img => img.decode().catch(() => null)));
    return images.map(img => ({src: img.src.slice(0, 80), ok: img.complete && img.naturalWidth > 0,
                               alt: img.getAttribute('alt') || ''}));
}"""


@pytest.fixture(scope="module")
def book_url():
    """The book served from its folder on 127.0.0.1 (built in fast mode first when missing)."""
    if not (BOOK / "en" / "index.html").exists():
        if "GAN_BOOK_DIR" in os.environ:
            pytest.fail(f"no book in {BOOK}: build it with `make book` (or unset GAN_BOOK_DIR)")
        subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "build_book.py"), "--fast" if FAST else "--full"],
                       check=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(BOOK)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    give_up = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/index.html", timeout=2):
                break
        except OSError:
            if time.monotonic() > give_up or server.poll() is not None:
                stop(server)
                pytest.fail(f"python -m http.server did not serve {BOOK} on {url}")
            time.sleep(0.2)
    try:
        yield url
    finally:
        stop(server)


def page_problems(page, url: str) -> list[str]:
    """Open ``url`` and list what is wrong with it: raw TeX left in its text, images that did not
    decode, images without a written alt text."""
    page.goto(url, timeout=ms_left(30))
    page.wait_for_function(MATH_DONE_JS, timeout=ms_left(60))
    problems = []
    text = page.evaluate(PROSE_JS)
    problems += [f"raw TeX {token!r} in the text (formulas not rendered): ...{text[text.index(token) - 60:][:120]!r}"
                 for token in RAW_TEX if token in text]
    for image in page.evaluate(IMAGES_JS):
        if not image["ok"]:
            problems.append(f"image does not decode: {image['src']}")
        if len(image["alt"].strip()) < 20:
            problems.append(f"image without a written alt text ({image['alt']!r}): {image['src']}")
    return problems


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_every_page_renders_offline(book_url, edition):
    outside, console, problems = [], [], {}
    with offline_page(outside, console) as page:
        found = page_problems(page, f"{book_url}/index.html")  # the landing page: choose an edition
        if found:
            problems["index.html (landing)"] = found
        for name in PAGES:
            found = page_problems(page, f"{book_url}/{edition}/{name}.html")
            if found:
                problems[f"{edition}/{name}.html"] = found[:5] + ([f"... {len(found) - 5} more"] if len(found) > 5 else [])
        page.screenshot(path=SCREENSHOTS / f"book_{edition}_last_page.png", timeout=15_000)
    assert outside == [], f"requests outside 127.0.0.1: {outside}"
    assert problems == {}, "\n".join(f"{name}: {issue}" for name, issues in problems.items() for issue in issues)


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_animation_advances_when_clicked(book_url, edition):
    outside, console = [], []
    with offline_page(outside, console) as page:
        page.goto(f"{book_url}/{edition}/03_mlp_gan.html", timeout=ms_left(30))
        next_button = page.locator('button[aria-label="Next frame"]').first
        next_button.scroll_into_view_if_needed(timeout=ms_left(10))
        player = page.locator(".cell_output", has=page.locator('button[aria-label="Next frame"]')).first
        frame = player.locator("img").first
        labels = player.locator("button").all_inner_texts()
        assert labels and all(text.strip() for text in labels), f"buttons without a symbol: {labels!r}"
        before = frame.get_attribute("src")
        next_button.click(timeout=ms_left(10))
        page.wait_for_function("([img, src]) => img.src !== src && img.complete && img.naturalWidth > 0",
                               arg=[frame.element_handle(), before], timeout=ms_left(10), polling=100)
        page.screenshot(path=SCREENSHOTS / f"book_{edition}_animation.png", timeout=15_000)
    assert outside == [], f"requests outside 127.0.0.1: {outside}"


@pytest.mark.parametrize("edition, other", [("en", "zh"), ("zh", "en")])
def test_language_switch_leads_to_the_same_lesson(book_url, edition, other):
    outside, console = [], []
    with offline_page(outside, console) as page:
        for lesson in ["05_conditional_gan", "GLOSSARY"]:
            page.goto(f"{book_url}/{edition}/{lesson}.html", timeout=ms_left(30))
            page.locator("a.gan-switch").first.click(timeout=ms_left(10))
            page.wait_for_load_state(timeout=ms_left(10))
            assert page.url == f"{book_url}/{other}/{lesson}.html"
            assert page.locator("html").get_attribute("lang").startswith(other[:2])
            expect(page.locator("article h1").first).to_be_visible(timeout=ms_left(10))
    assert outside == [], f"requests outside 127.0.0.1: {outside}"


@pytest.mark.parametrize("edition", ["en", "zh"])
def test_search_finds_the_discriminator(book_url, edition):
    word = SEARCHES[edition]
    outside, console = [], []
    with offline_page(outside, console) as page:
        page.goto(f"{book_url}/{edition}/search.html?q={word}", timeout=ms_left(30))
        results = page.locator("#search-results ul.search li")
        expect(results.first).to_be_visible(timeout=ms_left(30))
        titles = results.locator("a").all_inner_texts()
        page.screenshot(path=SCREENSHOTS / f"book_{edition}_search.png", timeout=15_000)
    assert any(title.startswith("02") for title in titles), f"{word!r}: lesson 02 not among {titles}"
    assert len(titles) >= 5, f"{word!r} found on {len(titles)} pages only: {titles}"
    assert outside == [], f"requests outside 127.0.0.1: {outside}"


def test_download_link_serves_the_lesson(book_url):
    outside, console = [], []
    with offline_page(outside, console) as page:
        page.goto(f"{book_url}/zh/03_mlp_gan.html", timeout=ms_left(30))
        href = page.locator("a.gan-download").first.get_attribute("href")
    with urllib.request.urlopen(f"{book_url}/zh/{href}", timeout=10) as response:
        notebook = json.loads(response.read())
    assert notebook["cells"][0]["source"][0].startswith("# 03"), "the download is not lesson 03"
    images = [output for cell in notebook["cells"] for output in cell.get("outputs", [])
              if "image/png" in output.get("data", {})]
    assert images == [], "the download carries images: it should be the clean lesson"
