"""tools/gpu_check.py without a GPU and without running anything heavy: the "no GPU" first line,
the CPU options of the benchmark, the report, and what the CUDA comparison's lines say."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import gpu_check  # noqa: E402

DCGAN_CPU_LINES = ["device: cpu (2 CPU threads), torch 2.x; batch 32, 3 timed steps after 1 warm-up steps",
                   "seed-003 loop (tutorial)         30.0 images/s",
                   "scripts/train_dcgan.py           36.0 images/s   1.20x the seed loop"]
DCGAN_GPU_LINES = ["seed-003 loop (tutorial)       2000.0 images/s",
                   "scripts/train_dcgan.py         9000.0 images/s   4.50x the seed loop",
                   "  amp off channels_last off    4000.0 images/s   2.00x",
                   "  amp on  channels_last off    6000.0 images/s   3.00x",
                   "  amp off channels_last on     5000.0 images/s   2.50x"]


def test_without_a_gpu_the_first_line_says_so_and_dcgan64_runs_on_the_cpu(monkeypatch, tmp_path, capsys):
    commands = []

    def fake_run(command, timeout, env=None):
        commands.append(command)
        return "ok", 1.5, ["some warning", *DCGAN_CPU_LINES]
    monkeypatch.setattr(gpu_check.torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(gpu_check, "run_command", fake_run)
    assert gpu_check.main(["--quick", "--only", "dcgan64", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == gpu_check.NO_GPU
    assert "--device" in commands[0] and "cpu" in commands[0] and "--compare-cuda-options" not in commands[0]
    report = (tmp_path / "report.md").read_text()
    assert report.splitlines()[0] == "no GPU: torch.cuda.is_available() is False; running the CPU parts"
    assert "**ok** in 2 s" in report and "36.0 images/s" in report and "some warning" not in report
    assert "--compare-cuda-options): skipped: no GPU." in report


def test_the_report_lists_each_lesson_with_its_time_and_the_failing_cell():
    part = gpu_check.Part("lessons", status="failed or not run: 03_mlp_gan", seconds=42, lessons=[
        {"lesson": "00_welcome", "status": "ok", "seconds": 6.2},
        {"lesson": "03_mlp_gan", "status": "failed: cell 12 of 40 (fit(G)): ValueError: a | b", "seconds": 30}])
    skipped = gpu_check.Part("torchrun", status="skipped: the --budget of 450 s was spent")
    report = gpu_check.report_text(["# GPU check: Some GPU", ""], [part, skipped], 75)
    assert "| 00_welcome | ok | 6 s |" in report
    assert "| 03_mlp_gan | failed: cell 12 of 40 (fit(G)): ValueError: a / b | 30 s |" in report
    assert "## torchrun --standalone" in report and "**skipped: the --budget of 450 s was spent**" in report


def test_the_cuda_options_effect_is_read_from_the_comparison_lines():
    assert gpu_check.cuda_effect(DCGAN_GPU_LINES) == [
        "CUDA options' effect, against neither (4000 images/s): both (train_dcgan.py's default) 2.25x, "
        "bf16 autocast alone 1.50x, channels_last alone 1.25x."]
    assert "not measured" in gpu_check.cuda_effect(DCGAN_CPU_LINES)[0]


def test_a_part_that_runs_past_its_limit_is_reported_as_timed_out():
    status, seconds, lines = gpu_check.run_command([sys.executable, "-c", "print('hi', flush=True); "
                                                    "import time; time.sleep(30)"], timeout=1)
    assert status == "timed out after 1 s" and seconds < 10 and lines == ["hi"]


def test_bad_options_stop_before_anything_runs():
    for argv in (["--only", "lesons"], ["--lessons", "42"]):
        with pytest.raises(SystemExit) as stopped:
            gpu_check.parse_args(argv)
        assert stopped.value.code == 2
    assert gpu_check.parse_args(["--only", "torchrun,dcgan64"]).parts == ["dcgan64", "torchrun"]
    assert "lessons-zh" not in gpu_check.parse_args(["--quick"]).parts


def test_parts_past_the_budget_are_skipped_and_say_why(monkeypatch, tmp_path):
    monkeypatch.setattr(gpu_check.torch.cuda, "is_available", lambda: False)
    assert gpu_check.main(["--only", "dcgan64", "torchrun", "--budget", "5", "--out", str(tmp_path)]) == 0
    report = (tmp_path / "report.md").read_text()
    assert report.count("**skipped: the --budget of 5 s was spent**") == 2
