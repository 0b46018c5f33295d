# cellmap — `make demo` and `make test` do all set-up on a fresh Debian machine (Python 3.11).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FRONTEND := cellmap/web/frontend
STATIC := cellmap/web/static/app.js

.PHONY: demo test bench venv frontend clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The browser bundle: assets come from npm and are built into the package (no CDN at run time).
frontend: $(STAMP)
	@if [ -f $(FRONTEND)/package.json ]; then \
		cd $(FRONTEND) && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && npm run build; \
	fi

demo: $(STAMP) frontend
	$(VENV)/bin/cellmap demo

test: $(STAMP) frontend
	$(PY) -m pytest -n 2 --dist loadgroup -q

bench: $(STAMP) frontend
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
