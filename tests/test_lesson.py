import torch

from gan_utils import start_lesson


def test_start_lesson_prints_mode_device_data_and_seeds(monkeypatch, capsys):
    monkeypatch.setenv("GAN_COURSE_FAST", "1")
    device = start_lesson(seed=5)
    first = torch.rand(1)
    out = capsys.readouterr().out
    assert "Mode:   fast" in out and "Device:" in out and "Data:" in out and "MNIST" in out
    assert isinstance(device, torch.device)
    start_lesson(seed=5)
    assert torch.equal(torch.rand(1), first)


def test_environment_report_passes_here_and_fails_on_a_corrupted_data_file(tmp_path, monkeypatch,
                                                                           capsys):
    from gan_utils.lesson import print_environment_report
    assert print_environment_report() is True
    assert "PASS  torch" in capsys.readouterr().out
    monkeypatch.setenv("GAN_COURSE_DATA", str(tmp_path))  # an empty data folder
    assert print_environment_report() is False
    out = capsys.readouterr().out
    assert "FAIL  data" in out and "is missing" in out


def test_the_data_line_names_the_full_set_once_it_is_on_disk(tmp_path, monkeypatch):
    from gan_utils.lesson import mnist_source_summary
    monkeypatch.setenv("GAN_COURSE_DATA", str(tmp_path))
    assert "bundled MNIST subset" in mnist_source_summary()
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        (raw / name).write_bytes(b"")
    assert "full MNIST (60000" in mnist_source_summary()
