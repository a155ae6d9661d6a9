"""The first cell of every lesson: seed, pick the device, say which mode and data are in use."""
import importlib
import os
import platform
import sys

import torch

from .data.files import display_path, verify_file
from .language import language, say, set_language
from .data.mnist import BUNDLED_IMAGES, BUNDLED_LABELS, full_mnist_dir, full_mnist_on_disk
from .metrics.classifier import check_weights, classifier_path
from .pretrained import PRETRAINED, pretrained_path, rebuild_command
from .settings import FAST_ENV_VAR, DataFileError, data_dir, get_device, mode_name, seed_everything
from .viz.colors import use_white_background


def mnist_source_summary() -> str:
    """Which MNIST ``load_mnist()`` will use here, in one line, without loading it."""
    if full_mnist_on_disk():
        where = display_path(full_mnist_dir())
        return say(f"full MNIST (60000 training digits) from {where}/",
                   f"完整 MNIST（60000 个训练数字），来自 {where}/")
    bundled, full = display_path(data_dir()), display_path(full_mnist_dir())
    return say(f"bundled MNIST subset (5000 digits) from {bundled}/; the full set is used once it is in {full}/",
               f"随课程附带的 MNIST 子集（5000 个数字），来自 {bundled}/；完整数据集放进 {full}/ 后自动改用")


def start_lesson(seed: int = 0, lang: str | None = None) -> torch.device:
    """Seed everything, print mode, device and data source, and return the device to use.
    ``lang="zh"`` makes the course's helpers print in Simplified Chinese from here on. Figures get
    an opaque white background, so they stay readable in JupyterLab's dark theme."""
    if lang is not None:
        set_language(lang)
    if language() == "zh":
        from .viz.fonts import use_chinese_font  # matplotlib's default font has no Chinese glyphs
        use_chinese_font()
    use_white_background()  # readable in JupyterLab's dark theme too
    seed_everything(seed)
    device = get_device()
    if mode_name() == "fast":
        setting = f"{FAST_ENV_VAR}={os.environ[FAST_ENV_VAR]}"
        mode = say(f"fast ({setting}): short runs for testing", f"快速（{setting}）：用于测试的短时运行")
    else:
        mode = say(f"full (set {FAST_ENV_VAR}=1 for a quick test run)",
                   f"完整（设 {FAST_ENV_VAR}=1 可快速试跑）")
    cpu_note = say(" (no GPU needed for this course)", "（本课程不需要 GPU）") if device.type == "cpu" else ""
    data = mnist_source_summary()
    print(say(f"Mode:   {mode}", f"模式：{mode}"))
    print(say(f"Device: {device}{cpu_note}", f"设备：{device}{cpu_note}"))
    print(say(f"Data:   {data}", f"数据：{data}"))
    print(say(f"Seed:   {seed}", f"种子：{seed}"))
    return device


REQUIRED_MODULES = ("torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "tqdm")


def environment_checks() -> list[tuple[bool, str, str]]:
    """(passed, what, detail) for Python, each required package, the device and the shipped files."""
    results = [(sys.version_info >= (3, 10), "Python",
                platform.python_version() + say(" (needs 3.10+)", "（需要 3.10 或更高版本）"))]
    for name in REQUIRED_MODULES:
        try:
            version = importlib.import_module(name).__version__
            results.append((True, name, version))
        except ImportError:
            results.append((False, name, say("not installed: run `make setup` or `pip install -r requirements.txt`",
                                             "未安装：运行 `make setup` 或 `pip install -r requirements.txt`")))
    results.append((True, "device", str(get_device())))
    if language() == "zh":
        from .viz.fonts import chinese_font_family
        found = chinese_font_family() is not None
        results.append((found, "font", say(
            "a Chinese font for plots", "图表用的中文字体（Noto Sans CJK SC）已就位") if found
            else say("no Chinese font: Chinese in plots shows as boxes; run `python -m pip install mplfonts` "
                     "and restart the kernel", "没有中文字体：图中的中文会显示成方框；运行 "
                     "`python -m pip install mplfonts` 后重启内核")))
    return results + shipped_file_checks()


def shipped_file_checks() -> list[tuple[bool, str, str]]:
    """One (passed, what, detail) per file the course ships (the bundled digits, the classifier
    and the pretrained generators), each checked against its recorded sha256."""
    try:
        folder = data_dir()
    except DataFileError as err:
        return [(False, "data", str(err))]
    results = [_file_check("data", name, lambda: verify_file(folder / name, digest))
               for name, digest in (BUNDLED_IMAGES, BUNDLED_LABELS)]
    classifier = classifier_path()
    results.append(_file_check("weights", classifier.name, lambda: check_weights(classifier)))
    results += [_file_check("weights", f"{name}.pt",
                            lambda: check_weights(pretrained_path(name), rebuild_command(name)))
                for name in PRETRAINED]
    return results


def _file_check(what: str, name: str, check) -> tuple[bool, str, str]:
    """Run one file check now: PASS "present, checksum verified", or FAIL with its message."""
    try:
        check()
        return True, what, say(f"{name} present, checksum verified", f"{name} 已就位，校验和无误")
    except DataFileError as err:
        return False, what, str(err)


def print_environment_report() -> bool:
    """Print one PASS/FAIL line per check; return True when everything passed."""
    results = environment_checks()
    for passed, what, detail in results:
        print(f"{'PASS' if passed else 'FAIL'}  {what:<12} {detail}")
    ok = all(passed for passed, _, _ in results)
    print(say("All checks passed: you are ready.", "全部检查通过：可以开始了。") if ok
          else say("Some checks failed: see the FAIL lines.", "有检查未通过：请看标为 FAIL 的行。"))
    return ok
