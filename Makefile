# TĐKT Learn — the README's commands. `make run` and `make test` do all set-up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := FLASK_APP=app $(VENV)/bin/flask
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve setup test lint format bench messages clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

## run: venv, install, migrate, load courses/, demo accounts, serve on http://127.0.0.1:5000
run: setup serve

setup: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) courses load
	$(FLASK) dev seed-demo

# `flask run` refuses the default SECRET_KEY like gunicorn does: a developer's machine gets a
# random key of its own, made once in instance/dev-secret-key (an exported SECRET_KEY wins).
serve:
	@mkdir -p instance && test -s instance/dev-secret-key || \
	  $(PY) -c 'import secrets; print(secrets.token_hex(32))' > instance/dev-secret-key
	SECRET_KEY="$${SECRET_KEY:-$$(cat instance/dev-secret-key)}" $(FLASK) run --host $(HOST) --port $(PORT)

## test: install test deps, lint, the suite on SQLite then on PostgreSQL, browser journeys
test: $(VENV)/.installed-test
	bash .ci/test-all

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/ruff format --check app tests bench

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format app tests bench
	$(VENV)/bin/ruff check --fix app tests bench

bench: $(VENV)/.installed-test
	bash bench/run-all

## messages: extract every UI string (Vietnamese source) for a new translation, e.g. English:
##   make messages && .venv/bin/pybabel init -i messages.pot -d app/translations -l en
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o messages.pot .

clean:
	rm -rf $(VENV) instance *.egg-info
