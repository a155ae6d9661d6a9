"""Benchmark: one lesson run by several learners at once on one machine (a class on one server).

Each learner gets a folder of their own (``gan-course copy``) and a kernel of their own; all start
together, in fast mode unless --full. Prints the wall time until the last one finishes, for each
thread setting asked for: torch's default (a thread per core in every kernel) oversubscribes the
cores as soon as two kernels train at once, and one thread per kernel does not.

    .venv/bin/python benchmarks/parallel_lessons.py                       # lesson 03, 2 learners, default vs 1 thread
    .venv/bin/python benchmarks/parallel_lessons.py --lesson 04 --learners 4 --threads default 1 2
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gan_utils.course.lessons import copy_course

RUN = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=3600, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


def run_together(lesson: str, learners: int, threads: str, full: bool, work: Path) -> float:
    """Seconds until ``learners`` runs of ``lesson``, started together, have all finished."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("GAN_COURSE_")}
    environment["GAN_COURSE_FAST"] = "0" if full else "1"
    if threads != "default":
        environment["OMP_NUM_THREADS"] = threads
    runs = []
    start = time.perf_counter()
    for learner in range(learners):
        folder = work / f"threads-{threads}" / f"learner{learner}"
        copy_course(folder)
        notebook = next(folder.glob(f"{lesson}_*.ipynb"))
        runs.append(subprocess.Popen([sys.executable, "-c", RUN, str(notebook), str(folder)], env=environment,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for run in runs:
        output, _ = run.communicate()
        if run.returncode != 0:
            sys.exit(f"a run of lesson {lesson} failed:\n{output[-3000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lesson", default="03", help="the lesson's number (default 03)")
    parser.add_argument("--learners", type=int, default=2, help="how many run it at once (default 2)")
    parser.add_argument("--threads", nargs="+", default=["default", "1"],
                        help="torch threads per kernel to compare: 'default' or a number (OMP_NUM_THREADS)")
    parser.add_argument("--full", action="store_true", help="full mode instead of fast mode")
    args = parser.parse_args()
    print(f"lesson {args.lesson}, {args.learners} learners at once, {'full' if args.full else 'fast'} mode, "
          f"{os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory() as work:
        alone = run_together(args.lesson, 1, "default", args.full, Path(work) / "alone")
        print(f"  one learner alone, default threads: {alone:6.1f} s")
        for threads in args.threads:
            seconds = run_together(args.lesson, args.learners, threads, args.full, Path(work))
            print(f"  {args.learners} learners, threads {threads:>7}: {seconds:6.1f} s  ({seconds / alone:.1f}x one alone)")


if __name__ == "__main__":
    main()
