"""The course on a class's JupyterHub (classroom/jupyterhub_config.py): each student's server
starts here, with the student's own copy of the lessons, and a teacher adds students as Unix users."""
import os
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from .lessons import copy_course, first_lesson

STUDENTS_GROUP = "gan-students"   # the hub lets in this Unix group, and the teacher (its admin)
EXCHANGE_ENV_VAR = "GAN_CLASSROOM_EXCHANGE"   # nbgrader's exchange, set by the hub for each student
COURSE_ID_ENV_VAR = "GAN_CLASSROOM_COURSE_ID"

NBGRADER_CONFIG = """\
# Written by the class's hub the first time this server started: where this class's assignments
# are released and submitted (nbgrader fetch_assignment / submit). Yours to edit.
c = get_config()  # noqa
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
"""


def start_student_server(folder: str, lang: str, server_options: list[str]) -> int:
    """Run as the student, before their Jupyter server: put the student copies of the lessons in
    ``folder`` (a first login gets them all; later ones add lessons the teacher has added and keep
    every lesson the student changed), point nbgrader at the class's exchange, then become the
    hub's single-user server."""
    folder = Path(folder).expanduser()
    report = copy_course(folder, lang, student=True)
    print(f"gan-course: {len(report.written)} new files in {folder}, {len(report.kept)} kept as the student has them",
          flush=True)
    _nbgrader_config()
    command = [sys.executable, "-m", "jupyterhub.singleuser", *server_options]
    os.chdir(folder)
    os.execv(sys.executable, command)   # the single-user server takes this process's place
    return 0


def _nbgrader_config() -> None:
    """~/.jupyter/nbgrader_config.py naming the class's exchange, once (a student's own edits stay)."""
    exchange, course_id = os.environ.get(EXCHANGE_ENV_VAR), os.environ.get(COURSE_ID_ENV_VAR)
    config = Path.home() / ".jupyter" / "nbgrader_config.py"
    if exchange and course_id and not config.exists():
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(NBGRADER_CONFIG.format(course_id=course_id, exchange=exchange), encoding="utf-8")


def others_can_run(path) -> bool:
    """Whether users other than its owner can reach and run ``path`` (every folder above it too):
    a student's server cannot start from a Python under /root, say."""
    path = Path(path).resolve()
    return (all(folder.stat().st_mode & stat.S_IXOTH for folder in path.parents)
            and bool(path.stat().st_mode & stat.S_IXOTH))


def installed_proxy() -> Path:
    """Where ``make classroom-setup`` puts JupyterHub's proxy (configurable-http-proxy, from npm):
    inside this Python's environment."""
    return Path(sys.prefix) / "classroom-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"


def default_url(lang: str) -> str:
    """Where a student's JupyterLab opens: lesson 00 of the class's edition."""
    return f"/lab/tree/{first_lesson(lang)}"


class StudentAccountError(RuntimeError):
    """Students could not be added; the message says what to do."""


def add_students(names: list[str], group: str = STUDENTS_GROUP, home_root: str | None = None) -> dict[str, str]:
    """Unix accounts for ``names`` in ``group``, each with a private home (mode 0700) and a new
    random password, returned as {name: password}. A name that already has an account joins the
    group and keeps its password (its value is ""). Needs root, as any account change does."""
    if os.geteuid() != 0:
        raise StudentAccountError("adding Unix accounts needs root: run it with sudo.")
    for tool in ("useradd", "usermod", "groupadd", "chpasswd"):
        if shutil.which(tool) is None:
            raise StudentAccountError(f"{tool} is missing: this needs a Linux server with the shadow tools "
                                      f"(Debian/Ubuntu: apt install passwd).")
    bad = [name for name in names if not _is_account_name(name)]
    if bad:
        raise StudentAccountError(f"not a usable account name: {', '.join(bad)}. Use lower-case letters, digits, "
                                  f"- and _, starting with a letter, at most 32 characters (e.g. ada_lovelace).")
    _run(["groupadd", "-f", group])
    passwords = {}
    for name in names:
        if _account_exists(name):
            _run(["usermod", "--append", "--groups", group, name])
            passwords[name] = ""
            continue
        home = ["--base-dir", home_root] if home_root else []
        _run(["useradd", "--create-home", *home, "--user-group", "--groups", group, "--shell", "/bin/bash",
              "-K", "HOME_MODE=0700", name])
        passwords[name] = secrets.token_urlsafe(9)
    new = "".join(f"{name}:{password}\n" for name, password in passwords.items() if password)
    if new:
        _run(["chpasswd"], stdin=new)
    return passwords


def _is_account_name(name: str) -> bool:
    return (0 < len(name) <= 32 and name[0].isascii() and name[0].islower()
            and all(ch.isascii() and (ch.islower() or ch.isdigit() or ch in "-_") for ch in name))


def _account_exists(name: str) -> bool:
    import pwd
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _run(command: list[str], stdin: str | None = None) -> None:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise StudentAccountError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
