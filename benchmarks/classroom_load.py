"""Benchmark: a class on one server. The class's hub (classroom/jupyterhub_config.py) with N
students who log in together, then run one fast-mode lesson all at once, each in a kernel of their
own with the class's thread setting. Prints the spawn time per student, the lesson's time alone
and under N kernels, and the memory the machine used at its peak.

Run as root, the students are throwaway Unix users (removed at the end), as in a real class; as
anyone else it is the hub's trial, where every student runs as you.

    sudo .venv/bin/python benchmarks/classroom_load.py                        # 30 students, lesson 03
    sudo .venv/bin/python benchmarks/classroom_load.py --students 10 --lesson 04 --threads 1
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from gan_utils.course.lessons import lesson_files

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "classroom"))
from hub_client import HubError, Student, ThrowawayClass, processes_of  # noqa: E402


class PeakMemory(threading.Thread):
    """The most memory in use on the machine while it runs, sampled twice a second. When less than
    ``floor`` bytes are left it stops the students' servers and kernels, before the kernel's
    out-of-memory killer picks something of its own."""

    def __init__(self, students: list[str], floor: int):
        super().__init__(daemon=True)
        self.students, self.floor = set(students), floor
        self.peak, self.running, self.ran_out = psutil.virtual_memory().used, True, False

    def run(self):
        while self.running:
            memory = psutil.virtual_memory()
            self.peak = max(self.peak, memory.used)
            if memory.available < self.floor and not self.ran_out:
                self.ran_out = True
                for pid in processes_of(self.students):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)


def spread(seconds: list[float]) -> str:
    return (f"median {statistics.median(seconds):.1f} s, slowest {max(seconds):.1f} s"
            if len(seconds) > 1 else f"{seconds[0]:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30, help="how many log in and run the lesson (default 30)")
    parser.add_argument("--lesson", default="03", help="the lesson's number (default 03)")
    parser.add_argument("--threads", default="1", help="PyTorch threads per student, the hub's THREADS (default 1)")
    parser.add_argument("--memory-floor", type=float, default=1.5,
                        help="GiB of memory to keep free: below it the students are stopped (default 1.5)")
    args = parser.parse_args()
    lesson = next(path for _, path, _ in lesson_files("en") if path.startswith(args.lesson))
    room = ThrowawayClass("gcl", args.students, THREADS=args.threads, MODE="fast")
    print(f"{args.students} students, lesson {lesson} in fast mode, {args.threads} thread(s) each, "
          f"{os.cpu_count()} CPU cores, {psutil.virtual_memory().total / 2**30:.0f} GiB memory, "
          f"{'Unix users' if room.as_root else 'the trial (everyone runs as you)'}")
    try:
        hub, names, passwords = room.hub.wait(), room.names, room.passwords
        students = [Student(hub.url, name) for name in names]
        idle_memory = psutil.virtual_memory().used
        memory = PeakMemory(names, floor=int(args.memory_floor * 2**30))
        memory.start()

        def log_in_and_spawn(student):
            student.log_in(passwords[student.name])
            return student.start_server()
        start = time.perf_counter()
        with ThreadPoolExecutor(len(students)) as pool:
            spawns = list(pool.map(log_in_and_spawn, students))
        print(f"all {len(students)} log in at once: spawn time per student {spread(spawns)}; "
              f"all servers up after {time.perf_counter() - start:.1f} s")

        def run_lesson(student):
            started = time.perf_counter()
            student.run_notebook(lesson)
            return time.perf_counter() - started
        alone = run_lesson(students[0])
        print(f"lesson {args.lesson} for one student alone: {alone:.1f} s (kernel start included)")
        start = time.perf_counter()
        try:
            with ThreadPoolExecutor(len(students)) as pool:
                together = list(pool.map(run_lesson, students))
        except HubError as err:
            if not memory.ran_out:
                sys.exit(f"{err}\nThe hub's log ends:\n{hub.log_tail()}\nprocesses killed by the kernel (dmesg): "
                         f"{subprocess.run(['dmesg'], capture_output=True, text=True).stdout[-1500:]}")
            sys.exit(f"{len(students)} students ran this machine out of memory: fewer than "
                     f"{args.memory_floor} GiB were left at {memory.peak / 2**30:.1f} GiB in use, so they were "
                     f"stopped after {time.perf_counter() - start:.0f} s. Try fewer students.")
        wall = time.perf_counter() - start
        memory.running = False
        print(f"lesson {args.lesson} in {len(students)} kernels at once: {spread(together)}, all done after {wall:.1f} s")
        print(f"memory in use: {idle_memory / 2**30:.1f} GiB before the students, {memory.peak / 2**30:.1f} GiB at "
              f"the peak ({(memory.peak - idle_memory) / len(students) / 2**20:.0f} MiB per student)")
    finally:
        left = room.close()
        if left:
            print(f"the hub left {len(left)} of the students' processes running (killed)")

if __name__ == "__main__":
    main()
