# Gongzhi — the commands the README names.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/gongzhi_test
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SIZE ?= county
PYTEST_ARGS ?=

.PHONY: run install test test-pg lint bench browser-deps screenshots clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/gongzhi serve --host $(HOST) --port $(PORT) --demo-size $(DEMO_SIZE)

# Browser tests drive Debian's Chromium; CJK fonts make Chinese text render.
browser-deps:
	@bash scripts/browser-deps.sh

test: install browser-deps
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-pg: install browser-deps
	@bash scripts/ensure-services.sh
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy apps config gongzhi
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	GONGZHI_SECRET_KEY=lint-check-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	GONGZHI_HTTPS=1 $(BIN)/python manage.py check --deploy --fail-level WARNING

# Every benchmark at BENCH_SIZE (tiny … large; each script's own default is the size its issue
# names — run one directly for that). Each prints `RESULT …` as its last line.
BENCH_SIZE ?= small
bench: install
	@bash scripts/ensure-services.sh
	@set -e; for b in bench/*_bench.py; do echo "== $$b --size $(BENCH_SIZE)"; \
	  $(BIN)/python $$b --size $(BENCH_SIZE) $(BENCH_ARGS); done

# Refresh the pictures in docs/screenshots/ from the browser tests.
screenshots: install browser-deps
	GONGZHI_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/browser

clean:
	rm -rf $(VENV) data/gongzhi.sqlite3*
