# Kreisportal — the two commands: `make run` and `make test` (README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The development identity provider beside the portal (devidp/, docs/identity.md).
IDP_PORT ?= 8001
DEV_KEYS := var/saml
DEV_SAML_ENV := SAML_IDP_METADATA=$${SAML_IDP_METADATA:-http://$(HOST):$(IDP_PORT)/metadata} \
	SAML_SP_KEY=$${SAML_SP_KEY:-$(DEV_KEYS)/sp.key} SAML_SP_CERT=$${SAML_SP_CERT:-$(DEV_KEYS)/sp.crt}

.PHONY: run test lint format install install-dev system-deps dev-keys assets messages migrate demo worker beat bench bench-submit bench-steps bench-load clean

# The portal and the development identity provider together; stopping one stops both.
run: system-deps install assets messages migrate demo dev-keys
	@$(PY) -m devidp serve --host $(HOST) --port $(IDP_PORT) --keys $(DEV_KEYS) \
		--sp-metadata http://$(HOST):$(PORT)/saml2/metadata/ & idp=$$!; \
	trap 'kill $$idp 2>/dev/null' EXIT INT TERM; \
	$(DEV_SAML_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: system-deps install-dev assets messages
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Development key pairs of the portal (sp) and the development IdP (idp), never committed.
dev-keys: $(DEV_KEYS)/sp.crt
$(DEV_KEYS)/sp.crt: | $(VENV)/.installed
	$(PY) -m devidp keys $(DEV_KEYS)

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install -q '.[dev]'
	touch $(VENV)/.installed $@

# Debian packages from the one list .ci/system-packages (.ci/system-deps): installed when
# missing (as root), otherwise the exact apt-get command is printed and make stops. `run`
# takes what the portal needs; `test` (and what it depends on) also what only tests need.
SYSTEM_DEPS := run
test: SYSTEM_DEPS := test
system-deps:
	@bash .ci/system-deps $(SYSTEM_DEPS)

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

worker: system-deps install
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
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3 media var
