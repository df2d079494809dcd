# Every target creates or reuses .venv and installs what it needs.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3
# Core packages that mypy checks strictly.
TYPED  := src/isoperp/numeric src/isoperp/commands src/isoperp/events src/isoperp/markets \
          src/isoperp/book src/isoperp/accounts src/isoperp/engine \
          src/isoperp/oracle src/isoperp/funding src/isoperp/crypto src/isoperp/governance \
          src/isoperp/risk

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/isoperp demo

test: $(STAMP)
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(VENV)/bin/isoperp bench gen-flow --ops 200000 --seed 7 --out .bench-flow.jsonl
	$(VENV)/bin/isoperp bench engine --flow .bench-flow.jsonl --json
	$(VENV)/bin/isoperp bench engine --flow .bench-flow.jsonl --book-only --json

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy $(TYPED)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .bench-flow.jsonl
