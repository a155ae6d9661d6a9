# Two commands:  `make course` sets up and opens the course;  `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
JUPYTER_ARGS ?=

.PHONY: course test setup clean-notebooks

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
