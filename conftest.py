"""pytest runs the course in fast mode unless told otherwise (GAN_COURSE_FAST=0 for a full run), and
writes what the lessons save (checkpoints, GIFs, grids) into a folder of its own, never into the
learner's outputs/. Both are set here, before nbval starts any kernel, so every kernel inherits them.
"""
import getpass
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("GAN_COURSE_FAST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


def _test_outputs_root() -> Path:
    """A fresh folder for one test session's lesson outputs (emptied at the start of each session, so
    the last run's pictures stay there to look at)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")   # with `pytest -n 2`, one folder per worker
    root = Path(tempfile.gettempdir()) / (f"gan-course-test-outputs-{getpass.getuser()}"
                                          + (f"-{worker}" if worker else ""))
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


if "GAN_COURSE_OUTPUTS" not in os.environ:  # set it yourself to keep a test run's outputs elsewhere
    os.environ["GAN_COURSE_OUTPUTS"] = str(_test_outputs_root())


def pytest_report_header(config):
    return f"lesson outputs of this run: {os.environ['GAN_COURSE_OUTPUTS']} (not outputs/)"
