# A JupyterHub for one class on one server: each student logs in with their Unix account and gets
# a JupyterLab of their own, running as them, with their own copy of the lessons in ~/gan-course.
# The course's Python environment is installed once and shared, read-only.
#
#     make classroom            (from the clone; or: jupyterhub -f classroom/jupyterhub_config.py)
#
# Run as root, it is the real thing: Unix accounts (gan-course add-students), the teacher as admin.
# Run as anyone else, it is a trial on 127.0.0.1: every "student" runs as you, in a home under the
# hub's state folder, with one shared password. The teacher guide ("A class on one server") walks
# through both. The settings below are the ones a class changes; each can also be set in the
# environment (GAN_CLASSROOM_THREADS=2 make classroom).
import os
import secrets
import sys
from pathlib import Path

from gan_utils.course.classroom import (COURSE_ID_ENV_VAR, EXCHANGE_ENV_VAR, STUDENTS_GROUP, default_url,
                                        installed_proxy, others_can_run)

c = get_config()  # noqa: F821 (JupyterHub provides it)


def setting(name, default):
    return os.environ.get(f"GAN_CLASSROOM_{name}", default)


HERE = Path(__file__).resolve().parent
AS_ROOT = os.geteuid() == 0
TRIAL = setting("TRIAL", "0" if AS_ROOT else "1") == "1"

IP = setting("IP", "127.0.0.1")               # where the hub listens; put it behind HTTPS before opening it up
PORT = int(setting("PORT", "8000"))
TEACHER = setting("TEACHER", "teacher")       # a Unix user: the hub's admin
GROUP = setting("GROUP", STUDENTS_GROUP)      # the Unix group of the students the hub lets in
THREADS = int(setting("THREADS", "1"))        # PyTorch threads per student: cores / students at work at once, >= 1
MODE = setting("MODE", "fast")                # "fast" (short runs) or "full" (the lessons' real training)
LANG = setting("LANG", "en")                  # "en" or "zh": the edition students get
COURSE_ID = setting("COURSE_ID", "gan-course")
STATE = Path(setting("STATE", HERE.parent / "outputs" / "classroom")).resolve()   # database, cookie secret
EXCHANGE = setting("EXCHANGE", str(STATE / "exchange") if TRIAL else "/srv/nbgrader/exchange")
PYTHON = setting("PYTHON", sys.executable)    # the shared environment's Python, the one the students' servers run
FOLDER = "~/gan-course"                       # each student's lessons and outputs, in their home

if MODE not in ("fast", "full") or LANG not in ("en", "zh") or THREADS < 1:
    sys.exit(f"classroom: MODE must be fast or full (got {MODE!r}), LANG en or zh (got {LANG!r}), "
             f"THREADS 1 or more (got {THREADS}).")
if TRIAL and AS_ROOT:
    sys.exit("classroom: the trial runs every student as the user who starts the hub, here root. As root, "
             "run the real hub (leave GAN_CLASSROOM_TRIAL unset); or start the trial as an ordinary user.")
if TRIAL and IP not in ("127.0.0.1", "localhost", "::1"):
    sys.exit(f"classroom: the trial runs every student as you with one shared password, so it listens on "
             f"127.0.0.1 only (GAN_CLASSROOM_IP={IP}). Run the hub as root for a class.")


if not TRIAL and not others_can_run(PYTHON):
    sys.exit(f"classroom: the students' servers run as the students, who cannot run {PYTHON} (it is "
             f"{Path(PYTHON).resolve()}, in a folder only its owner can enter). Make the course's "
             f"environment with a Python everyone can run, e.g. make classroom PYTHON=/usr/bin/python3 "
             f"VENV=/opt/gan-course-venv (in a new environment), or point GAN_CLASSROOM_PYTHON at one.")

STATE.mkdir(parents=True, exist_ok=True)
STATE.chmod(0o700)   # the cookie secret and the database: the hub's alone
Path(EXCHANGE).mkdir(parents=True, exist_ok=True)
if AS_ROOT or TRIAL:   # nbgrader's exchange: everyone drops work in, nobody removes another's (sticky)
    Path(EXCHANGE).chmod(0o1777)

# --- the hub and its proxy (configurable-http-proxy, from npm: make classroom installs it) ---
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_port = int(setting("HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('PROXY_API_PORT', '8001')}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
proxy = installed_proxy()
c.ConfigurableHTTPProxy.command = [str(proxy) if proxy.exists() else "configurable-http-proxy"]
c.JupyterHub.cleanup_servers = True   # stopping the hub stops every student's server

# --- who logs in ---
c.Authenticator.admin_users = {TEACHER}
if TRIAL:
    c.JupyterHub.authenticator_class = "dummy"
    password_file = STATE / "trial-password"
    if not password_file.exists():
        password_file.write_text(setting("TRIAL_PASSWORD", secrets.token_urlsafe(9)), encoding="utf-8")
    c.DummyAuthenticator.password = password_file.read_text(encoding="utf-8").strip()
    c.Authenticator.allow_all = True
    print(f"classroom trial: log in at http://{IP}:{PORT} as {TEACHER} (the admin) or any name, with the "
          f"password in {password_file}", flush=True)
else:
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {GROUP}   # students: gan-course add-students puts them there
    c.PAMAuthenticator.allowed_users = {TEACHER}   # being admin does not let one in by itself
    c.PAMAuthenticator.open_sessions = False

# --- each student's server ---
if TRIAL:
    c.JupyterHub.spawner_class = "simple"   # everyone runs as you, each in a home of their own
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")
else:
    c.JupyterHub.spawner_class = "localprocess"   # each student's server runs as their Unix user


def private_home(spawner):
    """Before a student's first server: their home readable by them alone."""
    if TRIAL:
        return
    import pwd
    home = Path(pwd.getpwnam(spawner.user.name).pw_dir)
    if home.is_dir() and home.stat().st_mode & 0o077:
        home.chmod(0o700)
        spawner.log.info("classroom: made %s readable by %s only", home, spawner.user.name)


c.Spawner.pre_spawn_hook = private_home
c.Spawner.cmd = [PYTHON, "-m", "gan_utils.course.command", "student-server", "--folder", FOLDER, "--lang", LANG]
c.Spawner.notebook_dir = FOLDER
c.Spawner.default_url = default_url(LANG)
c.Spawner.args = ["--MappingKernelManager.cull_idle_timeout=3600"]   # an idle kernel's memory back after an hour
c.Spawner.environment = {
    "OMP_NUM_THREADS": str(THREADS), "MKL_NUM_THREADS": str(THREADS),   # torch's threads per kernel
    "GAN_COURSE_FAST": "1" if MODE == "fast" else "0",
    "GAN_COURSE_LANG": LANG,
    "PATH": f"{Path(PYTHON).parent}:/usr/local/bin:/usr/bin:/bin",   # nbgrader and jupyter in a terminal
    EXCHANGE_ENV_VAR: EXCHANGE, COURSE_ID_ENV_VAR: COURSE_ID,
}
c.Spawner.start_timeout = 180   # thirty students logging in at once on a few cores take a while
c.Spawner.http_timeout = 120
