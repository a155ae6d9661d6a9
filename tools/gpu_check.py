"""Check the course on a machine with a GPU in one command, in under 8 minutes: the lessons in fast
mode (headless, English then Chinese), benchmarks/dcgan64_loop.py with --compare-cuda-options,
benchmarks/training_core.py, and scripts/train_dcgan.py under a one-process torchrun on drawn faces.
Each part has a time limit (the lessons, run last, get what is left of --budget); one that runs
past it is reported as timed out and the next one runs.

It writes one report (outputs/gpu_check/report.md, also printed): the device, torch and CUDA
versions, each lesson's time and status (with the failing cell), images per second, and what bf16
autocast and channels_last change. The lessons write their files into a temporary folder, never
into outputs/. Without a GPU the report's first line says so and the CPU parts run (dcgan64_loop
with few steps and no CUDA options; the whole course in fast mode takes a while on a CPU:
--quick runs four lessons and shorter benchmarks, about 3 minutes on 2 cores).

Exit status: 0 every part ran (or was skipped), 1 a part failed or timed out, 2 a bad option.

Usage:  python tools/gpu_check.py [--quick] [--only lessons,dcgan64,...] [--budget SECONDS] [--out DIR]
        (or: bash tools/gpu_check.sh --quick)
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gan_utils.course.notebooks import find_lessons, read_notebook, write_atomically  # noqa: E402
from run_course import kernel_env, run_notebook, select_lessons  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NO_GPU = "no GPU: torch.cuda.is_available() is False; running the CPU parts"
GPU_BUDGET = 450          # seconds for all parts on a GPU: under 8 minutes with start-up and the report
PARTS = ("dcgan64", "training-core", "torchrun", "lessons", "lessons-zh")   # the order they run in
# seconds each part may take; on a GPU the lessons (run last) take what is left of the budget
LIMITS = {"dcgan64": 150, "training-core": 120, "torchrun": 90, "lessons": float("inf"), "lessons-zh": float("inf")}
CPU_LIMITS = {"dcgan64": 600, "training-core": 900, "torchrun": 300, "lessons": 2400, "lessons-zh": 2400}
QUICK_LESSONS = ["00", "01", "02", "03"]
TITLES = {"dcgan64": "benchmarks/dcgan64_loop.py: images per second",
          "training-core": "benchmarks/training_core.py: the lessons' training core",
          "torchrun": "torchrun --standalone --nproc_per_node=1 scripts/train_dcgan.py",
          "lessons": "The lessons in notebooks/, fast mode", "lessons-zh": "The lessons in notebooks/zh/, fast mode"}


@dataclass
class Part:
    """What one part of the check did, for the report."""
    name: str
    status: str = "ok"                                # ok, failed ..., timed out ..., skipped: ...
    seconds: float = 0.0
    command: str = ""
    output: list[str] = field(default_factory=list)   # the lines worth quoting
    notes: list[str] = field(default_factory=list)    # sentences under the quote
    lessons: list[dict] = field(default_factory=list)  # lesson, status, seconds


def device_lines(gpu: bool) -> list[str]:
    """The device, torch, CUDA and cuDNN versions, as the report's first lines."""
    if not gpu:
        return [NO_GPU, "", f"- device: CPU ({os.cpu_count()} cores), torch {torch.__version__} "
                            f"(built with CUDA {torch.version.cuda or 'none'})"]
    props = torch.cuda.get_device_properties(0)
    lines = [f"# GPU check: {props.name}", "",
             f"- device: {props.name}, {props.total_memory / 2**30:.0f} GiB, compute capability "
             f"{props.major}.{props.minor} ({torch.cuda.device_count()} GPU(s) visible; the check uses cuda:0)",
             f"- torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}",
             f"- CPU cores: {os.cpu_count()}"]
    driver = run_command(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], 20)
    if driver[0] == "ok" and driver[2]:
        lines.append(f"- NVIDIA driver {driver[2][0]}")
    return lines


def run_command(command: list[str], timeout: float, env: dict | None = None) -> tuple[str, float, list[str]]:
    """Run ``command`` in the repository in a process group of its own; returns (status, seconds,
    output lines). Past ``timeout`` the whole group is killed and the status says so."""
    start = time.perf_counter()
    try:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace", start_new_session=True)
    except OSError as err:
        return f"failed: {err}", 0.0, []
    try:
        output, _ = process.communicate(timeout=max(1.0, timeout))
        status = "ok" if process.returncode == 0 else f"failed: exit status {process.returncode}"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)   # torchrun's workers and DataLoader workers with it
        output, _ = process.communicate()
        status = f"timed out after {timeout:.0f} s"
    return status, time.perf_counter() - start, output.splitlines()


def command_part(part: Part, command: list[str], timeout: float, pattern: str) -> Part:
    """Fill ``part`` from running ``command``: its status, time, and the output lines matching
    ``pattern`` (the last 15 lines when it failed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore", "PYTHONUNBUFFERED": "1"}
    part.command = " ".join(str(word) for word in command).replace(sys.executable, "python")
    part.status, part.seconds, lines = run_command([str(word) for word in command], timeout, env)
    part.output = [line for line in lines if re.search(pattern, line)]
    if part.status != "ok":
        part.output = lines[-15:]
    return part


def dcgan64_part(gpu: bool, quick: bool, timeout: float) -> Part:
    """benchmarks/dcgan64_loop.py: images/s of the tutorial's loop and of train_dcgan.py, and on a
    GPU the same without bf16 autocast and without channels_last."""
    part = Part("dcgan64")
    if gpu:
        options = ["--device", "cuda", "--compare-cuda-options", "--steps", "10" if quick else "40", "--warmup", "5"]
    else:
        options = ["--device", "cpu", "--batch-size", "32", "--steps", "3" if quick else "8", "--warmup", "1"]
    command_part(part, [sys.executable, "benchmarks/dcgan64_loop.py", *options], timeout, r"device:|images/s")
    part.notes = cuda_effect(part.output) if gpu else ["CUDA options (--compare-cuda-options): skipped: no GPU."]
    return part


def cuda_effect(lines: list[str]) -> list[str]:
    """What bf16 autocast and channels_last change, in sentences, from dcgan64_loop's lines."""
    speeds = {}
    for line in lines:
        match = re.search(r"amp (\w+)\s+channels_last (\w+)\s+([\d.]+) images/s", line)
        if match:
            speeds[match[1], match[2]] = float(match[3])
        elif line.startswith("scripts/train_dcgan.py"):
            speeds["on", "on"] = float(re.search(r"([\d.]+) images/s", line)[1])   # its CUDA default
    base = speeds.get(("off", "off"))
    if not base or len(speeds) < 4:
        return ["CUDA options' effect: not measured (the comparison lines are missing above)."]
    return [f"CUDA options' effect, against neither ({base:.0f} images/s): both (train_dcgan.py's default) "
            f"{speeds['on', 'on'] / base:.2f}x, bf16 autocast alone {speeds['on', 'off'] / base:.2f}x, "
            f"channels_last alone {speeds['off', 'on'] / base:.2f}x."]


def training_core_part(quick: bool, timeout: float) -> Part:
    """benchmarks/training_core.py: seconds per epoch of each lesson's GAN on this device."""
    part = Part("training-core")
    return command_part(part, [sys.executable, "benchmarks/training_core.py", "--repeats", "1" if quick else "3"],
                        timeout, r"device:|s per")


def torchrun_part(gpu: bool, scratch: Path, timeout: float) -> Part:
    """scripts/train_dcgan.py under a one-process torchrun: 2 epochs of 4 steps on 128 drawn faces."""
    from gan_utils.data.faces import draw_faces
    part = Part("torchrun")
    faces = draw_faces(scratch / "faces", 128, seed=0)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=1",
               "scripts/train_dcgan.py", "--data", faces, "--out", scratch / "train_dcgan", "--epochs", "2",
               "--batch-size", "32", "--log-every", "4", "--no-progress", "--workers", "2" if gpu else "0"]
    command_part(part, command, timeout, r"process\(es\)|checkpoint|Error|error")
    part.command = part.command.replace(str(scratch), "$TMP")
    part.output = [line.replace(str(scratch), "$TMP") for line in part.output]
    return part


def lessons_part(name: str, folder: Path, outputs: Path, wanted: list[str] | None, timeout: float) -> Part:
    """Every lesson in ``folder`` (or those ``wanted``) in fast mode, each in a fresh kernel; a lesson
    starts only while the part has time left, and no cell runs past the time the lesson started with."""
    part = Part(name)
    lessons = find_lessons(folder)
    env = {**kernel_env(True, outputs), "PYTHONWARNINGS": "ignore"}
    start = time.perf_counter()
    for path in (select_lessons(lessons, wanted) if wanted else lessons):
        left = timeout - (time.perf_counter() - start)
        if left < 15:   # not even time to start a kernel and import torch
            part.lessons.append({"lesson": path.stem, "status": f"not run: the part's {timeout:.0f} s were spent",
                                 "seconds": 0.0})
            continue
        print(f"  {path.relative_to(ROOT)} ...", flush=True)
        seconds, error = run_notebook(read_notebook(path), path.parent, env, timeout=int(left))
        status = "ok" if error is None else f"failed: {error}"
        if error and ": ran past the --timeout" in error:
            status = f"timed out: {error.split(': ran past')[0]} ran past the {int(left)} s left"
        part.lessons.append({"lesson": path.stem, "status": status, "seconds": seconds})
    part.seconds = time.perf_counter() - start
    bad = [row["lesson"] for row in part.lessons if row["status"] != "ok"]
    part.status = "ok" if not bad else f"failed or not run: {', '.join(bad)}"
    part.notes = ["GAN_COURSE_FAST=1; the lessons' files went to a temporary folder (GAN_COURSE_OUTPUTS), "
                  "removed after the check."]
    return part


def report_text(header: list[str], parts: list[Part], seconds: float) -> str:
    """The whole report as Markdown: the device lines, then one section per part."""
    lines = [*header, f"- checked {time.strftime('%Y-%m-%d %H:%M')}, {seconds:.0f} s in all", ""]
    for part in parts:
        lines += [f"## {TITLES[part.name]}", "", f"**{part.status}** in {part.seconds:.0f} s", ""]
        if part.command:
            lines += [f"`{part.command}`", ""]
        if part.lessons:
            lines += ["| lesson | status | time |", "|---|---|---|"]
            lines += [f"| {row['lesson']} | {row['status'].replace('|', '/')} | {row['seconds']:.0f} s |"
                      for row in part.lessons]
            lines.append("")
        if part.output:
            lines += ["```", *part.output, "```", ""]
        lines += [*part.notes, ""] if part.notes else []
    return "\n".join(lines).rstrip() + "\n"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("Usage:")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help=f"lessons {', '.join(QUICK_LESSONS)} only (English) and shorter benchmarks")
    parser.add_argument("--only", nargs="+", metavar="PART", help=f"parts to run: {', '.join(PARTS)}")
    parser.add_argument("--lessons", nargs="+", metavar="LESSON", help="lessons to run, by number: --lessons 3 7")
    parser.add_argument("--budget", type=float, metavar="SECONDS",
                        help=f"seconds for all parts together (default: {GPU_BUDGET} on a GPU, none on a CPU)")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "gpu_check",
                        help="folder for report.md (default: outputs/gpu_check)")
    args = parser.parse_args(argv)
    chosen = [word for value in args.only or () for word in value.split(",") if word]
    if any(word not in PARTS for word in chosen):
        parser.error(f"--only takes {', '.join(PARTS)}; got {' '.join(chosen)}")
    args.parts = [name for name in PARTS if name in chosen] if chosen else (
        [name for name in PARTS if name != "lessons-zh"] if args.quick else list(PARTS))
    args.wanted = args.lessons or (QUICK_LESSONS if args.quick else None)
    if args.wanted:
        try:
            select_lessons(find_lessons(ROOT / "notebooks"), args.wanted)
        except ValueError as err:
            parser.error(str(err).replace("--only", "--lessons"))
    return args


def run_part(name: str, args, gpu: bool, scratch: Path, timeout: float) -> Part:
    """Run the part called ``name`` within ``timeout`` seconds."""
    if name == "dcgan64":
        return dcgan64_part(gpu, args.quick, timeout)
    if name == "training-core":
        return training_core_part(args.quick, timeout)
    if name == "torchrun":
        return torchrun_part(gpu, scratch, timeout)
    folder = ROOT / "notebooks" / ("zh" if name == "lessons-zh" else "")
    return lessons_part(name, folder, scratch / f"{name}-outputs", args.wanted, timeout)


def main(argv=None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    gpu = torch.cuda.is_available()
    header = device_lines(gpu)
    print(header[0], flush=True)
    budget = args.budget or (GPU_BUDGET if gpu else float("inf"))
    parts = []
    with tempfile.TemporaryDirectory(prefix="gan-gpu-check-") as scratch:
        try:
            for name in args.parts:
                limit = min((LIMITS if gpu else CPU_LIMITS)[name], budget - (time.perf_counter() - start))
                if limit < 10:
                    parts.append(Part(name, status=f"skipped: the --budget of {budget:.0f} s was spent"))
                    continue
                print(f"{name}: running (at most {limit:.0f} s) ...", flush=True)
                parts.append(run_part(name, args, gpu, Path(scratch), limit))
                print(f"{name}: {parts[-1].status} in {parts[-1].seconds:.0f} s", flush=True)
        except KeyboardInterrupt:
            parts += [Part(name, status="failed: interrupted (Ctrl-C)") for name in args.parts[len(parts):][:1]]
    report = report_text(header, parts, time.perf_counter() - start)
    args.out.mkdir(parents=True, exist_ok=True)
    write_atomically(args.out / "report.md", report)
    print("\n" + report + f"\n(written to {args.out / 'report.md'})")
    return 0 if all(part.status == "ok" or part.status.startswith("skipped") for part in parts) else 1


if __name__ == "__main__":
    sys.exit(main())
