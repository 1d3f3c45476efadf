# The two commands a newcomer needs:  make demo  and  make test.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/taizhang
SCALE ?= 0.02
PORT ?= 8000

.PHONY: install demo serve test test-sqlite test-postgres check lint format messages bench clean

$(BIN)/.installed: pyproject.toml
	scripts/system-deps.sh build
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Build the demo campaign on SQLite (./var/) and serve it at http://127.0.0.1:$(PORT)
demo: install
	$(BIN)/taizhang demo --scale $(SCALE) --port $(PORT)

serve: install
	$(BIN)/taizhang serve --port $(PORT)

## Lint, Django's checks, then every test on SQLite and on PostgreSQL
test: install check
	scripts/system-deps.sh
	$(MAKE) --no-print-directory test-sqlite test-postgres

test-sqlite: install
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest

test-postgres: install
	scripts/ensure-postgres.sh "$(PG_URL)"
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy taizhang bench
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

lint: check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Re-extract and fill the English catalogue after changing user-facing strings
messages: install
	cd taizhang && ../$(BIN)/django-admin makemessages -l en --settings=taizhang.settings
	$(BIN)/python taizhang/locale/fill_po.py
	cd taizhang && ../$(BIN)/django-admin compilemessages --settings=taizhang.settings

bench: install
	$(BIN)/python bench/ledger.py

clean:
	rm -rf $(VENV) var *.egg-info
