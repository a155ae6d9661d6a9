"""Without Chromium, a test run ends with one line saying the browser checks were skipped and how to
install it (conftest.py), so `make test` never looks like a full pass. Checked with a Chromium path
that does not exist (GAN_COURSE_CHROMIUM), whether or not this machine has one."""
import os
import subprocess
import sys
from pathlib import Path

from conftest import browser_skip_line

ROOT = Path(__file__).resolve().parents[1]


def test_the_line_names_the_missing_chromium_and_the_install_command():
    line = browser_skip_line(["some other reason",
                              "browser test needs Chromium at /opt/x/chromium (apt-get install -y chromium)"])
    assert line == ("make test: the browser checks were skipped: Chromium is missing at /opt/x/chromium. Install "
                    "it with: sudo apt-get install -y chromium chromium-driver, then run make test again.")
    assert "playwright package is missing" in browser_skip_line(["browser test needs the playwright package (x)"])
    assert browser_skip_line(["needs a GPU", "slow"]) is None


def pytest_without_chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    """pytest in a fresh process (not an xdist worker) that finds no Chromium."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(GAN_COURSE_CHROMIUM=str(tmp_path / "no-chromium"), GAN_COURSE_OUTPUTS=str(tmp_path))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_browser_run_without_chromium_ends_with_that_line(tmp_path):
    result = pytest_without_chromium(tmp_path, "-m", "browser", "tests/test_browser.py", "tests/test_book.py")
    assert result.returncode in (0, 5), result.stdout + result.stderr   # 5: nothing else was collected
    assert result.stdout.strip().splitlines()[-1] == browser_skip_line(
        [f"browser test needs Chromium at {tmp_path / 'no-chromium'}"])


def test_no_line_when_the_browser_tests_are_left_out_on_purpose(tmp_path):
    result = pytest_without_chromium(tmp_path, "-m", "not browser", "tests/test_browser.py")
    assert "skipped" in result.stdout, result.stdout + result.stderr
    assert "browser checks were skipped" not in result.stdout
