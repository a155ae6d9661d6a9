"""A pytest plugin: keep the lessons nbval runs as executed notebooks, so the book needs no second run.

`make test` runs every lesson under nbval and then builds the book in fast mode; without this the
book would execute all 18 notebooks again. With GAN_COURSE_RECORD=<folder> set (the book's work
folder, outputs/book_build), each notebook whose cells all passed is written with its outputs to
``<folder>/<fast|full>/executed/<edition>/<name>.ipynb``, rebuilt
from the kernel's messages as Jupyter does it: streams joined, ``clear_output`` honoured, a display
updated in place (a live training view ends on its last frame). tools/build_book.py takes them
into its cache when their code is the lesson's code, and runs only what is missing.
"""
import os
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile

RECORD = os.environ.get("GAN_COURSE_RECORD")
OUTPUT_MESSAGES = {"stream", "display_data", "execute_result", "error", "clear_output", "update_display_data"}


def _recording(get_kernel_message):
    def get_and_keep(self, *args, **kwargs):
        message = get_kernel_message(self, *args, **kwargs)
        self.__dict__.setdefault("recorded_messages", []).append(message)
        return message
    return get_and_keep


if RECORD:
    IPyNbFile.get_kernel_message = _recording(IPyNbFile.get_kernel_message)


def outputs_from(messages: list) -> list:
    """The outputs one cell's iopub messages leave in a notebook, as a Jupyter frontend keeps them."""
    outputs, by_display_id, clear_on_next = [], {}, False
    for message in messages:
        kind, content = message["msg_type"], message["content"]
        if kind == "clear_output":
            if content.get("wait"):
                clear_on_next = True
            else:
                outputs, by_display_id = [], {}
            continue
        if kind == "update_display_data":
            for output in by_display_id.get(content.get("transient", {}).get("display_id"), []):
                output["data"], output["metadata"] = content["data"], content["metadata"]
            continue
        if clear_on_next:
            outputs, by_display_id, clear_on_next = [], {}, False
        if kind == "stream" and outputs and outputs[-1].get("name") == content["name"]:
            outputs[-1]["text"] += content["text"]
            continue
        output = nbformat.v4.output_from_msg(message)
        outputs.append(output)
        display_id = content.get("transient", {}).get("display_id")
        if display_id:
            by_display_id.setdefault(display_id, []).append(output)
    return outputs


def executed_notebook(notebook_file: IPyNbFile):
    """The notebook nbval read, with each code cell's outputs from the messages of its run."""
    runs, messages_of = [], {}  # (code, messages) of each execution, in the order they ran
    for message in getattr(notebook_file, "recorded_messages", []):
        parent = message.get("parent_header", {}).get("msg_id")
        if message["msg_type"] == "execute_input":
            messages_of[parent] = []
            runs.append((message["content"]["code"], messages_of[parent]))
        elif message["msg_type"] in OUTPUT_MESSAGES and parent in messages_of:
            messages_of[parent].append(message)
    notebook = nbformat.from_dict(notebook_file.nb)
    remaining = iter(runs)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            run = next((messages for code, messages in remaining if code == cell.source), None)
            if run is None:
                return None  # a cell nbval did not run (skipped): not a full execution
            cell.outputs = outputs_from(run)
    return notebook


FAILED = set()  # notebooks with a failing cell: not recorded


def pytest_runtest_logreport(report):
    if RECORD and report.failed:
        FAILED.add(report.nodeid.split("::")[0])


def pytest_runtest_teardown(item, nextitem):
    """After a notebook's last cell: write it, executed, when every cell passed."""
    if not RECORD or not isinstance(item, IPyNbCell):
        return
    if nextitem is not None and nextitem.parent is item.parent:
        return
    path = Path(str(item.parent.fspath))
    if item.nodeid.split("::")[0] in FAILED:
        return
    notebook = executed_notebook(item.parent)
    if notebook is not None:
        edition = "zh" if path.parent.name == "zh" else "en"
        mode = "fast" if os.environ.get("GAN_COURSE_FAST", "1") == "1" else "full"
        target = Path(RECORD) / mode / "executed" / edition / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(target))
