# cellmap — `make demo`, `make test` and `make lint` do all set-up on a fresh Debian machine (Python 3.11).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FRONTEND := cellmap/web/frontend
STATIC := cellmap/web/static/app.js

.PHONY: demo test lint fuzz bench venv frontend clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

venv: $(STAMP)

# The browser bundle: assets come from npm and are built into the package (no CDN at run time).
# The built bundle is committed too; it is rebuilt when the front-end sources are newer than it.
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/package.json $(FRONTEND)/build.mjs -type f 2>/dev/null)

$(STATIC): $(FRONTEND_SOURCES)
	@if [ -f $(FRONTEND)/package.json ]; then \
		cd $(FRONTEND) && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && npm run build; \
	fi
	@touch $(STATIC)

frontend: $(STATIC)

demo: $(STAMP) frontend
	$(VENV)/bin/cellmap demo

test: $(STAMP) frontend
	$(PY) -m pytest -n 2 --dist loadgroup -q

# Style, types and layers: ruff (lint and format), mypy (config in pyproject.toml), import-linter contracts.
lint: $(STAMP)
	$(VENV)/bin/ruff check cellmap tests bench
	$(VENV)/bin/ruff format --check cellmap tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The big fuzz run of the importers (tests/fuzz): 100,000 inputs, mutations of real files and
# Hypothesis-drawn files of every format; reports crashes and partial writes (both must be 0).
fuzz: $(STAMP)
	$(PY) -m tests.fuzz --inputs 100000 --workers 2

bench: $(STAMP) frontend
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
