# Every target creates or reuses .venv and installs what it needs.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3
# Core packages that mypy checks strictly.
TYPED  := src/isoperp/numeric src/isoperp/commands src/isoperp/events src/isoperp/markets \
          src/isoperp/book src/isoperp/accounts src/isoperp/engine src/isoperp/risk \
          src/isoperp/oracle src/isoperp/funding src/isoperp/crypto src/isoperp/governance \
          src/isoperp/stark

.PHONY: run test bench lint clean native

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The engine's hot modules, compiled in place with Cython (setup.py); only what changed.
native: $(STAMP)
	$(PY) -W ignore setup.py -q build_ext --inplace

run: native
	$(VENV)/bin/isoperp demo

test: native
	$(PY) -m pytest -n 2 -q

bench: native
	$(VENV)/bin/isoperp bench gen-flow --ops 200000 --seed 7 --out .bench-flow.jsonl
	$(VENV)/bin/isoperp bench engine --flow .bench-flow.jsonl --json
	$(VENV)/bin/isoperp bench engine --flow .bench-flow.jsonl --book-only --json

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests setup.py
	$(VENV)/bin/ruff format --check src tests setup.py
	$(VENV)/bin/mypy $(TYPED)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .bench-flow.jsonl build
	find src -name '*.so' -delete -o -name '*.c' -delete
