# Boutique: `make run` serves the demo shop, `make test` runs every test tier.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run serve migrate demo test test-fast lint format lock clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --python $(BIN)/python -q -r requirements.lock
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo_load

run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (store /, back office /admin/, API /api/docs)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	@bash scripts/test.sh

test-fast: install
	$(BIN)/pytest -x -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock

clean:
	rm -rf $(VENV) var/static var/test*.sqlite3*
