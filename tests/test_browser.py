"""The course in a real browser, in English and in Chinese: JupyterLab runs lesson 06, a latent
slider moves and the digit redraws; it runs lesson 03, whose training animation plays offline (its
buttons show symbols, the next-frame button advances it); and no request leaves the machine.

The unit tests drive ``LatentExplorer`` without a browser; this test checks the part they cannot:
that the widgets render in JupyterLab and that a slider change travels to the kernel and back as a
new picture. The Chinese lesson runs in a JupyterLab set to Chinese, as `make course-zh` starts it,
and its menus must say so. Every request the page makes outside 127.0.0.1 is blocked and recorded:
there must be none (the course works offline). It starts its own JupyterLab (fresh settings,
workspaces and browser profile), drives the system Chromium through Playwright and never downloads
a browser. It is skipped when ``/usr/bin/chromium`` or the ``playwright`` package is missing.
Screenshots go to ``browser/lesson06_<edition>_before.png``, ``browser/lesson06_<edition>.png`` and
``browser/lesson03_<edition>.png`` in the test run's outputs folder (``$GAN_COURSE_OUTPUTS``, printed at the top of the pytest report).
Run only this test with:  .venv/bin/python -m pytest -q -m browser
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

import pytest
from browser_support import DEADLINE, SCREENSHOTS, TEST_BUDGET_S, free_port, log_tail, ms_left, offline_page, stop
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVER_ROOT = REPO_ROOT                       # JupyterLab's root folder
NOTEBOOKS = {"en": "notebooks/06_latent_space.ipynb", "zh": "notebooks/zh/06_latent_space.ipynb"}
ANIMATED = {"en": "notebooks/03_mlp_gan.ipynb", "zh": "notebooks/zh/03_mlp_gan.ipynb"}   # show_progress
FILE_MENU = {"en": "File", "zh": "文件"}   # JupyterLab's first menu, in the edition's language

SERVER_START_S = 60
# Read by JupyterLab from <app_settings_dir>/overrides.json: no news or update checks (the machine
# may be offline), and no autosave, so the run's outputs never get written back into the lesson.
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    # every cell stays in the page (no virtual scrolling), so an output above the view can be read
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
SLIDER_PRESSES = 5



@pytest.fixture(scope="module", params=["en", "zh"])
def jupyter_url(request):
    """A private JupyterLab on 127.0.0.1, no token, in the edition's language (the Chinese one set
    up as `make course-zh` does); killed (with its kernels) at the end."""
    DEADLINE["t"] = time.monotonic() + TEST_BUDGET_S
    with tempfile.TemporaryDirectory(prefix="gan-browser-lab-") as tmp:
        tmp = Path(tmp)
        app_settings = tmp / "app-settings"
        app_settings.mkdir()
        (app_settings / "overrides.json").write_text(json.dumps(OVERRIDES, indent=2))
        if request.param == "zh":
            locale = tmp / "user-settings" / "@jupyterlab" / "translation-extension"
            locale.mkdir(parents=True)
            (locale / "plugin.jupyterlab-settings").write_text('{"locale": "zh_CN"}')
        env = dict(os.environ,
                   JUPYTERLAB_SETTINGS_DIR=str(tmp / "user-settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
        env.pop("MPLBACKEND", None)  # conftest sets Agg for nbval; students get inline figures
        port = free_port()
        jupyter = Path(sys.executable).parent / "jupyter"
        command = [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--allow-root",
                   "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={SERVER_ROOT}",
                   "--LabApp.expose_app_in_browser=True",
                   # the default app settings dir is <sys.prefix>/share/jupyter/lab/settings;
                   # a private one keeps the overrides out of the course's environment
                   f"--LabApp.app_settings_dir={app_settings}",
                   # opening a notebook saves a checkpoint; keep it out of the repository
                   f"--FileCheckpoints.checkpoint_dir={tmp / 'checkpoints'}"]
        log_path = tmp / "jupyter.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                      cwd=SERVER_ROOT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            give_up = time.monotonic() + SERVER_START_S
            while True:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab exited with code {server.returncode}:\n{log_tail(log_path)}")
                try:
                    with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > give_up:
                    pytest.fail(f"JupyterLab did not answer {url}/api/status within {SERVER_START_S} s:\n"
                                f"{log_tail(log_path)}")
                time.sleep(0.25)
            yield url, log_path, request.param
        finally:
            stop(server)


# The picture's pixels, as the browser decoded them (works for blob: and data: URLs alike).
PIXELS_JS = """img => {
    if (!img.src || !img.complete || img.naturalWidth === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    canvas.getContext('2d').drawImage(img, 0, 0);
    return canvas.toDataURL('image/png');
}"""
KERNEL_IDLE_JS = ("() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status"
                  " === 'idle'")


def show_explorer(page, explorer) -> None:
    """Scroll the explorer to the middle of the notebook, so that the screenshots show it whole.

    JupyterLab renders long notebooks lazily, so the layout shifts while scrolling: repeat until it holds."""
    try:
        page.wait_for_function("""el => {
            const r = el.getBoundingClientRect();
            if (r.top >= 0 && r.bottom <= window.innerHeight) return true;
            el.scrollIntoView({block: 'center', behavior: 'instant'});
            return false; }""", arg=explorer.element_handle(timeout=ms_left(5)), timeout=ms_left(5), polling=100)
    except PlaywrightTimeout:
        pass  # taller than the window, or still settling: the screenshots are only for people


def open_and_run_all(page, url: str, notebook: str, edition: str, steps: list) -> None:
    """Open ``notebook`` in JupyterLab, check its menus speak the edition's language, and start
    running all cells (``window.__runAll`` says 'done' when the last cell has run). ``steps`` gets
    what is being done, for the failure message."""
    steps.append(f"opening {notebook}")
    # ?reset: a clean workspace, so a notebook an earlier test opened on this server is not restored
    page.goto(f"{url}/lab/tree/{notebook}?reset", timeout=ms_left(60))
    page.wait_for_function("() => window.jupyterapp?.shell?.currentWidget?.content?.widgets?.length > 0",
                           timeout=ms_left(60))

    steps.append(f"reading JupyterLab's menu bar (expecting {FILE_MENU[edition]!r})")
    menu = page.locator(".lm-MenuBar-itemLabel").first
    expect(menu).to_have_text(FILE_MENU[edition], timeout=ms_left(30))
    labels = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Nbgrader" not in labels, f"the teachers' nbgrader menu is on for learners (make setup turns it off): {labels}"

    steps.append("waiting for the kernel to be idle")
    page.wait_for_function(KERNEL_IDLE_JS, timeout=ms_left(60), polling=200)

    steps.append("running all cells")
    # not awaited here: the promise settles when the last cell has run (false if a cell failed)
    page.evaluate("""() => {
        window.__runAll = 'running';
        window.jupyterapp.commands.execute('notebook:run-all-cells').then(
            ok => { window.__runAll = ok === false ? 'a cell failed' : 'done'; },
            error => { window.__runAll = 'error: ' + error; });
    }""")


def failure(notebook: str, steps: list, started: float, error, screenshot: Path, console: list,
            log_path: Path) -> str:
    return (f"{notebook} in JupyterLab failed while {steps[-1]}, {time.monotonic() - started:.0f} s in: "
            f"{error}\nscreenshot: {screenshot}\nbrowser console (last 20):\n" + "\n".join(console[-20:]) +
            f"\nJupyter log (tail):\n{log_tail(log_path)}")


def test_lesson03_animation_plays_offline_in_jupyterlab(jupyter_url):
    """Matplotlib's player asks a CDN for its button icons; the course's must need nothing."""
    url, log_path, edition = jupyter_url
    notebook, shot = ANIMATED[edition], SCREENSHOTS / f"lesson03_{edition}.png"
    outside, console, steps, started = [], [], ["starting Chromium"], time.monotonic()
    with offline_page(outside, console) as page:
        try:
            open_and_run_all(page, url, notebook, edition, steps)
            steps.append("waiting for the lesson to run")
            page.wait_for_function("() => window.__runAll !== 'running'", timeout=ms_left(120), polling=250)
            steps.append("finding the animation player and its first frame")
            next_button = page.locator('.jp-Notebook button[aria-label="Next frame"]').first
            next_button.scroll_into_view_if_needed(timeout=ms_left(30))
            player = page.locator(".jp-OutputArea-output",
                                  has=page.locator('button[aria-label="Next frame"]')).first
            frame = player.locator("img").first
            page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                   arg=frame.element_handle(timeout=ms_left(10)), timeout=ms_left(30))
            steps.append("reading the buttons")
            labels = player.locator("button").all_inner_texts()
            assert labels and all(text.strip() for text in labels), f"buttons without a symbol: {labels!r}"

            steps.append("pressing the next-frame button")
            before = frame.get_attribute("src")
            next_button.click(timeout=ms_left(10))
            page.wait_for_function("([img, src]) => img.src !== src", arg=[frame.element_handle(), before],
                                   timeout=ms_left(10), polling=100)
            steps.append("checking that nothing was requested from outside the machine")
            assert outside == [], f"requests outside 127.0.0.1: {outside}"
        except (PlaywrightError, PlaywrightTimeout, AssertionError) as error:
            pytest.fail(failure(notebook, steps, started, error, shot, console, log_path))
        finally:
            page.screenshot(path=shot, full_page=True, timeout=15_000)


def test_lesson06_slider_redraws_the_digit_in_jupyterlab(jupyter_url):
    url, log_path, edition = jupyter_url
    notebook = NOTEBOOKS[edition]
    assert (SERVER_ROOT / notebook).exists(), f"{notebook} is missing under {SERVER_ROOT}"
    shot = f"lesson06_{edition}"
    outside, console, steps, started = [], [], ["starting Chromium"], time.monotonic()
    with offline_page(outside, console) as page:
        try:
            open_and_run_all(page, url, notebook, edition, steps)
            steps.append("waiting for the explorer (first slider and its picture)")
            slider = page.locator(".jp-Notebook .widget-slider").first
            slider.wait_for(state="visible", timeout=ms_left(120))
            explorer = page.locator(".jp-OutputArea-output", has=page.locator(".widget-slider")).first
            image = explorer.locator("img.widget-image, .widget-image img").first
            image.wait_for(state="visible", timeout=ms_left(30))
            page.wait_for_function(f"img => ({PIXELS_JS})(img) !== null",
                                   arg=image.element_handle(), timeout=ms_left(30))

            steps.append("waiting for the rest of the notebook to run (the kernel takes slider changes after it)")
            page.wait_for_function("() => window.__runAll !== 'running'", timeout=ms_left(120), polling=250)
            run_all = page.evaluate("() => window.__runAll")
            if run_all != "done":
                warnings.warn(f"{notebook} in JupyterLab, run all cells: {run_all} (nbval reports which cell)")
            show_explorer(page, explorer)
            page.screenshot(path=SCREENSHOTS / f"{shot}_before.png", full_page=True)

            src_before, pixels_before = image.get_attribute("src"), image.evaluate(PIXELS_JS)
            readout = explorer.locator(".widget-readout").first
            value_before = readout.inner_text(timeout=ms_left(5))

            steps.append(f"pressing ArrowRight {SLIDER_PRESSES} times on the first slider")
            handle = slider.locator(".noUi-handle").first
            handle.focus(timeout=ms_left(10))
            for _ in range(SLIDER_PRESSES):
                page.keyboard.press("ArrowRight")
            expect(readout, f"the slider did not move: readout still {value_before!r} after {SLIDER_PRESSES} "
                            "ArrowRight").not_to_have_text(value_before, timeout=ms_left(10))
            value_after = readout.inner_text(timeout=ms_left(5))

            steps.append(f"waiting for the picture to change (slider {value_before} -> {value_after}; run-all: {run_all})")
            page.wait_for_function(
                f"([img, src, pixels]) => img.src !== src && ({PIXELS_JS})(img) !== null"
                f" && ({PIXELS_JS})(img) !== pixels",
                arg=[image.element_handle(), src_before, pixels_before], timeout=ms_left(30), polling=100)
            assert image.get_attribute("src") != src_before
            assert image.evaluate(PIXELS_JS) != pixels_before
            show_explorer(page, explorer)
            steps.append("checking that nothing was requested from outside the machine")
            assert outside == [], f"requests outside 127.0.0.1: {outside}"
        except (PlaywrightError, PlaywrightTimeout, AssertionError) as error:
            pytest.fail(failure(notebook, steps, started, error, SCREENSHOTS / f"{shot}.png", console, log_path))
        finally:
            page.screenshot(path=SCREENSHOTS / f"{shot}.png", full_page=True, timeout=15_000)
