"""How far each outcome claim of the course clears its threshold, over seeds and CPU kernel paths.

Runs the experiments of tools/outcomes.py for every seed, once per kernel path (a fresh process
with ATEN_CPU_CAPABILITY set: "native" is this CPU's own best path), then prints one row per
claim: its threshold, the worst value seen, the other side's median and the margin (the worst
value's distance past the threshold, as a share of the distance from the threshold to the other
side). Rows under 20 % are marked THIN; a claim that fails anywhere is marked FAIL and the exit
status is 1.

Usage:  python tools/margins.py [--seeds 0-4] [--paths default,avx2,native] [--steps 100,600]
                                [--experiments bug_lab,toy_lab,mnist_collapse,shipped_models] [--jobs 2]
        python tools/margins.py --from outputs/margins/runs.json     (the table again, no training)
The full run (5 seeds, 3 paths, every experiment) takes about an hour on a 2-core CPU.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parents[1]


def seed_list(text: str) -> list[int]:
    """'0-4' or '0,2,3' -> [0, 1, 2, 3, 4] or [0, 2, 3]."""
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(part) for part in text.split(",")]


def measure(seed: int, experiments: list[str], steps: list[int]) -> list[dict]:
    """Every experiment's figures for one seed, in this process (its kernel path)."""
    import torch
    from outcomes import EXPERIMENTS, bug_lab_lengths
    torch.set_num_threads(1)
    results = []
    for name in experiments:
        start = time.perf_counter()
        if name == "bug_lab":      # one run of the longest length gives the shorter ones too
            measured = {f"bug_lab@{n}": figures for n, figures in bug_lab_lengths(seed, steps).items()}
        else:
            measured = {name: EXPERIMENTS[name](seed)}
        for experiment, figures in measured.items():
            results.append({"experiment": experiment, "seed": seed,
                            "path": os.environ.get("ATEN_CPU_CAPABILITY", "native"),
                            "seconds": round(time.perf_counter() - start, 1), "figures": figures})
    return results


def run_unit(path: str, seed: int, args) -> list[dict]:
    """One seed on one kernel path, in a fresh process (the path is fixed when torch loads)."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("ATEN_CPU_CAPABILITY", None)
    if path != "native":
        env["ATEN_CPU_CAPABILITY"] = path
    command = [sys.executable, __file__, "--worker", "--seeds", str(seed), "--experiments",
               ",".join(args.experiments), "--steps", ",".join(map(str, args.steps))]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"seed {seed} on the {path} path failed:\n{done.stderr[-3000:]}")
    results = json.loads(done.stdout.splitlines()[-1])
    print(f"  {path:8s} seed {seed}: " + ", ".join(f"{r['experiment']} {r['seconds']:.0f} s" for r in results),
          flush=True)
    return results


def table(runs: list[dict], min_margin: float) -> tuple[str, int]:
    """The margin table (markdown) and how many claims failed."""
    from outcomes import claims
    lines = ["| claim | experiment | threshold | worst | other side | margin | |",
             "|---|---|---|---|---|---|---|"]
    failed = 0
    for claim in claims():
        for experiment in sorted({r["experiment"] for r in runs if r["experiment"].split("@")[0] == claim.experiment}):
            figures = [r["figures"] for r in runs if r["experiment"] == experiment]
            worst = claim.worst([f[claim.figure] for f in figures])
            margin = claim.margin(figures)
            other = ("—" if claim.exact else f"{claim.versus:g}" if isinstance(claim.versus, (int, float))
                     else _number(sorted(f[claim.versus or claim.figure] for f in figures)[len(figures) // 2]))
            verdict = "FAIL" if not all(claim.holds(f) for f in figures) else "THIN" if margin < min_margin else "ok"
            failed += verdict == "FAIL"
            shown = "exact" if claim.exact and margin > 0 else f"{margin:.0%}" if math.isfinite(margin) else "—"
            lines.append(f"| {claim.says} | {experiment} | {claim.op} {claim.threshold:g} | {_number(worst)} | "
                         f"{other} | {shown} | {verdict} |")
    return "\n".join(lines), failed


def _number(value: float) -> str:
    return f"{value:.4g}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-4", help="seeds, e.g. 0-4 or 0,3 (default 0-4)")
    parser.add_argument("--paths", default="default,avx2,native",
                        help="ATEN_CPU_CAPABILITY values; 'native' is this CPU's own (default: default,avx2,native)")
    parser.add_argument("--experiments", default="bug_lab,toy_lab,mnist_collapse,shipped_models")
    parser.add_argument("--steps", default="100,600", help="the bug lab's run lengths (lesson 08: 100 fast, 600 full)")
    parser.add_argument("--jobs", type=int, default=2, help="processes at once (default 2)")
    parser.add_argument("--min-margin", type=float, default=0.2, help="rows below this are marked THIN")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "margins")
    parser.add_argument("--from", dest="saved", type=Path, help="print the table of an earlier run's runs.json")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.experiments = args.experiments.split(",")
    args.steps = [int(s) for s in args.steps.split(",")]
    if args.worker:
        print(json.dumps([row for seed in seed_list(args.seeds) for row in measure(seed, args.experiments, args.steps)]))
        return 0

    if args.saved:
        saved = json.loads(args.saved.read_text())
        runs, header = saved["runs"], saved["header"]
    else:
        import torch
        header = (f"torch {torch.__version__} (CUDA build {torch.version.cuda or 'none'}), this CPU's own path: "
                  f"{torch.backends.cpu.get_cpu_capability()}; seeds {args.seeds}; paths {args.paths}")
        print(header, flush=True)
        units = [(path, seed) for path in args.paths.split(",") for seed in seed_list(args.seeds)]
        start = time.perf_counter()
        with ThreadPoolExecutor(args.jobs) as pool:
            runs = [row for rows in pool.map(lambda unit: run_unit(*unit, args), units) for row in rows]
        header += f"; {time.perf_counter() - start:.0f} s"
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "runs.json").write_text(json.dumps({"header": header, "runs": runs}))
    text, failed = table(runs, args.min_margin)
    report = f"{header}\n\n{text}\n"
    if not args.saved:
        (args.out / "report.md").write_text(report)
    print("\n" + report)
    print(f"{failed} claim(s) failed" if failed else "every claim holds on every seed and path")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
