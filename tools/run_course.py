"""Run every lesson headless, write executed HTML for each (plots and animations included) and a
summary table of run times and the scores each lesson printed. For a teacher preparing a class, or
a learner without a kernel.

Usage:  python tools/run_course.py [--fast] [--out outputs/course_run] [--only 03 07]
        (or: make course-html)
"""
import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
# lines worth a place in the summary: what the lessons print about their results
SCORE_LINE = re.compile(r"Frechet distance|class entropy \d|modes covered|requested digit: |"
                        r"accuracy on the held-out|Correct!", re.IGNORECASE)


def run_notebook(path: Path, fast: bool, timeout: int = 1800):
    """Execute one lesson in a fresh kernel from the notebooks folder; returns (notebook, seconds,
    error or None). Stops at the first failing cell, keeping what ran before it."""
    notebook = nbformat.read(path, as_version=4)
    os.environ["GAN_COURSE_FAST"] = "1" if fast else "0"
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as err:
        error = str(err).strip().splitlines()[-1][:300]
    return notebook, time.perf_counter() - start, error


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


def summary_table(rows: list[dict], mode: str, device: str) -> str:
    total = sum(row["seconds"] for row in rows)
    lines = [f"# Course run ({mode} mode, {device})", "",
             f"Total: {total / 60:.1f} min for {len(rows)} lessons.", "",
             "| lesson | status | run time | share | results it printed |", "|---|---|---|---|---|"]
    for row in rows:
        status = "ok" if row["error"] is None else f"failed: {row['error']}"
        results = "<br>".join(row["scores"]) or "-"
        lines.append(f"| [{row['lesson']}]({row['html']}) | {status} | {row['seconds']:.0f} s | "
                     f"{row['seconds'] / total:.0%} | {results} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fast mode (a quick check, not the lessons' results)")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "course_run")
    parser.add_argument("--only", nargs="*", help="lesson numbers to run, e.g. --only 03 07")
    args = parser.parse_args(argv)
    mode = "fast" if args.fast else "full"
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.only:
        notebooks = [p for p in notebooks if p.name[:2] in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    rows = []
    for path in notebooks:
        print(f"{path.name}: running in {mode} mode ...", flush=True)
        notebook, seconds, error = run_notebook(path, args.fast)
        html_name = path.with_suffix(".html").name
        body, _ = exporter.from_notebook_node(notebook)
        (args.out / html_name).write_text(body, encoding="utf-8")
        rows.append({"lesson": path.stem, "html": html_name, "seconds": round(seconds, 1),
                     "error": error, "scores": score_lines(notebook)})
        print(f"  {'ok' if error is None else 'FAILED: ' + error} in {seconds:.0f} s -> {args.out / html_name}")
    device = describe_device()
    table = summary_table(rows, mode, device)
    (args.out / "summary.md").write_text(table, encoding="utf-8")
    (args.out / "summary.json").write_text(json.dumps({"mode": mode, "device": device, "lessons": rows}, indent=2))
    print("\n" + table)
    print(f"Open {args.out / 'summary.md'} or any HTML file in a browser.")
    return 1 if any(row["error"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
