"""pytest runs the course in fast mode unless told otherwise (GAN_COURSE_FAST=0 for a full run), and
writes what the lessons save (checkpoints, GIFs, grids) into a folder of its own, never into the
learner's outputs/. Both are set here, before nbval starts any kernel, so every kernel inherits them.
"""
import getpass
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "tests"))
pytest_plugins = ["record_executions"]  # GAN_COURSE_RECORD: keep nbval's executed lessons for the book

os.environ.setdefault("GAN_COURSE_FAST", "1")
if not os.environ.get("GAN_COURSE_RECORD"):
    # nothing shows the kernels' figures: skip drawing them (recorded runs keep them, for the book)
    os.environ.setdefault("MPLBACKEND", "Agg")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs two workers on a 2-core machine: one thread each (and in the kernels they
    # start), or PyTorch's threads of both fight over the cores and everything runs slower
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _test_outputs_root() -> Path:
    """A fresh folder for one test session's lesson outputs (emptied at the start of each session, so
    the last run's pictures stay there to look at)."""
    root = Path(tempfile.gettempdir()) / f"gan-course-test-outputs-{getpass.getuser()}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


if "GAN_COURSE_OUTPUTS" not in os.environ:  # set it yourself to keep a test run's outputs elsewhere
    os.environ["GAN_COURSE_OUTPUTS"] = str(_test_outputs_root())
if os.environ.get("PYTEST_XDIST_WORKER"):
    # `pytest -n 2`: a subfolder per worker, so an English lesson and its Chinese twin running at the
    # same time never write the same checkpoint
    _worker_folder = Path(os.environ["GAN_COURSE_OUTPUTS"]) / os.environ["PYTEST_XDIST_WORKER"]
    shutil.rmtree(_worker_folder, ignore_errors=True)
    _worker_folder.mkdir(parents=True)
    os.environ["GAN_COURSE_OUTPUTS"] = str(_worker_folder)


# `make test` hands whole files to its two workers (--dist loadscope --no-loadscope-reorder), in
# the order below: the longest first, so that no worker is left running a long file alone at the
# end. Seconds each took on a 2-core CPU (tests/ and notebooks/ files not named take a few seconds);
# a stale figure only makes the run a little less even, never wrong.
LONGEST_FILES = {
    "tests/test_course_grading.py": 270, "notebooks/zh/07_when_gans_fail.ipynb": 150,
    "notebooks/07_when_gans_fail.ipynb": 150, "tests/test_train_distributed.py": 125,
    "tests/test_course_install.py": 120, "tests/test_toy.py": 120, "tests/test_debugging.py": 115,
    "tests/test_classroom.py": 115, "notebooks/08_debugging_a_gan.ipynb": 85,
    "notebooks/zh/08_debugging_a_gan.ipynb": 85, "notebooks/09_measuring_a_gan.ipynb": 60,
    "notebooks/zh/09_measuring_a_gan.ipynb": 60, "notebooks/04_dcgan.ipynb": 55,
    "notebooks/zh/04_dcgan.ipynb": 55, "notebooks/05_conditional_gan.ipynb": 50,
    "notebooks/zh/05_conditional_gan.ipynb": 50, "tests/test_student_copies.py": 40,
}


def pytest_collection_modifyitems(config, items):
    """The longest files first (see LONGEST_FILES); the rest keep their order."""
    items.sort(key=lambda item: -LONGEST_FILES.get(item.nodeid.split("::")[0], 0))


def pytest_report_header(config):
    workers = " (with -n, a subfolder per worker: gw0, gw1, ...)" if config.getoption("numprocesses", None) else ""
    return f"lesson outputs of this run: {os.environ['GAN_COURSE_OUTPUTS']}{workers} (not outputs/)"


def browser_skip_line(reasons: list[str]) -> str | None:
    """The run's closing line when tests/browser_support.py skipped the browser tests for want of
    Chromium or Playwright (``reasons``: the run's skip reasons), else None."""
    for reason in reasons:
        if reason.startswith("browser test needs Chromium at "):
            path = reason.removeprefix("browser test needs Chromium at ").split(" (")[0]
            return (f"make test: the browser checks were skipped: Chromium is missing at {path}. Install it "
                    f"with: sudo apt-get install -y chromium chromium-driver, then run make test again.")
        if reason.startswith("browser test needs the playwright package"):
            return ("make test: the browser checks were skipped: the playwright package is missing. Install it "
                    "with: .venv/bin/python -m pip install -r requirements.txt, then run make test again.")
    return None


def pytest_unconfigure(config):
    """After pytest's own summary: say so when the browser tests were skipped rather than passed
    (not when ``-m "not browser"`` left them out on purpose)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or "not browser" in (config.getoption("markexpr", "") or ""):
        return
    reasons = [str(report.longrepr[2]).removeprefix("Skipped: ") for report in reporter.stats.get("skipped", [])
               if isinstance(report.longrepr, tuple)]
    line = browser_skip_line(reasons)
    if line:
        reporter.write_line(line, yellow=True, bold=True)
