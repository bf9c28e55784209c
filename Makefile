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

# `make run` serves with gunicorn like production (gunicorn.conf.py): threads, and a listen
# queue that holds a crowd's connections instead of resetting them; reloads on code changes.
RUN_SERVER_OPTIONS ?= --workers 2 --threads 8 --backlog 2048 --reload

.PHONY: run test lint format install install-dev system-deps dev-keys assets static messages migrate demo worker beat bench bench-submit bench-steps bench-load clean

# The portal and the development identity provider together; stopping one stops both.
run: system-deps install assets static messages migrate demo dev-keys
	@$(PY) -m devidp serve --host $(HOST) --port $(IDP_PORT) --keys $(DEV_KEYS) \
		--sp-metadata http://$(HOST):$(PORT)/saml2/metadata/ & idp=$$!; \
	trap 'kill $$idp 2>/dev/null' EXIT INT TERM; \
	PORT=$(PORT) $(DEV_SAML_ENV) $(VENV)/bin/gunicorn portal.wsgi:application \
		--bind $(HOST):$(PORT) $(RUN_SERVER_OPTIONS)

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

# Third-party front-end files come from package.json and are built into the git-ignored
# static/vendor/ (docs/frontend.md): KERN's CSS without the rules no template can use
# (PurgeCSS, re-run when a template or the Python that may emit markup changes), and
# KERN's Fira Sans cut down to the characters and weights the portal needs (fontTools).
# The apps of docs/architecture.md's layout, whose templates and Python may write classes.
APPS := core municipalities identity catalog payments legal cases citizen district portal
CLASS_SOURCES := $(shell find templates $(APPS) static/js \
	\( -name '*.html' -o -name '*.py' -o -name '*.js' \) -not -path '*/migrations/*' 2>/dev/null)

static/vendor/kern/kern.min.css: node_modules/.installed frontend/purgecss.config.js $(CLASS_SOURCES)
	rm -rf static/vendor/kern static/vendor/.copied && mkdir -p static/vendor/kern
	node_modules/.bin/purgecss --config frontend/purgecss.config.js --output static/vendor/kern/
	test -s $@

static/vendor/fonts/.subset: node_modules/.installed frontend/subset_fonts.py | $(VENV)/.installed
	$(PY) frontend/subset_fonts.py
	touch $@

assets: static/vendor/kern/kern.min.css static/vendor/fonts/.subset

# Hashed names and gzip/Brotli copies in staticfiles/ (whitenoise serves them, also under
# `make run`); re-collected when anything under static/ changes.
staticfiles/staticfiles.json: static/vendor/kern/kern.min.css static/vendor/fonts/.subset \
		$(shell find static -type f -not -path 'static/vendor/*') | $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput --clear -v0

static: assets staticfiles/staticfiles.json

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

bench: install-dev static
	$(PY) bench/queue.py
	$(PY) bench/dashboard.py
	$(PY) bench/search.py
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
