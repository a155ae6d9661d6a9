"""The class's hub started on free ports (Hub), with a throwaway class of students
(ThrowawayClass), and a student driven over HTTP the way a browser drives it (Student): log in,
start the server, run a lesson in a kernel through the server's API, stop.
tests/test_classroom.py and benchmarks/classroom_load.py use it; a teacher can too, to check a hub
before class."""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect


class HubError(RuntimeError):
    """The hub or a student's server did not do what was asked; the message says what it answered."""


CONFIG = Path(__file__).resolve().parent / "jupyterhub_config.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Hub:
    """``jupyterhub -f classroom/jupyterhub_config.py`` in ``folder`` (its state, exchange and log
    there), on free ports, with GAN_CLASSROOM_* ``settings``; ``stop()`` stops it and everything it
    started."""

    def __init__(self, folder: Path, **settings: str):
        self.folder = Path(folder)
        ports = {name: str(free_port()) for name in ("PORT", "HUB_PORT", "PROXY_API_PORT")}
        settings = {"STATE": str(self.folder / "state"), "EXCHANGE": str(self.folder / "exchange"), **ports, **settings}
        self.url = f"http://127.0.0.1:{settings['PORT']}"
        self.log = self.folder / "hub.log"
        environment = dict(os.environ, **{f"GAN_CLASSROOM_{name}": value for name, value in settings.items()})
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=self.folder,
                                            env=environment, stdout=log, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 90) -> "Hub":
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                raise HubError(f"the hub stopped (exit {self.process.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=5).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise HubError(f"the hub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self, students=()) -> list[int]:
        """Stop the hub (it stops the students' servers and its proxy); kill whatever of the
        students' it left running, and return those processes' ids (none, if all is well)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        left = processes_of(set(students))
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        return left


class ThrowawayClass:
    """A hub in a new temporary folder, with ``students`` students and a teacher (its admin), all
    named ``<prefix><tag>...``. As root they are throwaway Unix accounts with homes in that folder,
    as in a real class; otherwise the hub's trial, with one password. ``close()`` stops the hub,
    removes the accounts and the folder, and returns the ids of students' processes the hub left."""

    def __init__(self, prefix: str, students: int, **settings: str):
        from gan_utils.course.classroom import add_students
        self.folder = Path(tempfile.mkdtemp(prefix="gan-classroom-"))
        self.folder.chmod(0o755)   # the students' homes sit inside it
        self.group = f"{prefix}{uuid.uuid4().hex[:6]}"
        self.names, self.teacher = [f"{self.group}{number:02d}" for number in range(students)], f"{self.group}t"
        self.as_root, self.hub = os.geteuid() == 0, None
        try:
            if self.as_root:
                self.python = students_python(self.folder)
                (self.folder / "homes").mkdir(mode=0o755)
                self.passwords = add_students(self.names, self.group, str(self.folder / "homes"))
                self.passwords |= add_students([self.teacher], f"{self.group}staff", str(self.folder / "homes"))
            else:
                self.python = Path(sys.executable)
                self.passwords = dict.fromkeys([*self.names, self.teacher], f"trial-{self.group}")
            self.hub = Hub(self.folder, GROUP=self.group, TEACHER=self.teacher, PYTHON=str(self.python),
                           TRIAL="0" if self.as_root else "1", TRIAL_PASSWORD=f"trial-{self.group}", **settings)
        except BaseException:
            self.close()
            raise

    def close(self) -> list[int]:
        left = self.hub.stop(self.names) if self.hub is not None else []
        if self.as_root:
            for name in [*self.names, self.teacher]:
                subprocess.run(["userdel", "--remove", name], capture_output=True)
            for name in (self.group, self.teacher, f"{self.group}staff"):
                subprocess.run(["groupdel", name], capture_output=True)
        subprocess.run(["rm", "-rf", str(self.folder)])
        return left


def processes_of(names: set[str]) -> list[int]:
    """Processes a hub started for these students (servers and kernels), found by the
    JUPYTERHUB_USER the hub gives them."""
    import psutil
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("JUPYTERHUB_USER") in names:
                found.append(process.pid)
        except (psutil.Error, OSError):
            pass
    return found


def students_python(folder: Path) -> Path:
    """A Python the students can run, with this environment's packages: this one; or, where it sits
    in a folder only its owner can enter (a Python under /root), the system's Python of the same
    version in a virtual environment in ``folder`` that adds this environment's packages and data.
    Raises HubError when there is neither."""
    from gan_utils.course.classroom import others_can_run
    if others_can_run(sys.executable):
        return Path(sys.executable)
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists() or not others_can_run(system):
        raise HubError(f"students cannot run {sys.executable}, and there is no {system} to lend them its packages")
    venv = Path(folder) / "students-venv"
    subprocess.run([system, "-m", "venv", "--without-pip", venv], check=True)
    packages = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    (next(venv.glob("lib/python3*/site-packages")) / "course-environment.pth").write_text(
        f"import site; site.addsitedir({str(packages)!r})\n")
    for shared in ("share", "etc"):   # kernels, JupyterLab's files, and the environment's Jupyter settings
        if (Path(sys.prefix) / shared).exists():
            (venv / shared).symlink_to(Path(sys.prefix) / shared)
    python = venv / "bin" / "python"
    for script in (Path(sys.prefix) / "bin").iterdir():   # the commands (nbgrader, alembic, jupyter), on its Python
        text = script.read_bytes() if script.is_file() and not script.is_symlink() else b""
        if text.startswith(b"#!") and Path(sys.prefix).as_posix().encode() in text.split(b"\n", 1)[0]:
            target = venv / "bin" / script.name
            if not target.exists():
                target.write_bytes(b"#!" + str(python).encode() + b"\n" + text.split(b"\n", 1)[1])
                target.chmod(0o755)
    return python


class Student:
    def __init__(self, hub_url: str, name: str):
        self.hub, self.name = hub_url.rstrip("/"), name
        self.http = requests.Session()
        self.token = None

    def log_in(self, password: str) -> None:
        """The login form, as a browser posts it (with its xsrf token), then an API token for the rest."""
        self.http.get(f"{self.hub}/hub/login", timeout=30).raise_for_status()
        xsrf = self.http.cookies.get("_xsrf", path="/hub/")
        answer = self.http.post(f"{self.hub}/hub/login", data={"username": self.name, "password": password,
                                                                "_xsrf": xsrf}, allow_redirects=False, timeout=60)
        if answer.status_code != 302:
            raise HubError(f"{self.name} could not log in: HTTP {answer.status_code}")
        xsrf = self.http.cookies.get("_xsrf", path="/hub/")   # logging in set a new one, bound to the session
        answer = self.http.post(f"{self.hub}/hub/api/users/{self.name}/tokens", headers={"X-XSRFToken": xsrf},
                                json={"note": "hub_client", "expires_in": 3600}, timeout=30)
        self._check(answer, "could not get an API token")
        self.token = answer.json()["token"]

    def start_server(self, timeout: float = 300) -> float:
        """Ask the hub for this student's server and wait until it answers; the seconds it took."""
        start = time.perf_counter()
        self._check(self._api("post", f"/hub/api/users/{self.name}/server"), "could not start a server")
        while time.perf_counter() - start < timeout:
            server = self._api("get", f"/hub/api/users/{self.name}").json()["servers"].get("", {})
            if server.get("ready"):
                return time.perf_counter() - start
            time.sleep(0.25)
        raise HubError(f"{self.name}'s server was not ready after {timeout:.0f} s")

    def stop_server(self, timeout: float = 120) -> None:
        self._api("delete", f"/hub/api/users/{self.name}/server")
        start = time.perf_counter()
        while self._api("get", f"/hub/api/users/{self.name}").json()["servers"]:
            if time.perf_counter() - start > timeout:
                raise HubError(f"{self.name}'s server did not stop within {timeout:.0f} s")
            time.sleep(0.25)

    def server_api(self, method: str, path: str, **options) -> requests.Response:
        """A request to this student's Jupyter server (``path`` after /user/<name>/api/)."""
        return self._api(method, f"/user/{self.name}/api/{path}", **options)

    def run_notebook(self, path: str, then: str = "", cell_timeout: float = 600) -> str:
        """Run every code cell of the notebook at ``path`` (relative to the student's folder) in a
        new kernel, as JupyterLab would; then the code ``then`` in the same kernel. Returns what the
        last run printed; raises HubError naming the cell that failed."""
        notebook = self._check(self.server_api("get", f"contents/{path}"), f"has no {path}").json()["content"]
        cells = [("".join(cell["source"]), index) for index, cell in enumerate(notebook["cells"])
                 if cell["cell_type"] == "code"]
        session = self._check(self.server_api("post", "sessions", json={
            "path": path, "type": "notebook", "name": path, "kernel": {"name": "python3"}}), "could not start a kernel")
        try:
            return asyncio.run(self._execute(session.json()["kernel"]["id"], cells + [(then, "after")], cell_timeout))
        finally:
            self.server_api("delete", f"sessions/{session.json()['id']}")

    async def _execute(self, kernel_id: str, cells, cell_timeout: float) -> str:
        url = self.hub.replace("http", "ws", 1) + f"/user/{self.name}/api/kernels/{kernel_id}/channels"
        socket = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"},
                                                      connect_timeout=300, request_timeout=300))   # a busy server is slow to answer
        session, printed = uuid.uuid4().hex, ""
        try:
            for code, where in cells:
                msg_id = uuid.uuid4().hex
                await socket.write_message(json.dumps({
                    "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                               "username": self.name, "version": "5.3"},
                    "parent_header": {}, "metadata": {}, "channel": "shell",
                    "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                "allow_stdin": False, "stop_on_error": True}}))
                printed = ""
                while True:
                    raw = await asyncio.wait_for(socket.read_message(), cell_timeout)
                    if raw is None:
                        raise HubError(f"{self.name}'s kernel closed its connection during cell {where}")
                    message = json.loads(raw)
                    if message.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind, content = message["msg_type"], message["content"]
                    if kind == "stream":
                        printed += content["text"]
                    elif kind == "error":
                        raise HubError(f"cell {where} failed in {self.name}'s kernel: {content['ename']}: "
                                       f"{content['evalue']}")
                    elif kind == "execute_reply":
                        break
        finally:
            socket.close()
        return printed

    def _api(self, method: str, path: str, **options) -> requests.Response:
        options.setdefault("timeout", 60)
        return self.http.request(method, self.hub + path, headers={"Authorization": f"token {self.token}"}, **options)

    def _check(self, answer: requests.Response, what: str) -> requests.Response:
        if answer.status_code >= 400:
            raise HubError(f"{self.name} {what}: HTTP {answer.status_code} {answer.text[:300]}")
        return answer
