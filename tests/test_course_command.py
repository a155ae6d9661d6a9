"""gan-course copy / lab (gan_utils/course/), the install cell and its one source
(tools/course_source.py), and what the wheel is built from (pyproject.toml)."""
import ast
import re
import sys
from pathlib import Path

import pytest

from gan_utils.course import command, lessons
from gan_utils.course.student import YOUR_TURN

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import course_source  # noqa: E402


def run(capsys, *argv) -> tuple[int, str]:
    code = command.main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_copy_writes_the_lessons_and_a_second_copy_keeps_what_the_learner_changed(tmp_path, capsys):
    folder = tmp_path / "course"
    code, said = run(capsys, "copy", folder)
    expected = sorted([path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")]
                      + ["GLOSSARY.md", "SYMPTOMS.md", "TEACHER_GUIDE.md"])   # every lesson and the three guides
    assert code == 0 and f"Wrote {len(expected)} files" in said and f"gan-course lab {folder}" in said
    names = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))
    assert names == expected
    lesson = folder / "03_mlp_gan.ipynb"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("MLP", "my MLP"), encoding="utf-8")
    (folder / "outputs").mkdir()
    (folder / "outputs" / "checkpoint.pt").write_bytes(b"my run")
    code, said = run(capsys, "copy", folder)
    assert code == 0 and "Wrote 0 files" in said and "Kept 1 as they are" in said and "03_mlp_gan.ipynb" in said
    assert "my MLP" in lesson.read_text(encoding="utf-8")
    code, said = run(capsys, "copy", folder, "--force")
    kept = list(folder.glob("03_mlp_gan.old-*.ipynb"))
    assert code == 0 and len(kept) == 1 and "my MLP" in kept[0].read_text(encoding="utf-8")
    assert "my MLP" not in lesson.read_text(encoding="utf-8") and f"kept as {kept[0].name}" in said
    assert (folder / "outputs" / "checkpoint.pt").read_bytes() == b"my run"   # never touched


def test_student_copies_in_chinese_have_placeholders_and_no_teacher_guide(tmp_path, capsys):
    folder = tmp_path / "class"
    code, said = run(capsys, "copy", folder, "--lang", "zh", "--student")
    assert code == 0 and "--lang zh" in said
    assert (folder / "zh" / "03_mlp_gan.ipynb").is_file() and (folder / "GLOSSARY.md").is_file()
    assert (folder / "zh" / "SYMPTOMS.md").is_file()   # the Chinese lessons link to their own table
    assert not list(folder.rglob("TEACHER_GUIDE.md")) and not list(folder.glob("*.ipynb"))
    text = (folder / "zh" / "03_mlp_gan.ipynb").read_text(encoding="utf-8")
    assert "轮到你了" in text and YOUR_TURN not in text


def test_copy_refuses_a_file_or_a_folder_it_cannot_write(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SystemExit) as stop:
        command.main(["copy", str(tmp_path / "notes.txt")])
    assert stop.value.code == 2 and "is a file, not a folder" in capsys.readouterr().err
    code, said = run(capsys, "copy", tmp_path / "notes.txt" / "inside")
    assert code == 1 and "could not write" in said and "Pick a folder you can write to" in said


def test_a_lesson_that_cannot_be_read_is_named_with_how_to_restore_it(tmp_path, capsys, monkeypatch):
    broken = tmp_path / "notebooks"
    broken.mkdir()
    (broken / "00_welcome.ipynb").write_text("{ half a notebook")
    monkeypatch.setattr(lessons, "shipped_lessons", lambda: broken)
    code, said = run(capsys, "copy", tmp_path / "mine", "--student")
    assert code == 1 and "could not be read" in said and "00_welcome.ipynb" in said and "git checkout" in said
    assert not (tmp_path / "mine").exists()


def test_lab_copies_the_lessons_into_a_new_folder_and_opens_lesson_00_in_its_language(tmp_path, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(command.os, "chdir", lambda folder: calls.append(Path(folder)))
    monkeypatch.setattr(command.os, "execve", lambda python, argv, env: calls.append((argv, env["GAN_COURSE_LANG"])))
    code, said = run(capsys, "lab", tmp_path / "mine", "--lang", "zh", "--no-browser", "--port=8890")
    assert code == 0 and "Wrote" in said and (tmp_path / "mine" / "zh" / "00_welcome.ipynb").is_file()
    folder, (argv, lang) = calls
    assert argv[1:] == ["-m", "jupyterlab", "--no-browser", "--port=8890", "zh/00_welcome.ipynb"]
    assert folder == tmp_path / "mine" and lang == "zh"
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "notes.txt").write_text("mine")
    code, said = run(capsys, "lab", tmp_path / "elsewhere")
    assert code == 1 and "holds no 00_welcome.ipynb" in said and "gan-course copy" in said
    assert sorted(path.name for path in (tmp_path / "elsewhere").iterdir()) == ["notes.txt"]
    monkeypatch.setattr(command.importlib.util, "find_spec", lambda name: None)
    code, said = run(capsys, "lab", tmp_path / "mine")
    assert code == 1 and "JupyterLab is not installed" in said and "pip install jupyterlab" in said


def test_unknown_options_are_refused_outside_lab(capsys):
    with pytest.raises(SystemExit):
        command.main(["copy", "x", "--no-browser"])
    assert "unrecognized arguments: --no-browser" in capsys.readouterr().err


def test_every_lesson_and_readme_agrees_with_the_one_install_source():
    assert course_source.main(["--check"]) == 0, "run python tools/course_source.py"
    for lang in ("en", "zh"):
        source = course_source.install_cell_source(lang)
        ast.parse(source)
        assert f"COURSE_PACKAGE = {course_source.PACKAGE!r}" in source
    for lesson in lessons.course_files("all"):
        if lesson.endswith(".ipynb"):
            text = (ROOT / "notebooks" / lesson).read_text(encoding="utf-8")
            assert text.count('"install-course"') == 1, f"{lesson} has no install cell, or two"
    links = course_source.hosted_links()
    assert links.count("colab.research.google.com") == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))


def test_the_wheel_lists_every_room_of_the_package():
    """pyproject.toml names the packages explicitly (two are folders mapped in): a new room must be listed."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    listed = set(re.findall(r'"(gan_utils[\w.]*)"', text.split("packages = [", 1)[1].split("]", 1)[0]))
    rooms = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "gan_utils").rglob("__init__.py")}
    assert listed == rooms | {"gan_utils.course_data", "gan_utils.course_data.pretrained",
                              "gan_utils.lessons", "gan_utils.lessons.zh"}
