# The two front-door commands: `make run` and `make test`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test env browser lint typecheck clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

env: $(STAMP)

# Browser tests drive Debian's Chromium; Playwright never downloads a browser here. axe-core, which
# they inject to check accessibility, comes from package-lock.json (npm ci), never at test time.
browser: node_modules/.package-lock.json
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

run: $(STAMP)
	EQUIPOISE_MODE=demo $(BIN)/equipoise setup-demo
	EQUIPOISE_MODE=demo $(BIN)/equipoise serve --host $(HOST) --port $(PORT)

# The import contracts (pyproject [tool.importlinter]) and mypy (zero errors) before the tests.
test: $(STAMP) browser
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

# mypy with django-stubs (pyproject [tool.mypy]); see DEVELOPERS.md "Checks".
typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var node_modules
