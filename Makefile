# Two commands:  `make course` sets up and opens the course;  `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
JUPYTER_ARGS ?=

.PHONY: course course-zh test setup book book-fast book-setup clean-notebooks student course-html classroom classroom-setup

course: setup
	$(BIN)/jupyter lab $(JUPYTER_ARGS) notebooks/00_welcome.ipynb

# 中文版: the Chinese lessons, gan_utils printing in Chinese and JupyterLab's menus in Chinese
# (its own settings folder in the environment, so `make course` keeps an English JupyterLab)
ZH_SETTINGS := $(VENV)/jupyterlab-settings-zh
ZH_LOCALE := $(ZH_SETTINGS)/@jupyterlab/translation-extension/plugin.jupyterlab-settings
course-zh: setup
	@mkdir -p $(dir $(ZH_LOCALE))
	@test -f $(ZH_LOCALE) || echo '{"locale": "zh_CN"}' > $(ZH_LOCALE)
	JUPYTERLAB_SETTINGS_DIR=$(ZH_SETTINGS) GAN_COURSE_LANG=zh $(BIN)/jupyter lab $(JUPYTER_ARGS) notebooks/zh/00_welcome.ipynb

# two workers (pytest-xdist; each notebook stays on one worker; the longest files first, see
# conftest.py), then the book in fast mode, then the browser tests apart from the rest, JupyterLab's
# on one worker and the book's pages on the other;
# (the book reuses the lessons nbval ran, kept by tests/record_executions.py: nothing runs twice)
test: setup book-setup classroom-setup
	GAN_COURSE_FAST=$${GAN_COURSE_FAST:-1} GAN_COURSE_RECORD=$(CURDIR)/outputs/book_build \
	    $(BIN)/python -m pytest -n 2 --dist loadscope --no-loadscope-reorder -m "not browser" --durations=8
	GAN_COURSE_FAST=$${GAN_COURSE_FAST:-1} $(BIN)/python tools/build_book.py
	GAN_COURSE_FAST=$${GAN_COURSE_FAST:-1} $(BIN)/python -m pytest -n 2 --dist loadfile -m browser

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	@# nbgrader (teachers' assignments, and its test) adds menus and panels to JupyterLab: off for
	@# learners; the teacher guide says how a teacher turns them on
	-$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1
	-$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter-notebook/lab-extension >/dev/null 2>&1
	for part in formgrader assignment_list course_list validate_assignment; do \
	    $(BIN)/jupyter server extension disable --sys-prefix nbgrader.server_extensions.$$part >/dev/null 2>&1 || true; done
	touch $@

# the course as a static website: every lesson executed in full mode (71 minutes for both editions
# on a 2-core CPU the first time; unchanged lessons come from the cache), English and Chinese,
# in outputs/book/; `make book-fast` builds a quick fast-mode copy in outputs/book-fast/.
# Read it offline: python -m http.server 8000 --bind 127.0.0.1 --directory outputs/book
book: setup book-setup
	$(BIN)/python tools/build_book.py --full $(BOOK_ARGS)

book-fast: setup book-setup
	$(BIN)/python tools/build_book.py --fast $(BOOK_ARGS)

book-setup: $(VENV)/.book-installed

$(VENV)/.book-installed: requirements-book.txt $(VENV)/.installed
	$(BIN)/python -m pip install -r requirements-book.txt
	touch $@

# for course authors: strip heavy outputs from notebooks before committing them
clean-notebooks: setup
	$(BIN)/python tools/clean_notebooks.py notebooks/*.ipynb $(wildcard notebooks/zh/*.ipynb)

# for teachers: student copies of the lessons (solutions replaced by placeholders) in student/
# (the Chinese edition in student/zh/);
# stops if student/ holds edits (make student STUDENT_ARGS=--force keeps them as student.old-<date>)
student: setup
	$(BIN)/python tools/student_copies.py --out student $(STUDENT_ARGS)

# for teachers: run every lesson headless in full mode; executed HTML and a summary in outputs/course_run/,
# the lessons' own files in outputs/course_run/outputs (never the learner's outputs/);
# options via COURSE_ARGS, e.g. make course-html COURSE_ARGS="--fast --only 3,7";
# the Chinese edition: make course-html COURSE_ARGS="--notebooks notebooks/zh --out outputs/course_run_zh"
course-html: setup
	$(BIN)/python tools/run_course.py $(COURSE_ARGS)

# for teachers: the class's JupyterHub on this machine (classroom/jupyterhub_config.py; the teacher
# guide's "A class on one server"). As root it serves Unix accounts (gan-course add-students);
# as anyone else it is a trial on 127.0.0.1. Settings as GAN_CLASSROOM_* variables, e.g.
# make classroom GAN_CLASSROOM_THREADS=2 GAN_CLASSROOM_MODE=full
classroom: setup classroom-setup
	$(BIN)/jupyterhub -f classroom/jupyterhub_config.py

# JupyterHub's proxy, configurable-http-proxy, from npm into the environment (tests/test_classroom.py
# needs it too; without npm that test says why it skipped)
classroom-setup: setup
	@if [ -x $(VENV)/classroom-proxy/node_modules/.bin/configurable-http-proxy ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	    npm install --silent --no-fund --no-audit --prefix $(VENV)/classroom-proxy configurable-http-proxy@5; \
	else echo "npm is missing: install Node.js (e.g. apt install nodejs npm) for make classroom and its test"; fi
