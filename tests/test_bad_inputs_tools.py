"""Bad inputs and faults for the teacher tools (tools/run_course.py, tools/student_copies.py,
tools/clean_notebooks.py): each is either handled or refused at once with a message that says
what was expected, what came, and what to do; and nothing a learner or teacher wrote is lost.
Tiny notebooks in tmp_path stand in for the lessons, so the whole file runs in well under a minute."""
import os
import re
import signal
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import clean_notebooks  # noqa: E402
from gan_utils.course import notebooks as notebook_files  # noqa: E402
import run_course  # noqa: E402
import student_copies  # noqa: E402


# ---------------------------------------------------------------- helpers

def code(source: str, *tags: str):
    cell = new_code_cell(source)
    cell.metadata["tags"] = list(tags)
    return cell


def markdown(source: str, *tags: str):
    cell = new_markdown_cell(source)
    cell.metadata["tags"] = list(tags)
    return cell


def write_notebook(path: Path, *cells) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


def lessons_folder(tmp_path: Path) -> Path:
    """Two small lessons with one exercise each, like the course's own."""
    folder = tmp_path / "nb"
    write_notebook(folder / "00_intro.ipynb", markdown("# Intro"), code("answer = 42", "solution"))
    write_notebook(folder / "01_next.ipynb", markdown("# Next"), code("x_hat = 0.5", "solution"))
    return folder


def exit_message(capsys, main, argv) -> str:
    """Run a tool's ``main(argv)`` expecting argparse's exit 2; return what it wrote to stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


def can_write(folder: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


@pytest.fixture
def unwritable(tmp_path) -> Path:
    """A folder in which no new file can be made (read-only for users; /sys for root)."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o500)
    if can_write(folder):          # root writes anywhere on a normal disk
        folder = Path("/sys")
        if not folder.is_dir() or can_write(folder):
            pytest.skip("no read-only folder available here")
    yield folder
    (tmp_path / "read_only").chmod(0o700)


@pytest.fixture
def quick_device(monkeypatch):
    """Skip importing torch for the summary's device line."""
    monkeypatch.setattr(run_course, "describe_device", lambda: "test device")


# ---------------------------------------------------------------- run_course: choosing lessons

def test_only_accepts_numbers_padded_numbers_commas_and_names(tmp_path):
    lessons = [tmp_path / name for name in ("00_welcome.ipynb", "03_mlp_gan.ipynb", "07_when_gans_fail.ipynb")]
    pick = run_course.select_lessons
    assert pick(lessons, ["3", "7"]) == [lessons[1], lessons[2]]
    assert pick(lessons, ["03"]) == pick(lessons, ["03_mlp_gan"]) == pick(lessons, ["notebooks/03_mlp_gan.ipynb"]) == [lessons[1]]
    assert pick(lessons, ["7,3", "03"]) == [lessons[1], lessons[2]]     # course order, each once
    assert pick(lessons, ["0"]) == [lessons[0]]


def test_only_matching_no_lesson_is_an_error_listing_the_lessons(tmp_path, capsys):
    folder = lessons_folder(tmp_path)
    err = exit_message(capsys, run_course.main, ["--notebooks", str(folder), "--out", str(tmp_path / "o"),
                                                  "--only", "3", "7"])
    assert "--only 3 matches no lesson" in err and "The lessons are 00, 01" in err
    assert "--only 3 7" in err          # says how to ask
    assert not (tmp_path / "o" / "summary.md").exists()


def test_only_without_a_lesson_is_an_error_not_the_whole_course(tmp_path, capsys):
    err = exit_message(capsys, run_course.main, ["--notebooks", str(lessons_folder(tmp_path)), "--only"])
    assert "--only: expected at least one argument" in err


def test_unknown_flag_is_named(capsys):
    err = exit_message(capsys, run_course.main, ["--bogus"])
    assert "unrecognized arguments: --bogus" in err and "--lesson-outputs" in err   # usage shows the real ones


def test_timeout_must_be_positive(tmp_path, capsys):
    err = exit_message(capsys, run_course.main, ["--notebooks", str(lessons_folder(tmp_path)), "--timeout", "0"])
    assert "--timeout must be a positive number of seconds, got 0" in err


# ---------------------------------------------------------------- run_course: folders

def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    a_file = tmp_path / "summary.txt"
    a_file.write_text("keep me")
    err = exit_message(capsys, run_course.main, ["--notebooks", str(lessons_folder(tmp_path)), "--out", str(a_file)])
    assert f"--out {a_file} is a file, not a folder" in err
    assert a_file.read_text() == "keep me"


def test_out_in_a_read_only_place_is_refused_before_any_lesson_runs(tmp_path, unwritable, capsys, monkeypatch):
    monkeypatch.setattr(run_course, "run_notebook", lambda *a, **k: pytest.fail("a lesson ran"))
    target = unwritable / "course_run"
    err = exit_message(capsys, run_course.main, ["--notebooks", str(lessons_folder(tmp_path)), "--out", str(target)])
    assert f"--out {target} cannot be written to" in err and "Pass a folder you can write to" in err


def test_lesson_outputs_default_to_the_runs_own_folder_and_are_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = str(lessons_folder(tmp_path))
    args = run_course.parse_args(["--notebooks", folder, "--out", "run"])
    assert args.lesson_outputs == (tmp_path / "run" / "outputs").resolve()
    args = run_course.parse_args(["--notebooks", folder, "--out", "run", "--lesson-outputs", "mine"])
    assert args.lesson_outputs == tmp_path.resolve() / "mine"    # absolute: kernels start in the lessons folder
    env = run_course.kernel_env(True, args.lesson_outputs)
    assert env["GAN_COURSE_OUTPUTS"] == str(tmp_path.resolve() / "mine") and env["GAN_COURSE_FAST"] == "1"


def test_a_lesson_that_is_not_json_stops_the_run_before_it_starts(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run_course, "run_notebook", lambda *a, **k: pytest.fail("a lesson ran"))
    folder = lessons_folder(tmp_path)
    (folder / "02_broken.ipynb").write_text('{"cells": [')
    err = exit_message(capsys, run_course.main, ["--notebooks", str(folder), "--out", str(tmp_path / "o")])
    assert "02_broken.ipynb is not a readable Jupyter notebook" in err and "git checkout" in err


# ---------------------------------------------------------------- run_course: running real kernels

@pytest.fixture(scope="module")
def course_run(tmp_path_factory):
    """One run of three tiny lessons (fine, failing, hanging) with a learner's outputs folder set
    in the environment; returns (exit code, out folder, learner folder, environ before, after)."""
    tmp = tmp_path_factory.mktemp("course")
    folder = tmp / "nb"
    write_notebook(folder / "00_fine.ipynb", code(
        "import os, pathlib\n"
        "root = pathlib.Path(os.environ['GAN_COURSE_OUTPUTS'])\n"
        "(root / 'checkpoint.pt').write_text('from the course run')\n"
        "print('fast:', os.environ['GAN_COURSE_FAST'], 'root:', root)"))
    write_notebook(folder / "01_fails.ipynb", code("x = 1"), code("x = 2\n1 / 0"))
    write_notebook(folder / "02_hangs.ipynb", code("import time\ntime.sleep(60)"))
    learner = tmp / "learner_outputs"
    learner.mkdir()
    (learner / "checkpoint.pt").write_text("the learner's own training")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GAN_COURSE_OUTPUTS", str(learner))
        patch.delenv("GAN_COURSE_FAST", raising=False)
        patch.setattr(run_course, "describe_device", lambda: "test device")
        before = dict(os.environ)
        code_ = run_course.main(["--notebooks", str(folder), "--out", str(tmp / "run"), "--fast", "--timeout", "3"])
        after = dict(os.environ)
    return code_, tmp / "run", learner, before, after


def test_course_run_never_touches_the_learners_outputs(course_run):
    _, out, learner, _, _ = course_run
    assert (learner / "checkpoint.pt").read_text() == "the learner's own training"
    assert (out / "outputs" / "checkpoint.pt").read_text() == "from the course run"
    html = (out / "00_fine.html").read_text()
    assert f"root: {(out / 'outputs').resolve()}" in html and "fast: 1" in html


def test_course_run_pages_load_nothing_from_the_internet(course_run):
    """MathJax comes from the run's own folder; no script or stylesheet from a CDN."""
    _, out, _, _, _ = course_run
    html = (out / "00_fine.html").read_text()
    assert re.findall(r'(?:src|href)="(https?://[^"]*)"', html) == []
    assert 'src="mathjax/MathJax.js?config=' in html and (out / "mathjax" / "MathJax.js").exists()


def test_course_run_leaves_its_own_environment_as_it_found_it(course_run):
    _, _, _, before, after = course_run
    assert after == before


def test_failing_lesson_names_the_cell_and_error_without_colour_codes(course_run):
    code_, out, _, _, _ = course_run
    summary = (out / "summary.md").read_text()
    assert "| [01_fails](01_fails.html) | failed: cell 2 of 2 (x = 2): ZeroDivisionError: division by zero |" in summary
    assert "\x1b[" not in summary
    assert code_ == 1


def test_cell_past_the_timeout_is_reported_for_its_lesson_and_the_run_goes_on(course_run):
    _, out, _, _, _ = course_run
    summary = (out / "summary.md").read_text()
    assert "| [02_hangs](02_hangs.html) | failed: cell 1 of 1 (import time): ran past the --timeout of 3 s" in summary
    assert "| [00_fine](00_fine.html) | ok |" in summary and (out / "02_hangs.html").exists()
    assert "Total:" in summary and "3 lessons" in summary


def test_ctrl_c_during_a_cell_stops_the_run_instead_of_failing_one_lesson(tmp_path):
    """nbclient catches SIGINT itself, kills the kernel and lets the cell fail with an unrelated
    error; run_notebook must turn that into KeyboardInterrupt so the whole run stops."""
    notebook = new_notebook(cells=[code("import os, signal, time\n"
                                        "os.kill(int(os.environ['JPY_PARENT_PID']), signal.SIGINT)\n"
                                        "time.sleep(30)")])
    handler = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_course.run_notebook(notebook, tmp_path, dict(os.environ), timeout=20)
    finally:
        signal.signal(signal.SIGINT, handler)


def test_interrupted_run_writes_the_summary_of_what_finished(tmp_path, quick_device, monkeypatch, capsys):
    calls = []

    def fake_run(notebook, folder, env, timeout):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return 12.0, None

    monkeypatch.setattr(run_course, "run_notebook", fake_run)
    out = tmp_path / "run"
    assert run_course.main(["--notebooks", str(lessons_folder(tmp_path)), "--out", str(out)]) == 130
    summary = (out / "summary.md").read_text()
    assert "interrupted" in summary and "not run: 01_next" in summary
    assert "| [00_intro](00_intro.html) | ok | 12 s |" in summary
    assert "not run: 01_next" in capsys.readouterr().out


def test_summary_is_replaced_whole_or_not_at_all(tmp_path, quick_device, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.md").write_text("the previous complete summary")
    monkeypatch.setattr(run_course, "run_notebook", lambda *a, **k: (1.0, None))

    def crash(*args):
        raise KeyboardInterrupt   # as if the machine went down while the file was being replaced

    monkeypatch.setattr(notebook_files.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        run_course.main(["--notebooks", str(lessons_folder(tmp_path)), "--out", str(out)])
    assert (out / "summary.md").read_text() == "the previous complete summary"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# ---------------------------------------------------------------- student_copies: solutions

YOUR_TURN = student_copies.YOUR_TURN


@pytest.mark.parametrize("source, expected", [
    ("with torch.no_grad():\n    answer = G(z)", ["answer = ..."]),
    ("if fast:\n    num_epochs = 1\nelse:\n    num_epochs = 20", ["num_epochs = ..."]),
    ("total = 0\nfor i in range(3):\n    try:\n        total += i\n    except ValueError:\n        best = None",
     ["total = ...", "best = ..."]),
], ids=["with", "if-else", "for-try"])
def test_assignments_nested_in_blocks_become_placeholders(source, expected):
    student = student_copies.placeholder_source(source)
    assert student.splitlines() == [YOUR_TURN] + expected      # loop variables (i) are not answers
    assert "G(z)" not in student and "20" not in student


@pytest.mark.parametrize("source, expected", [
    ("config['lr'] = 1e-3", ["config['lr'] = ..."]),
    ("first, *rest = [1, 2, 3]", ["first = ...", "rest = ..."]),
    ("print(answer := 6 * 7)", ["answer = ..."]),
    ("answer = {}\nanswer['k'] = 1", ["answer = ..."]),
], ids=["item", "starred", "walrus", "item-of-own-name"])
def test_every_kind_of_assignment_becomes_a_placeholder(source, expected):
    assert student_copies.placeholder_source(source).splitlines() == [YOUR_TURN] + expected


def test_one_line_function_and_class_keep_a_runnable_stub():
    student = student_copies.placeholder_source(
        "def f(x): return 2 * x\nclass MyD(nn.Module):\n    '''A discriminator.'''\n    def forward(self, x):\n        return x")
    assert "def f(x):\n    ...  # your code here" in student
    assert "class MyD(nn.Module):\n    '''A discriminator.'''\n    ...  # your code here" in student
    assert "return" not in student
    compile(student, "student", "exec")


def test_magics_are_kept_around_the_placeholders():
    assert student_copies.placeholder_source("%%time\nanswer = slow()").splitlines() == ["%%time", YOUR_TURN, "answer = ..."]
    student = student_copies.placeholder_source("%matplotlib inline\n!pip install tqdm\nfiles = !ls\nanswer = len(files)")
    assert student.splitlines() == [YOUR_TURN, "%matplotlib inline", "!pip install tqdm", "files = ...", "answer = ..."]
    student = student_copies.placeholder_source("%time answer = slow()\nwith x:\n    %timeit -n 3 best = f()")
    assert student.splitlines() == [YOUR_TURN, "answer = ...", "best = ..."]     # the answers stay hidden


def test_cell_magic_whose_body_is_not_python_is_refused_with_its_cell():
    with pytest.raises(student_copies.SolutionError, match=r"00_x.ipynb, cell 1 of 1 .*%%bash, whose body is not Python"):
        student_copies.student_copy(new_notebook(cells=[code("%%bash\nls", "solution")]), "00_x.ipynb")


def test_solution_that_assigns_nothing_is_refused_with_its_cell():
    notebook = new_notebook(cells=[markdown("# L"), code("print(42)", "solution")])
    with pytest.raises(student_copies.SolutionError) as err:
        student_copies.student_copy(notebook, "03_x.ipynb")
    assert "03_x.ipynb, cell 2 of 2" in str(err.value) and "nothing to fill in" in str(err.value)


def test_solution_tag_on_a_markdown_cell_is_refused():
    notebook = new_notebook(cells=[markdown("The answer is (b).", "solution")])
    with pytest.raises(student_copies.SolutionError) as err:
        student_copies.student_copy(notebook, "05_x.ipynb")
    assert "05_x.ipynb, cell 1 of 1 is a markdown cell tagged 'solution'" in str(err.value)
    assert "would reach the learners" in str(err.value)


# ---------------------------------------------------------------- student_copies: the folder

def build(tmp_path, *extra) -> int:
    return student_copies.main(["--notebooks", str(tmp_path / "nb"), "--out", str(tmp_path / "student"), *extra])


def test_syntax_error_names_notebook_cell_and_line_and_writes_nothing(tmp_path, capsys):
    folder = lessons_folder(tmp_path)
    write_notebook(folder / "02_typo.ipynb", markdown("# T"), code("x = 1"),
                   code("%%time\nz = 3\nanswer = (1 +\nother = 2", "solution"))
    assert build(tmp_path) == 1
    err = capsys.readouterr().err
    assert "02_typo.ipynb, cell 3 of 3 (a solution) is not valid Python" in err
    assert "line 3: answer = (1 +" in err and "Nothing was written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb"]      # no student/, no half-built folder


def test_rebuild_over_an_untouched_build_replaces_it(tmp_path, capsys):
    lessons_folder(tmp_path)
    assert build(tmp_path) == 0
    copy = tmp_path / "student" / "00_intro.ipynb"
    assert "answer = ..." in copy.read_text()
    assert build(tmp_path) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb", "student"]
    assert "Wrote 2 student notebooks" in capsys.readouterr().out


def test_the_chinese_edition_is_copied_beside_the_english_with_the_glossary(tmp_path, capsys):
    folder = lessons_folder(tmp_path)
    (folder / "GLOSSARY.md").write_text("| discriminator | 判别器 |")
    (folder / "zh").mkdir()
    write_notebook(folder / "zh" / "00_intro.ipynb", markdown("# 引言\n[术语表](../GLOSSARY.md)"),
                   code("answer = 42  # 答案", "solution"))
    assert build(tmp_path) == 0
    student = tmp_path / "student"
    chinese = (student / "zh" / "00_intro.ipynb").read_text(encoding="utf-8")
    assert "answer = ..." in chinese and "轮到你了" in chinese and "Your turn" not in chinese
    assert (student / "GLOSSARY.md").exists()   # where the zh lessons' ../GLOSSARY.md leads
    assert "Wrote 3 student notebooks" in capsys.readouterr().out


def test_teachers_edits_in_the_student_folder_are_kept(tmp_path, capsys):
    lessons_folder(tmp_path)
    assert build(tmp_path) == 0
    student = tmp_path / "student"
    (student / "NOTES.md").write_text("my plan for Tuesday")
    edited = (student / "00_intro.ipynb").read_text().replace("# Intro", "# Intro, edited for class 3B")
    (student / "00_intro.ipynb").write_text(edited)
    capsys.readouterr()
    assert build(tmp_path) == 1
    err = capsys.readouterr().err
    assert "00_intro.ipynb (edited)" in err and "NOTES.md (added)" in err and "--force" in err
    assert (student / "NOTES.md").exists()
    assert build(tmp_path, "--force") == 0
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("student.old-")]
    assert len(kept) == 1 and (kept[0] / "NOTES.md").read_text() == "my plan for Tuesday"
    assert "edited for class 3B" in (kept[0] / "00_intro.ipynb").read_text()
    printed = capsys.readouterr().out
    assert "is kept as" in printed and kept[0].name in printed
    assert not (student / "NOTES.md").exists()


@pytest.mark.parametrize("where, words", [
    ("nb", "is the lessons folder"),
    ("nb/student", "is inside the lessons folder"),
    (".", "contains the lessons folder"),
], ids=["lessons-folder", "inside-lessons", "contains-lessons"])
def test_out_that_would_replace_or_mix_with_the_lessons_is_refused(tmp_path, capsys, monkeypatch, where, words):
    monkeypatch.chdir(tmp_path)
    folder = lessons_folder(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    err = exit_message(capsys, student_copies.main, ["--notebooks", "nb", "--out", where])
    assert f"--out {where} {words}" in err and "--out student" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_student_out_that_is_a_file_is_refused(tmp_path, capsys):
    lessons_folder(tmp_path)
    (tmp_path / "student").write_text("not a folder")
    err = exit_message(capsys, student_copies.main, ["--notebooks", str(tmp_path / "nb"), "--out", str(tmp_path / "student")])
    assert "is a file, not a folder" in err


def test_student_out_in_a_read_only_place_says_so(tmp_path, unwritable, capsys):
    lessons_folder(tmp_path)
    target = unwritable / "student"
    assert student_copies.main(["--notebooks", str(tmp_path / "nb"), "--out", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"could not write {target}" in err and "Nothing was changed" in err


@pytest.mark.parametrize("content, words", [
    ('{"cells": [', "is not a readable Jupyter notebook (expected .ipynb JSON"),
    ("", "is empty (0 bytes), not a notebook"),
    ('{"a": 1}', "is not a readable Jupyter notebook"),
], ids=["cut-short", "empty-file", "json-not-notebook"])
def test_unreadable_lesson_is_named_and_nothing_is_written(tmp_path, capsys, content, words):
    folder = lessons_folder(tmp_path)
    (folder / "02_bad.ipynb").write_text(content)
    assert build(tmp_path) == 1
    err = capsys.readouterr().err
    assert f"02_bad.ipynb {words}" in err and "Nothing was written" in err
    assert not (tmp_path / "student").exists()


def test_lesson_without_solutions_is_copied_with_a_note(tmp_path, capsys):
    folder = lessons_folder(tmp_path)
    write_notebook(folder / "02_reading.ipynb", markdown("# Just reading"), code("print('hi')"))
    write_notebook(folder / "03_empty.ipynb")
    assert build(tmp_path) == 0
    out = capsys.readouterr().out
    assert "note: 02_reading.ipynb has no solution cells" in out and "note: 03_empty.ipynb has no solution cells" in out
    assert (tmp_path / "student" / "03_empty.ipynb").exists()


def test_folder_of_no_lessons_is_refused(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    err = exit_message(capsys, student_copies.main, ["--notebooks", str(tmp_path / "empty"), "--out", str(tmp_path / "s")])
    assert "no lessons in" in err and "03_mlp_gan.ipynb" in err


# ---------------------------------------------------------------- clean_notebooks

def lesson_with_outputs(path: Path) -> Path:
    cell = code("print('big')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
    cell.execution_count = 3
    return write_notebook(path, markdown("# Lesson"), cell)


def test_clean_reports_a_missing_file_and_still_cleans_the_others(tmp_path, capsys):
    good = lesson_with_outputs(tmp_path / "00_a.ipynb")
    assert clean_notebooks.main([str(tmp_path / "nope.ipynb"), str(good)]) == 1
    captured = capsys.readouterr()
    assert f"{tmp_path / 'nope.ipynb'}: no such file" in captured.err
    assert f"cleaned {good}" in captured.out and "image/png" not in good.read_text()


@pytest.mark.parametrize("content, words", [
    ("just some notes\n", "is not a readable Jupyter notebook"),
    ('{"a": 1}', "is not a readable Jupyter notebook"),
    ("", "is empty (0 bytes)"),
], ids=["text", "json-not-notebook", "empty"])
def test_clean_refuses_a_file_that_is_not_a_notebook_and_leaves_it(tmp_path, capsys, content, words):
    path = tmp_path / "notes.ipynb"
    path.write_text(content)
    assert clean_notebooks.main([str(path)]) == 1
    assert f"{path} {words}" in capsys.readouterr().err
    assert path.read_text() == content


def test_clean_on_a_folder_says_to_pass_its_notebooks(tmp_path, capsys):
    assert clean_notebooks.main([str(tmp_path)]) == 1
    assert f"{tmp_path} is a folder, not a notebook" in capsys.readouterr().err


def test_clean_without_files_is_a_usage_error(capsys):
    err = exit_message(capsys, clean_notebooks.main, [])
    assert "the following arguments are required: NOTEBOOK.ipynb" in err


def test_clean_leaves_a_notebook_saved_meanwhile_from_jupyter(tmp_path, capsys, monkeypatch):
    path = lesson_with_outputs(tmp_path / "00_a.ipynb")
    strip = clean_notebooks.strip_outputs

    def strip_while_jupyter_saves(nb):
        strip(nb)
        path.write_text(path.read_text().replace("# Lesson", "# Lesson, edited in Jupyter"))

    monkeypatch.setattr(clean_notebooks, "strip_outputs", strip_while_jupyter_saves)
    assert clean_notebooks.main([str(path)]) == 1
    assert "changed on disk while it was being cleaned" in capsys.readouterr().err
    assert "edited in Jupyter" in path.read_text()


def test_clean_interrupted_while_writing_leaves_the_notebook_whole(tmp_path, monkeypatch):
    path = lesson_with_outputs(tmp_path / "00_a.ipynb")
    before = path.read_bytes()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(notebook_files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        clean_notebooks.main([str(path)])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["00_a.ipynb"]


def test_clean_keeps_sources_and_does_not_rewrite_a_clean_notebook(tmp_path, capsys):
    path = lesson_with_outputs(tmp_path / "00_a.ipynb")
    assert clean_notebooks.main([str(path)]) == 0
    cleaned = nbformat.read(path, as_version=4)
    assert [c.source for c in cleaned.cells] == ["# Lesson", "print('big')"]
    stamp = path.stat().st_mtime_ns
    assert clean_notebooks.main([str(path)]) == 0
    assert f"already clean: {path}" in capsys.readouterr().out and path.stat().st_mtime_ns == stamp
