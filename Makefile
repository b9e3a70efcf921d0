# Comptoir: `make demo` runs it on SQLite, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# mypy refuses a folder without Python files; areas join as soon as they have code.
AREAS_WITH_CODE = $(shell for d in platform tenants billing adoption; do find $$d -name '*.py' | grep -q . && echo $$d; done)

.PHONY: demo test lint install serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/comptoir demo

serve: $(STAMP)
	$(BIN)/comptoir serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy $(AREAS_WITH_CODE) tests bench

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/provision.py

clean:
	rm -rf $(VENV) comptoir.sqlite3* .comptoir-secret test-artifacts
