"""Run every lesson headless, write executed HTML for each (plots and animations included) and a
summary table of run times and the scores each lesson printed. For a teacher preparing a class, or
a learner without a kernel.

The lessons' own files (checkpoints, GIFs, grids) go to <out>/outputs, not to the learner's
outputs/: a course run never replaces what a learner trained. All lessons of a run share that
folder (lesson 06 reuses lesson 04's checkpoint), so --only 06 after a full run finds it there.
Pass --lesson-outputs outputs to write into the learner's folder on purpose.

A lesson that fails or whose cell runs past --timeout is reported in the summary (with the cell)
and the run goes on with the next one. Ctrl-C stops the run and still writes the summary of the
lessons that finished, marked as interrupted. The summary files are replaced in one step, so a
crash never leaves half a summary.

Exit status: 0 every lesson ran; 1 a lesson failed or timed out; 2 a bad option; 130 interrupted.

Usage:  python tools/run_course.py [--fast] [--out outputs/course_run] [--only 03 07]
                                   [--lesson-outputs DIR] [--timeout SECONDS] [--notebooks DIR]
        (or: make course-html, or make course-html COURSE_ARGS="--fast --only 3,7")
"""
import argparse
import asyncio
import json
import os
import copy
import re
import sys
import tempfile
import time
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gan_utils.course.notebooks import NotebookError, find_lessons, read_notebook, write_atomically  # noqa: E402
from offline_pages import MATHJAX_CONFIG, copy_mathjax  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FAST_ENV_VAR, OUTPUTS_ENV_VAR = "GAN_COURSE_FAST", "GAN_COURSE_OUTPUTS"   # as gan_utils.settings reads them
DEFAULT_TIMEOUT = 1800   # seconds one cell may run: the longest full-mode training cell, with room to spare
# lines worth a place in the summary: what the lessons print about their results
SCORE_LINE = re.compile(r"Frechet distance|class entropy \d|modes covered|requested digit: |"
                        r"accuracy on the held-out|Correct!", re.IGNORECASE)
ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def select_lessons(lessons: list[Path], wanted: list[str]) -> list[Path]:
    """The lessons ``wanted`` names, in course order: "3", "03", "3,7", "03_mlp_gan" or a path to
    the file all work. A ValueError lists the lessons there are if one matches none."""
    chosen = set()
    for token in (part.strip() for value in wanted for part in value.split(",")):
        if not token:
            continue
        stem = Path(token).name.removesuffix(".ipynb")
        matches = [path for path in lessons
                   if (stem.isdigit() and int(stem) == int(path.name[:2])) or stem == path.stem]
        if not matches:
            numbers = ", ".join(path.name[:2] for path in lessons)
            raise ValueError(f"--only {token} matches no lesson. The lessons are {numbers}; pass their "
                             f"numbers (e.g. --only 3 7, --only 03,07) or names (e.g. --only {lessons[-1].stem}).")
        chosen.update(matches)
    if not chosen:
        raise ValueError("--only needs at least one lesson number, e.g. --only 3 7.")
    return sorted(chosen)


def writable_folder(path: Path, option: str) -> Path:
    """``path`` as an absolute folder that exists and takes new files, or a ValueError that says
    what is wrong with ``option``. Checked before any lesson runs, not after the first one."""
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option} {path} is a file, not a folder. Pass a folder (it is created if missing).")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise ValueError(f"{option} {path} cannot be written to ({err.strerror or err}). "
                         f"Pass a folder you can write to.") from None
    return path.resolve()


def kernel_env(fast: bool, lesson_outputs: Path) -> dict[str, str]:
    """The environment for the lessons' kernels: this one's, plus the mode and the outputs root.
    Passed to each kernel, so this process's own ``os.environ`` is never changed."""
    return {**os.environ, FAST_ENV_VAR: "1" if fast else "0", OUTPUTS_ENV_VAR: str(lesson_outputs)}


def run_notebook(notebook, folder: Path, env: dict[str, str], timeout: int = DEFAULT_TIMEOUT):
    """Execute one lesson (already read) in a fresh kernel started in ``folder`` with ``env``;
    returns (seconds, error or None). Stops at the first failing cell, keeping what ran before it.
    Ctrl-C (or SIGTERM) stops the whole run: it is raised as KeyboardInterrupt, never recorded as
    this lesson's failure, however nbclient passes it on."""
    current = {"index": None}
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}},
                            on_cell_start=lambda cell, cell_index: current.update(index=cell_index))
    start = time.perf_counter()
    error = None
    try:
        client.execute(env=env)
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise KeyboardInterrupt from None
    except Exception as err:
        if not _signalled(client):
            error = failure_text(err, timeout)
            if current["index"] is not None:
                cell = notebook.cells[current["index"]]
                error = f"cell {current['index'] + 1} of {len(notebook.cells)} {_first_line(cell)}: {error}"
    if _signalled(client):
        raise KeyboardInterrupt
    return time.perf_counter() - start, error


def _signalled(client) -> bool:
    """True if Ctrl-C or SIGTERM came while ``client`` ran: nbclient catches both itself, shuts the
    kernel down and lets the cell fail with an unrelated error, leaving only this mark."""
    return getattr(client, "_async_cleanup_kernel_future", None) is not None


def failure_text(err: Exception, timeout: int) -> str:
    """Why a lesson stopped, in one line for the summary (no colour codes, at most 300 characters)."""
    if isinstance(err, CellExecutionError):
        text = f"{err.ename}: {err.evalue}"
    elif isinstance(err, CellTimeoutError):
        text = f"ran past the --timeout of {timeout} s (a slower machine may need a larger --timeout)"
    elif isinstance(err, DeadKernelError):
        text = "the kernel died (out of memory, or its process was killed)"
    else:   # a kernel that will not start, a lost connection: this lesson's failure, not the run's
        text = f"{type(err).__name__}: {err}"
    return ANSI_CODE.sub("", text).replace("\n", " ")[:300]


def _first_line(cell) -> str:
    """The first line of a cell's source in brackets, to find the cell in Jupyter by eye."""
    line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return f"({line[:60]}{'…' if len(line) > 60 else ''})" if line else ""


def score_lines(notebook, limit: int = 6) -> list[str]:
    """The result lines a lesson printed (scores, coverage, checks), in order, at most ``limit``."""
    lines = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                for line in output.text.splitlines():
                    if SCORE_LINE.search(line) and "✅" not in line:
                        lines.append(line.strip())
    return lines[:limit]


def describe_device() -> str:
    """The device the lessons train on here (what ``get_device()`` picks), for the summary."""
    import torch
    from gan_utils.settings import get_device
    device = get_device()
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} (CUDA)"
    return f"{device.type.upper()} ({os.cpu_count()} cores)" if device.type == "cpu" else device.type.upper()


def summary_table(rows: list[dict], mode: str, device: str, not_run: list[str] = ()) -> str:
    """The summary as Markdown; ``not_run`` names the lessons an interrupted run did not reach."""
    total = sum(row["seconds"] for row in rows)
    heading = f"# Course run ({mode} mode, {device})"
    if not_run:
        heading += " — interrupted"
    lines = [heading, "", f"Finished {time.strftime('%Y-%m-%d %H:%M')}. "
             f"Total: {total / 60:.1f} min for {len(rows)} lesson{'' if len(rows) == 1 else 's'}.", ""]
    if not_run:
        lines += [f"Interrupted (Ctrl-C or a stop signal); not run: {', '.join(not_run)}.", ""]
    lines += ["| lesson | status | run time | share | results it printed |", "|---|---|---|---|---|"]
    for row in rows:
        status = "ok" if row["error"] is None else f"failed: {row['error']}"
        results = "<br>".join(row["scores"]) or "-"
        share = f"{row['seconds'] / total:.0%}" if total else "-"
        lines.append(f"| [{row['lesson']}]({row['html']}) | {status.replace('|', '/')} | "
                     f"{row['seconds']:.0f} s | {share} | {results} |")
    return "\n".join(lines) + "\n"


def write_summary(out: Path, rows: list[dict], mode: str, device: str, not_run: list[str]) -> Path:
    """Write summary.md and summary.json into ``out`` (each replaced whole); print the table."""
    table = summary_table(rows, mode, device, not_run)
    write_atomically(out / "summary.md", table)
    write_atomically(out / "summary.json", json.dumps({"mode": mode, "device": device, "lessons": rows,
                                                       "not_run": not_run}, indent=2))
    print("\n" + table)
    return out / "summary.md"


def parse_args(argv=None) -> argparse.Namespace:
    """The options, checked before anything runs: ``args.lessons`` maps each chosen lesson to its
    notebook, ``args.mode`` is "fast" or "full", and both folders take files (exit 2 with a
    message otherwise)."""
    parser = argparse.ArgumentParser(description=__doc__.split("Usage:")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="fast mode (a quick check, not the lessons' results)")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "course_run",
                        help="folder for the HTML files and the summary (default: outputs/course_run)")
    parser.add_argument("--only", nargs="+", metavar="LESSON",
                        help="lessons to run, by number or name: --only 3 7, --only 03,07, --only 03_mlp_gan")
    parser.add_argument("--lesson-outputs", type=Path, metavar="DIR",
                        help="root for the files the lessons write (default: <out>/outputs, whatever "
                             "GAN_COURSE_OUTPUTS says). "
                             "--lesson-outputs outputs writes into the learner's own outputs/, replacing "
                             "their checkpoints and GIFs")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"longest one cell may run before its lesson is reported as timed out "
                             f"(default: {DEFAULT_TIMEOUT})")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", metavar="DIR",
                        help="folder of the lessons (default: notebooks/; notebooks/zh for the Chinese edition)")
    args = parser.parse_args(argv)
    args.mode = "fast" if args.fast else "full"
    if args.timeout <= 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout}.")
    try:
        lessons = find_lessons(args.notebooks)
        chosen = select_lessons(lessons, args.only) if args.only is not None else lessons
        args.lessons = {path: read_notebook(path) for path in chosen}   # an unreadable one stops us now
        args.out = writable_folder(args.out, "--out")
        args.lesson_outputs = writable_folder(args.lesson_outputs or args.out / "outputs", "--lesson-outputs")
    except (ValueError, NotebookError) as err:
        parser.error(str(err))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        device = describe_device()   # found first, so an interrupted run can still name it
    except KeyboardInterrupt:
        print("Interrupted before any lesson ran; nothing was written.", file=sys.stderr)
        return 130
    env = kernel_env(args.fast, args.lesson_outputs)
    print(f"Lessons write their files under {args.lesson_outputs}", flush=True)
    copy_mathjax(args.out / "mathjax")   # the pages' formulas, typeset offline
    rows, not_run = [], [path.stem for path in args.lessons]
    try:
        for path, notebook in args.lessons.items():
            rows.append(run_lesson(path, notebook, args, env))
            not_run.remove(path.stem)
    except KeyboardInterrupt:
        print(f"\nInterrupted: writing the summary of the {len(rows)} lessons that finished.", file=sys.stderr)
        summary = write_summary(args.out, rows, args.mode, device, not_run)
        print(f"Open {summary} for what finished; not run: {', '.join(not_run)}.")
        return 130
    summary = write_summary(args.out, rows, args.mode, device, [])
    print(f"Open {summary} or any HTML file in a browser.")
    return 1 if any(row["error"] for row in rows) else 0


def run_lesson(path: Path, notebook, args, env: dict[str, str]) -> dict:
    """Run one lesson, write its executed HTML into --out, and return its summary row."""
    print(f"{path.name}: running in {args.mode} mode ...", flush=True)
    seconds, error = run_notebook(notebook, path.parent, env, args.timeout)
    html_name = path.with_suffix(".html").name
    write_atomically(args.out / html_name, offline_html(notebook))
    print(f"  {'ok' if error is None else 'FAILED: ' + error} in {seconds:.0f} s -> {args.out / html_name}", flush=True)
    return {"lesson": path.stem, "html": html_name, "seconds": round(seconds, 1),
            "error": error, "scores": score_lines(notebook)}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def offline_html(notebook) -> str:
    """The executed lesson as a page that requests nothing from the internet: MathJax from the
    mathjax/ folder beside it, no require.js or widget manager from a CDN. Widgets need a kernel, so
    the page shows what each carries for pages without one (its picture, or its text)."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("widgets", None)   # the saved widget state would pull in the widget manager
    priority = [mime for mime in HTMLExporter().default_config.NbConvertBase.display_data_priority
                if mime != WIDGET_VIEW]
    exporter = HTMLExporter(config=Config({"NbConvertBase": {"display_data_priority": priority}}),
                            mathjax_url=f"mathjax/MathJax.js?config={MATHJAX_CONFIG}",
                            require_js_url="data:text/javascript,")   # nothing in a lesson uses require.js
    body, _ = exporter.from_notebook_node(notebook)
    return body


if __name__ == "__main__":
    sys.exit(main())
