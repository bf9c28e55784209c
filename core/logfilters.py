"""Logging filters (portal/settings.py, LOGGING)."""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^ \"]*")


class NoQueryStrings(logging.Filter):
    """Drops the query string from the request line of the development server's access log
    (`django.server`), as gunicorn.conf.py does for gunicorn's: tracking links and payment
    returns carry tokens there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.server" and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_QUERY.sub("", a) if isinstance(a, str) else a for a in args)
        if record.name == "django.server" and "?" in str(record.msg):
            record.msg = _QUERY.sub("", str(record.msg))
        return True
