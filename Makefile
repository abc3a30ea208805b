# Plateau: `make run` serves the platform with demo data; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
UV      := $(VENV)/bin/uv
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
VENDOR  := src/plateau/web/static/vendor
APT_GET := $(if $(filter 0,$(shell id -u)),apt-get,sudo apt-get)

.PHONY: help install install-dev assets system-deps test-system-deps run test lint typecheck pytest migrations bench screens clean

help:
	@echo "make run   - install, prepare the SQLite database with plans and demo data, serve on http://127.0.0.1:8000"
	@echo "make test  - install with dev tools, then ruff, mypy and the whole test suite (SQLite, PostgreSQL, browser)"

$(PY):
	python3 -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV) assets
	$(UV) sync --frozen --no-dev --quiet

install-dev: $(UV) assets
	$(UV) sync --frozen --quiet

# Browser assets come from the npm registry at build time and are served by the app itself.
assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/bulma/css/bulma.min.css $(VENDOR)/
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	touch $@

# Debian packages the platform needs at run time: Pango for PDF reports, a CJK font.
system-deps:
	@missing=""; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq --no-install-recommends $$missing; \
	fi

# Debian packages the tests need besides: PostgreSQL (initdb/pg_ctl), Chromium.
test-system-deps: system-deps
	@missing=""; \
	command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq --no-install-recommends $$missing; \
	fi

run: install system-deps
	$(VENV)/bin/plateau init
	$(VENV)/bin/plateau demo load --if-empty
	$(VENV)/bin/plateau demo credentials
	$(VENV)/bin/plateau serve --host 127.0.0.1 --port 8000

lint: install-dev
	$(VENV)/bin/ruff check src tests scripts bench
	$(VENV)/bin/ruff format --check src tests scripts bench

typecheck: install-dev
	$(VENV)/bin/mypy

pytest: install-dev test-system-deps
	$(VENV)/bin/pytest -q

test: lint typecheck pytest

# Speed, measured against a plain SQL baseline in the same run (see docs/performance.md).
bench: install-dev test-system-deps
	$(PY) -m bench monitoring

# Screenshots of the main pages in both languages (docs/screens/), from a throw-away demo database.
screens: install-dev test-system-deps
	$(PY) -m scripts.screens

# Regenerate the initial migration from the models (only while nothing is deployed).
migrations: install-dev
	$(PY) scripts/regen_migration.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache .mypy_cache .ruff_cache
