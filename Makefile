# Boutique: `make run` serves the demo shop, `make test` runs every test tier.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run serve migrate demo test test-fast lint format lock clean bench \
        cluster cluster-stop cluster-test

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

# Load benchmark on PostgreSQL (not part of `make test`; see bench/README.md).
# BENCH_SIZE=small for a quick run; BENCH_ARGS="--growth" or "--scenarios product,checkout".
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# A cluster on one machine (issue 12): nginx on :8480 round-robin over two gunicorn
# app servers (:8481, :8482), a Celery worker and beat, PostgreSQL database
# boutique_cluster and Redis; installs nginx with apt when missing. State, pid files
# and logs in var/cluster/. Not part of `make test`: cluster-test needs it running.
cluster: install
	@bash scripts/cluster.sh start

cluster-stop:
	@bash scripts/cluster.sh stop

cluster-test: install
	$(BIN)/python scripts/cluster_test.py

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
