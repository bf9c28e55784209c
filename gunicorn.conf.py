"""gunicorn's settings for the portal, read from the working directory (the Dockerfile's
CMD, bench/). The access log writes the path without the query string (`%(U)s`, not
`%(r)s`) and no referrer: the query of a tracking link or of a payment provider's return
carries access tokens and payment data (docs/operations.md, Logs)."""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'
