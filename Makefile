# signhub — two commands: `make demo` (dashboard with demo data) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
PORT ?= 8000
DEMO_HOST ?= 127.0.0.1

.PHONY: install env demo test lint format serve bench clean

env: .env

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv resolves and installs in a few seconds where pip takes half a minute (a fresh clone's
# `make demo` prints its logins in ~15 s, not ~50 s); plain pip if uv cannot be had.
$(STAMP): pyproject.toml | $(BIN)/python
	( $(BIN)/pip install -qq uv && \
	  $(BIN)/uv pip install -q --python $(BIN)/python -e ".[dev]" ) || \
	  $(BIN)/pip install -qq -e ".[dev]"
	touch $(STAMP)

# Fresh random SECRET_KEY and credential key, written once and never overwritten.
.env: | $(BIN)/python
	$(BIN)/python -c "import secrets; from cryptography.fernet import Fernet; \
	print('SECRET_KEY=' + secrets.token_urlsafe(50)); \
	print('SIGNHUB_ENCRYPTION_KEYS=' + Fernet.generate_key().decode())" > .env || (rm -f .env; exit 1)

install: $(STAMP) .env

demo: install
	DEBUG=1 $(BIN)/python manage.py demo --host $(DEMO_HOST) --port $(PORT) $(DEMO_ARGS)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -W error::DeprecationWarning -m pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

format: lint

# Production-style serving: gunicorn (deploy/gunicorn.conf.py; WEB_CONCURRENCY, PORT... from
# the environment), static files collected and served by whitenoise. Run workers and the
# scheduler beside it (docs/production.md).
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py signhub.wsgi

bench: install
	$(BIN)/python bench/sync_throughput.py

clean:
	rm -rf $(VENV) data staticfiles
