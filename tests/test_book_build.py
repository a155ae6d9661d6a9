"""The book's build without a browser: executions `make test` kept are rebuilt as Jupyter shows
them, and taken into the book's cache only when their code is the lesson's code."""
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from record_executions import executed_notebook, outputs_from

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import build_book  # noqa: E402

pytest.importorskip("jupyter_cache", reason="the book's tools: pip install -r requirements-book.txt")


def message(kind, parent="run-1", **content):
    return {"msg_type": kind, "parent_header": {"msg_id": parent}, "content": content,
            "header": {"msg_type": kind}, "metadata": {}}


def png(name):
    return {"image/png": name, "text/plain": f"<{name}>"}


def test_outputs_are_kept_as_a_jupyter_frontend_keeps_them():
    outputs = outputs_from([
        message("stream", name="stdout", text="epoch 1\n"),
        message("stream", name="stdout", text="epoch 2\n"),           # joined with the line above
        message("display_data", data=png("frame 1"), metadata={}, transient={"display_id": "live"}),
        message("update_display_data", data=png("frame 9"), metadata={}, transient={"display_id": "live"}),
        message("clear_output", wait=True),
        message("display_data", data=png("after the clear"), metadata={}),
    ])
    assert [output["data"]["image/png"] for output in outputs] == ["after the clear"]
    live = outputs_from([message("display_data", data=png("frame 1"), metadata={}, transient={"display_id": "v"}),
                         message("update_display_data", data=png("frame 9"), metadata={}, transient={"display_id": "v"}),
                         message("stream", name="stdout", text="a\n"), message("stream", name="stdout", text="b\n")])
    assert live[0]["data"]["image/png"] == "frame 9"                  # a live view ends on its last frame
    assert live[1]["text"] == "a\nb\n"


class FakeNotebookFile:
    """What executed_notebook reads from nbval's notebook item: the notebook and the messages."""
    def __init__(self, nb, messages):
        self.nb, self.recorded_messages = nb, messages


def test_each_cell_gets_the_outputs_of_its_own_run():
    nb = new_notebook(cells=[new_markdown_cell("# title"), new_code_cell("print(1)"), new_code_cell("x = 2")])
    messages = [message("execute_input", "a", code="print(1)"), message("stream", "a", name="stdout", text="1\n"),
                message("execute_input", "b", code="x = 2"), message("stream", "other", name="stdout", text="?")]
    executed = executed_notebook(FakeNotebookFile(nb, messages))
    assert executed.cells[1].outputs[0]["text"] == "1\n" and executed.cells[2].outputs == []
    skipped = [message("execute_input", "a", code="print(1)")]     # the second cell never ran
    assert executed_notebook(FakeNotebookFile(nb, skipped)) is None


def lesson(tmp_path, code):
    path = tmp_path / "src" / "en" / "00_lesson.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(code)]), str(path))
    return path


def recording(tmp_path, code, text):
    path = tmp_path / "executed" / "en" / "00_lesson.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    cell = new_code_cell(code, outputs=[nbformat.v4.new_output("stream", name="stdout", text=text)])
    nbformat.write(new_notebook(cells=[cell]), str(path))
    return path


def test_a_kept_execution_is_used_only_for_the_same_code(tmp_path):
    from jupyter_cache import get_cache
    cache = get_cache(str(tmp_path / "cache"))
    notebook = lesson(tmp_path, "print('hello')")
    record = cache.add_nb_to_project(str(notebook))

    stale = recording(tmp_path, "print('an older version')", "old\n")
    assert build_book.take_recorded(cache, [notebook], tmp_path / "executed") == 0
    assert not stale.exists() and cache.get_cached_project_nb(record.pk) is None   # refused, and removed

    recording(tmp_path, "print('hello')", "hello\n")
    assert build_book.take_recorded(cache, [notebook], tmp_path / "executed") == 1
    cached = cache.get_cached_project_nb(record.pk)
    assert cached is not None                                   # the book will not run it again
    outputs = cache.get_cache_bundle(cached.pk).nb.cells[0].outputs
    assert outputs[0]["text"] == "hello\n"
