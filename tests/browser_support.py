"""What the browser tests share: the system Chromium through Playwright (never a downloaded
browser), a time budget per page, and pages whose every request off the machine is blocked and
recorded. The tests are skipped when ``/usr/bin/chromium`` (or the browser GAN_COURSE_CHROMIUM names)
or the ``playwright`` package is missing; conftest.py then ends the run with a line that says so."""
import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("GAN_COURSE_CHROMIUM", "/usr/bin/chromium"))
# conftest.py's browser_skip_line recognizes these two reasons: keep their first words
if not CHROMIUM.exists():
    pytest.skip(f"browser test needs Chromium at {CHROMIUM} (apt-get install -y chromium chromium-driver)",
                allow_module_level=True)
try:
    from playwright.sync_api import sync_playwright
except ImportError as error:
    pytest.skip(f"browser test needs the playwright package (pip install playwright): {error}",
                allow_module_level=True)

LOCAL_HOSTS = ("127.0.0.1", "localhost")
SCREENSHOTS = Path(os.environ["GAN_COURSE_OUTPUTS"]) / "browser"  # the test run's outputs (conftest.py)
TEST_BUDGET_S = 150        # a page's start to its last check; with teardown (<= 40 s) under 3 minutes
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
DEADLINE = {"t": time.monotonic() + TEST_BUDGET_S}  # reset by offline_page and the server fixtures


def ms_left(cap_s: float) -> float:
    """A Playwright timeout (ms): at most cap_s, never past the test's overall deadline."""
    return max(1.0, min(cap_s, DEADLINE["t"] - time.monotonic())) * 1000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no server log)"


def stop(server: subprocess.Popen) -> None:
    """SIGTERM lets Jupyter shut its kernels down; SIGKILL the whole group if it lingers."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)  # the session started for the server: kernels included
    except (ProcessLookupError, PermissionError):
        pass
    server.wait(timeout=10)


@contextlib.contextmanager
def offline_page(outside: list, console: list):
    """A fresh headless Chromium page, with a time budget of its own, whose requests outside
    127.0.0.1 are blocked and recorded in ``outside``; errors and warnings of the page go to ``console``."""
    DEADLINE["t"] = time.monotonic() + TEST_BUDGET_S
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gan-browser-profile-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000}, timeout=ms_left(60))

        def keep_local(route):
            host = route.request.url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
            if route.request.url.startswith(("http://", "https://", "ws://", "wss://")) and host not in LOCAL_HOSTS:
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()
        context.route("**/*", keep_local)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}")
                if message.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        try:
            yield page
        finally:
            context.close()
