# Everything runs from a virtual environment made here from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

.PHONY: serve build check test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)  ## build the sample site and serve it with live reload on 127.0.0.1:$(PORT)
	$(PY) -m generator serve --port $(PORT)

build: $(STAMP)  ## build the sample site into build/
	$(PY) -m generator build

check: $(STAMP)
	$(PY) -m generator check

lint: $(STAMP)
	$(VENV)/bin/ruff check generator tests benchmarks
	$(VENV)/bin/ruff format --check generator tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff format generator tests benchmarks
	$(VENV)/bin/ruff check --fix generator tests benchmarks

test: $(STAMP) lint  ## every test, browser tests included
	$(PY) -m pytest -q -n 2 --dist loadfile

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf build .preview .cache
