# Two commands:  `make course` sets up and opens the course;  `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
JUPYTER_ARGS ?=

.PHONY: course test setup clean-notebooks student course-html

course: setup
	$(BIN)/jupyter lab $(JUPYTER_ARGS) notebooks/00_welcome.ipynb

test: setup
	GAN_COURSE_FAST=$${GAN_COURSE_FAST:-1} $(BIN)/python -m pytest

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

# for course authors: strip heavy outputs from notebooks before committing them
clean-notebooks: setup
	$(BIN)/python tools/clean_notebooks.py notebooks/*.ipynb

# for teachers: student copies of the lessons (solutions replaced by placeholders) in student/;
# stops if student/ holds edits (make student STUDENT_ARGS=--force keeps them as student.old-<date>)
student: setup
	$(BIN)/python tools/student_copies.py --out student $(STUDENT_ARGS)

# for teachers: run every lesson headless in full mode; executed HTML and a summary in outputs/course_run/,
# the lessons' own files in outputs/course_run/outputs (never the learner's outputs/);
# options via COURSE_ARGS, e.g. make course-html COURSE_ARGS="--fast --only 3,7"
course-html: setup
	$(BIN)/python tools/run_course.py $(COURSE_ARGS)
