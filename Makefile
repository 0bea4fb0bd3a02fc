# Two entry points for a fresh machine (see README):
#   make check   set up, then check this repo's site (the main job)
#   make test    set up, then run the test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup check test publish serve bench fuzz

setup: $(VENV)/.installed
	@bash scripts/setup-tools.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

check: setup
	$(VENV)/bin/invoke check

test: setup
	$(PY) -m pytest -q

publish: setup
	$(VENV)/bin/invoke publish

serve: setup
	$(VENV)/bin/invoke serve

# Time the check against proselint, Vale and mkdocs build on generated 1,000- and 10,000-page sites
# (about half an hour; BENCH="--quick" for a few minutes). Results: benchmarks/results.md.
BENCH ?=
bench: setup
	$(PY) benchmarks/run.py $(BENCH)

# Fuzz the parser, tag syntax and range grammar: RUNS inputs each (scripts/fuzz.sh installs atheris).
RUNS ?= 100000
fuzz: setup
	bash scripts/fuzz.sh $(RUNS)
