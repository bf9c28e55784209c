"""Bench-only settings: the portal's own settings plus the floor endpoint's URL
(bench/floor_urls.py). Used by bench/submit.py for the gunicorn it measures, so that the
submission endpoint and the floor run in the same process under the same settings."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
