# Kreisportal — the two commands: `make run` and `make test` (README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test system-deps lint format install install-dev assets messages migrate demo worker beat bench bench-submit bench-steps bench-load clean

run: install assets messages migrate demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: system-deps install-dev assets messages
	$(PY) -m pytest

# Debian packages the tests need (.ci/system-packages): apt-get as root, else the command.
system-deps:
	@.ci/system-deps

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Third-party front-end files come from package.json, copied into a git-ignored folder.
static/vendor/.copied: node_modules/.installed
	rm -rf static/vendor && mkdir -p static/vendor/kern
	cp node_modules/@kern-ux/native/dist/kern.min.css static/vendor/kern/
	cp -r node_modules/@kern-ux/native/dist/fonts static/vendor/kern/
	touch $@

assets: static/vendor/.copied

messages: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d locale -D django --statistics

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

demo: $(VENV)/.installed
	$(PY) manage.py load_demo

worker: install
	$(VENV)/bin/celery -A portal worker -l info --concurrency=2

beat: install
	$(VENV)/bin/celery -A portal beat -l info

bench: install-dev
	$(PY) bench/queue.py
	$(PY) bench/dashboard.py
	$(PY) bench/submit.py
	$(PY) bench/steps.py

bench-submit: install-dev
	$(PY) bench/submit.py

bench-steps: install-dev
	$(PY) bench/steps.py

bench-load: install-dev
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3 media
