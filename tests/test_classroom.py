"""The class's JupyterHub (classroom/jupyterhub_config.py), started for real on 127.0.0.1: two
students log in over HTTP, get servers of their own, run lesson 00 through their server's API, and
each finds their own lessons and outputs while the shared environment stays as it was. Run as root
(CI is), the students are two throwaway Unix users logging in with PAM, and neither can read the
other's home; otherwise it is the hub's trial (everyone runs as you), and that part says it skipped."""
import importlib.util
import json
import os
import pwd
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gan_utils.course.classroom import installed_proxy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "classroom"))
from hub_client import HubError, Student, ThrowawayClass  # noqa: E402

PROXY = installed_proxy()
AS_ROOT = os.geteuid() == 0
LESSON = "00_welcome.ipynb"
# run in each student's kernel after lesson 00: who and where it ran, and a file of its own in outputs/
AFTER_THE_LESSON = """\
import json, os, pwd, torch
from gan_utils import load_mnist, settings, viz
saved = viz.save_grid(load_mnist().images[:16], settings.output_dir() / "classroom_check.png")
print(json.dumps({"user": pwd.getpwuid(os.geteuid()).pw_name, "cwd": os.getcwd(), "threads": torch.get_num_threads(),
                  "fast": settings.is_fast(), "saved": str(saved)}))
"""

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("jupyterhub") is None,
                       reason="JupyterHub is not installed: make setup installs it (requirements.txt)"),
    # CI (CI=true) installs Node.js, so there a missing proxy is a failure, not a skip
    pytest.mark.skipif(not PROXY.exists() and os.environ.get("CI") != "true",
                       reason="configurable-http-proxy is missing: make classroom-setup installs it with npm "
                              "(install Node.js first)"),
]


def snapshot(*folders: Path) -> dict:
    """Every file under ``folders`` with its size and modification time (bytecode caches left out:
    other tests import modules for the first time while this one runs)."""
    return {str(path): (path.stat().st_size, path.stat().st_mtime_ns)
            for folder in folders for path in folder.rglob("*")
            if "__pycache__" not in path.parts and path.is_file() and not path.is_symlink()}


def as_user(name: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", name, "--", *command], capture_output=True, text=True)


@pytest.fixture(scope="module")
def classroom():
    """A hub on free ports with two students and a teacher; everything it started stopped, the accounts removed."""
    try:
        room = ThrowawayClass("gct", 2, THREADS="1", MODE="fast")
    except HubError as err:   # no Python the students can run
        pytest.skip(str(err))
    try:
        try:
            room.hub.wait()
        except HubError as err:
            pytest.fail(str(err))
        yield {"url": room.hub.url, "names": room.names, "passwords": room.passwords, "python": room.python,
               "teacher": room.teacher, "exchange": room.folder / "exchange", "state": room.folder / "state"}
    finally:
        left = room.close()
        assert not left, f"the hub left {len(left)} of the students' processes running"


def test_two_students_get_servers_lessons_and_outputs_of_their_own(classroom):
    package, environment = ROOT / "gan_utils", Path(sys.prefix)
    shared = {package, environment, classroom["python"].parent.parent}
    shared_before = snapshot(*shared)
    students = [Student(classroom["url"], name) for name in classroom["names"]]
    spawn_seconds = []
    for student in students:
        student.log_in(classroom["passwords"][student.name])
        spawn_seconds.append(student.start_server())
    print(f"\nspawn time per student: {', '.join(f'{s:.1f} s' for s in spawn_seconds)}")

    reports, failures = {}, []

    def run_lesson(student):
        try:
            start = time.perf_counter()
            reports[student.name] = json.loads(student.run_notebook(LESSON, then=AFTER_THE_LESSON).strip().splitlines()[-1])
            reports[student.name]["seconds"] = time.perf_counter() - start
        except (HubError, ValueError) as err:
            failures.append(str(err))
    runs = [threading.Thread(target=run_lesson, args=(student,)) for student in students]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert not failures, failures
    print("lesson 00 in each student's kernel, side by side: "
          + ", ".join(f"{report['seconds']:.1f} s" for report in reports.values()))

    homes = {}
    for student in students:
        report = reports[student.name]
        home = Path(report["cwd"]).parent
        homes[student.name] = home
        assert Path(report["cwd"]).name == "gan-course" and report["fast"] and report["threads"] == 1
        assert Path(report["saved"]) == home / "gan-course" / "outputs" / "classroom_check.png"
        assert Path(report["saved"]).stat().st_size > 0 and (home / "gan-course" / LESSON).is_file()
        assert "### BEGIN SOLUTION" not in (home / "gan-course" / LESSON).read_text()   # student copies
        if AS_ROOT:
            assert report["user"] == student.name
            assert (home / "gan-course" / "outputs").stat().st_uid == pwd.getpwnam(student.name).pw_uid
    assert len(set(homes.values())) == 2
    # the hub lets nobody into another student's server
    alice, bob = students
    assert alice.server_api("get", "contents").status_code == 200
    assert alice._api("get", f"/user/{bob.name}/api/contents").status_code in (403, 404)
    for student in students:
        student.stop_server()
    assert snapshot(*shared) == shared_before, \
        "something was written into the shared environment"

    classroom["homes"] = homes


def test_the_teacher_is_the_admin_and_the_hub_listens_on_localhost_only(classroom):
    import psutil
    teacher, student = Student(classroom["url"], classroom["teacher"]), Student(classroom["url"], classroom["names"][0])
    teacher.log_in(classroom["passwords"][teacher.name])
    student.log_in(classroom["passwords"][student.name])
    listed = teacher._api("get", "/hub/api/users")
    assert listed.status_code == 200 and set(classroom["names"]) <= {user["name"] for user in listed.json()}
    assert student._api("get", "/hub/api/users").status_code == 403   # a student sees no one else
    port = int(classroom["url"].rsplit(":", 1)[1])
    listening = {c.laddr.ip for c in psutil.net_connections("tcp") if c.status == "LISTEN" and c.laddr.port == port}
    assert listening == {"127.0.0.1"}, f"the hub listens on {listening}"
    assert classroom["state"].stat().st_mode & 0o777 == 0o700   # its cookie secret and database: the hub's alone


@pytest.mark.skipif(not AS_ROOT, reason="not root: the students ran as you (the hub's trial), so one reading "
                                        "the other's home cannot be checked; run as root to check it with two Unix users")
def test_a_student_cannot_read_another_students_home_or_write_the_shared_environment(classroom):
    if "homes" not in classroom:
        pytest.skip("needs the students' homes from test_two_students_get_servers_lessons_and_outputs_of_their_own")
    alice, bob = classroom["names"]
    homes = classroom["homes"]
    bob_lesson = homes[bob] / "gan-course" / LESSON
    assert as_user(alice, "cat", str(homes[alice] / "gan-course" / LESSON)).returncode == 0   # their own: yes
    assert as_user(alice, "cat", str(bob_lesson)).returncode != 0, "a student could read another's lesson"
    assert as_user(alice, "ls", str(homes[bob])).returncode != 0, "a student could list another's home"
    assert as_user(alice, "touch", str(homes[bob] / "gan-course" / "outputs" / "x")).returncode != 0
    for shared in (ROOT / "gan_utils", Path(sys.prefix) / "lib", classroom["python"].parent):
        assert as_user(alice, "test", "-w", str(shared)).returncode != 0, f"a student can write to {shared}"


@pytest.mark.skipif(not AS_ROOT, reason="not root: nbgrader's exchange between Unix users needs two of them")
def test_submissions_go_through_the_exchange_where_students_cannot_see_each_others(classroom):
    if "homes" not in classroom:
        pytest.skip("needs the students' servers from test_two_students_get_servers_lessons_and_outputs_of_their_own")
    teacher, (alice, bob) = classroom["teacher"], classroom["names"]
    commands = f"PATH={classroom['python'].parent}:/usr/bin:/bin"   # the environment's nbgrader, as the hub gives it

    def run(user, script):
        done = as_user(user, "env", commands, "bash", "-c", f"cd ~ && {script}")
        assert done.returncode == 0, f"{user}: {script}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    run(teacher, f"python -m gan_utils.course.command assignments grading --exchange {classroom['exchange']} "
                 f"--lessons 00 && cd grading && nbgrader generate_assignment 00_welcome && "
                 f"nbgrader release_assignment 00_welcome")
    for student in (alice, bob):   # each with the nbgrader settings their first server wrote
        run(student, "nbgrader fetch_assignment 00_welcome && nbgrader submit 00_welcome")
    inbound = classroom["exchange"] / "gan-course" / "inbound"
    assert as_user(bob, "ls", str(inbound)).returncode != 0, "a student could list the others' submissions"
    run(teacher, "cd grading && nbgrader collect 00_welcome")
    submitted = Path(pwd.getpwnam(teacher).pw_dir) / "grading" / "submitted"
    assert sorted(path.name for path in submitted.iterdir()) == sorted([alice, bob])
