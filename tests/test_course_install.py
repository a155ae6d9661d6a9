"""The course outside its clone: the wheel carries the data and the lessons, a read-only install
works from any folder, each folder's lessons write beside themselves, and the lessons' install
cell installs the package where it is missing and does nothing where it is present.

The lessons run in a Python that sees the course's dependencies (this environment's site-packages,
added by a .pth line, whose own .pth files, among them the clone's editable install, are not read)
but nothing of the checkout: gan_utils comes only from the wheel."""
import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from course_source import install_cell_source  # noqa: E402

from gan_utils.course.notebooks import notebook_text, read_notebook  # noqa: E402

RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
path, out = sys.argv[1], sys.argv[2]
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="course-install",
               resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
nbformat.write(notebook, out)
"""
WHEEL_LIMIT_MB = 10
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="builds POSIX virtual environments (bin/python)")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The course's wheel, built from this checkout (offline: no build isolation)."""
    folder, source = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("source") / "course"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(   # built from a copy: the clone gets no build/
        ".git", ".venv", "outputs", "build", "dist", "wheels", "student", "student.old-*", "MNIST", "*.egg-info",
        "__pycache__", ".ipynb_checkpoints"))
    downloaded = source / "data" / "MNIST" / "raw"   # a learner's full MNIST in the clone stays out of the wheel
    downloaded.mkdir(parents=True)
    (downloaded / "train-images-idx3-ubyte.gz").write_bytes(b"not shipped")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(folder), str(source)], check=True, capture_output=True, text=True)
    (built,) = folder.glob("gan_utils-*.whl")
    return built


def python_without_the_clone(folder: Path, *extra_paths: Path) -> Path:
    """A virtual environment whose Python imports this environment's packages (torch, jupyter,
    nbclient...) and ``extra_paths``, but no gan_utils: the clone's editable install is a .pth file
    there, which a path added this way does not run. Returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         check=True, capture_output=True, text=True).stdout.strip()
    shared = sysconfig.get_paths()["purelib"]
    Path(own, "course_dependencies.pth").write_text("\n".join(map(str, [*extra_paths, shared])) + "\n")
    return python


def kernel_environment(tmp: Path, python: Path) -> dict:
    """The environment for running lessons with ``python``'s kernel (the kernel spec "course-install"),
    in fast mode, offline, and with no course variable pointing anywhere."""
    spec = tmp / "jupyter" / "kernels" / "course-install"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "course install test", "language": "python"}))
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("GAN_COURSE_") and name != "PYTHONPATH"}
    return dict(environment, GAN_COURSE_FAST="1", JUPYTER_PATH=str(tmp / "jupyter"), PIP_NO_INDEX="1",
                PIP_DISABLE_PIP_VERSION_CHECK="1", MPLBACKEND="Agg")


def start_lesson_run(notebook: Path, environment: dict, cwd: Path) -> subprocess.Popen:
    """Run ``notebook`` top to bottom in its own folder, in a process of its own; the executed copy
    goes beside it as <name>.executed.ipynb."""
    executed = notebook.with_suffix(".executed.ipynb")
    return subprocess.Popen([sys.executable, "-c", RUN_NOTEBOOK, str(notebook), str(executed)],
                            env=environment, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(run: subprocess.Popen, what: str) -> None:
    output, _ = run.communicate(timeout=900)
    assert run.returncode == 0, f"{what} failed:\n{output[-4000:]}"


def printed(executed: Path) -> str:
    """Everything the executed notebook's cells printed."""
    return "".join(output.get("text", "") for cell in read_notebook(executed).cells
                   for output in cell.get("outputs", []))


def snapshot(folder: Path) -> dict:
    """Every file under ``folder`` with its size and modification time."""
    return {path.relative_to(folder).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*"))}


def make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def test_the_wheel_carries_the_data_and_the_lessons_and_stays_small(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ["gan_utils/course_data/mnist5k-images-idx3-ubyte.gz", "gan_utils/course_data/README.md",
                   "gan_utils/course_data/pretrained/dcgan.pt", "gan_utils/course_data/pretrained/dcgan.json",
                   "gan_utils/course_data/pretrained/digit_classifier.pt",
                   "gan_utils/course_data/pretrained/dcgan64_faces_progress.gif",
                   "gan_utils/lessons/03_mlp_gan.ipynb", "gan_utils/lessons/zh/03_mlp_gan.ipynb",
                   "gan_utils/lessons/GLOSSARY.md", "gan_utils/lessons/SYMPTOMS.md", "gan_utils/lessons/zh/SYMPTOMS.md",
                   "gan_utils/course/command.py"]:
        assert needed in names, f"the wheel lacks {needed}"
    assert not [name for name in names if "/MNIST/" in name or "outputs/" in name or ".ipynb_checkpoints" in name]
    size_mb = wheel.stat().st_size / 1e6
    print(f"wheel {wheel.name}: {size_mb:.1f} MB, {len(names)} files")
    assert size_mb < WHEEL_LIMIT_MB


def test_a_read_only_install_runs_copied_lessons_from_any_folder(wheel, tmp_path):
    """Lessons 00, 03, 06 (English) and 00 (Chinese), copied by ``gan-course copy`` and run in fast
    mode from their folders, with gan_utils only from a read-only --target install. Lesson 03 runs in
    two folders at once, from two processes: each keeps its own checkpoint."""
    install = tmp_path / "install"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(install),
                    str(wheel)], check=True, capture_output=True)
    make_read_only(install)
    before = snapshot(install)
    python = python_without_the_clone(tmp_path / "venv", install)
    own_packages = snapshot(tmp_path / "venv")
    where = json.loads(subprocess.run(
        [python, "-c", "import gan_utils, json, sys; print(json.dumps([gan_utils.__file__, sys.path]))"],
        cwd=tmp_path, check=True, capture_output=True, text=True).stdout)
    assert where[0].startswith(str(install / "gan_utils")), where
    assert not [entry for entry in where[1] if entry and (Path(entry) / "gan_utils").is_dir()
                and Path(entry) != install], f"a checkout of gan_utils is on sys.path: {where[1]}"

    class_a, class_b = tmp_path / "learner_a", tmp_path / "learner_b"
    for folder, lang in ((class_a, "all"), (class_b, "en")):
        copied = subprocess.run([python, install / "bin" / "gan-course", "copy", folder, "--lang", lang],
                                cwd=tmp_path, capture_output=True, text=True)
        assert copied.returncode == 0 and "Wrote" in copied.stdout, copied.stdout + copied.stderr
    assert (class_a / "GLOSSARY.md").is_file() and (class_a / "zh" / "00_welcome.ipynb").is_file()

    environment = kernel_environment(tmp_path, python)
    elsewhere = tmp_path / "elsewhere"   # the runners' own working folder: neither the clone nor a lesson's
    elsewhere.mkdir()
    # two learners at once on these cores: one thread each (with torch's default, a thread per core in
    # each kernel, two runs at once are many times slower; the teacher guide gives the figures)
    one_core_each = dict(environment, OMP_NUM_THREADS="1")
    both = [start_lesson_run(folder / "03_mlp_gan.ipynb", one_core_each, elsewhere) for folder in (class_a, class_b)]
    for run, folder in zip(both, (class_a, class_b)):
        finish(run, f"lesson 03 in {folder.name}")
    for lesson in ("00_welcome.ipynb", "06_latent_space.ipynb", "zh/00_welcome.ipynb"):
        finish(start_lesson_run(class_a / lesson, environment, elsewhere), lesson)

    checkpoints = [folder / "outputs" / "03_mlp_gan" / "checkpoint.pt" for folder in (class_a, class_b)]
    assert all(path.is_file() for path in checkpoints), list(class_a.rglob("*.pt"))
    assert checkpoints[0].stat().st_ino != checkpoints[1].stat().st_ino
    assert (class_a / "outputs" / "06_latent_space").is_dir()
    assert not (elsewhere / "outputs").exists() and not (tmp_path / "outputs").exists()
    assert snapshot(install) == before, "something was written inside the installed package"
    assert snapshot(tmp_path / "venv") == own_packages, "the install cell installed something"
    for lesson in ("00_welcome", "03_mlp_gan", "06_latent_space"):
        assert "The course package is installed here: nothing to install." in printed(
            class_a / f"{lesson}.executed.ipynb")
    assert "这里已经装好课程软件包：无需安装。" in printed(class_a / "zh" / "00_welcome.executed.ipynb")


def test_the_install_cell_installs_the_package_where_it_is_missing_and_keeps_torch(wheel, tmp_path):
    """Lesson 00 in a Python without gan_utils, its install cell pointed at the local wheel: the
    package is installed (torch, torchvision and numpy stay where they were) and the lesson goes on."""
    python = python_without_the_clone(tmp_path / "venv")
    own = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip())
    missing = subprocess.run([python, "-c", "import gan_utils"], cwd=tmp_path, capture_output=True)
    assert missing.returncode != 0, "gan_utils should not be importable before the install cell runs"
    lesson = read_notebook(ROOT / "notebooks" / "00_welcome.ipynb")
    cell = next(cell for cell in lesson.cells if "install-course" in cell.metadata.get("tags", []))
    cell.source = install_cell_source("en", package=str(wheel))   # the configured source: the local wheel
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "00_welcome.ipynb").write_text(notebook_text(lesson), encoding="utf-8")
    finish(start_lesson_run(folder / "00_welcome.ipynb", kernel_environment(tmp_path, python), tmp_path), "lesson 00")
    said = printed(folder / "00_welcome.executed.ipynb")
    assert f"Installing the course package from {wheel}" in said, said
    assert "Installed the course package (torch==" in said and "numpy==" in said, said
    assert "All checks passed" in said, said   # the lesson went on, with the installed package's files
    installed = {path.name.split("-")[0] for path in own.iterdir()}
    assert "gan_utils" in installed and not installed & {"torch", "torchvision", "numpy"}, sorted(installed)


def test_the_install_cell_in_a_clone_without_its_package_says_to_set_it_up(tmp_path):
    """Opened in the course's clone from a Python that lacks the package, the cell installs nothing
    from the internet: it says to run make setup there."""
    python = python_without_the_clone(tmp_path / "venv")
    cell = subprocess.run([python, "-c", install_cell_source("en")], cwd=ROOT / "notebooks" / "zh",
                          capture_output=True, text=True, env=dict(os.environ, PIP_NO_INDEX="1"))
    assert cell.returncode != 0 and "run `make setup` there" in cell.stderr and str(ROOT) in cell.stderr, cell.stderr
    assert "Installing" not in cell.stdout
