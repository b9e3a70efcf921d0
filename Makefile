# Comptoir: `make demo` runs it on SQLite, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# mypy refuses a folder without Python files; areas join as soon as they have code.
# mypy cannot follow the editable install's import hook: it reads the areas under
# their import names (comptoir.platform, …) through a tree of links in the venv.
TYPING_ROOT := $(VENV)/typing-root
AREAS_WITH_CODE = $(shell for d in platform tenants billing adoption; do find $$d -name '*.py' | grep -q . && echo $$d; done)

.PHONY: demo test lint install serve bench bench-seed bench-lists clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# make demo PORT=8137: links in pages and e-mails follow the port (see COMPTOIR_BASE_URL).
PORT ?= 8000
demo: $(STAMP)
	$(BIN)/comptoir demo --port $(PORT)

serve: $(STAMP)
	$(BIN)/comptoir serve

lint: $(STAMP)
	$(BIN)/ruff check .
	@mkdir -p $(TYPING_ROOT)/comptoir
	@for d in $(AREAS_WITH_CODE); do ln -sfn $(CURDIR)/$$d $(TYPING_ROOT)/comptoir/$$d; done
	MYPYPATH=$(TYPING_ROOT) $(BIN)/mypy $(addprefix $(TYPING_ROOT)/comptoir/,$(AREAS_WITH_CODE)) tests bench

# pytest-xdist: one test process per core (at most 4); each has its own SQLite file,
# PostgreSQL database, SMTP server and browser. `make test TEST_WORKERS=0` runs in this process.
TEST_WORKERS ?= auto
test: $(STAMP) lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --maxprocesses=4

bench: $(STAMP)
	$(BIN)/python bench/provision.py

# 1,000 tenants, one with 1M contacts, in database comptoir_bench (kept for bench-lists).
bench-seed: $(STAMP)
	$(BIN)/python bench/seed.py --fresh

bench-lists: $(STAMP)
	$(BIN)/python bench/lists.py

clean:
	rm -rf $(VENV) comptoir.sqlite3* .comptoir-secret test-artifacts
