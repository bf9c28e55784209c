"""The portal's Celery app plus two bench-only tasks, for bench/steps.py's worker:
`bench.noop` (the floor: a task that does nothing) and `bench.marker`, which sets a Redis
key so the bench knows that everything queued before it has run (one solo worker takes
messages in order)."""

import redis
from django.conf import settings

from portal.celery import app


@app.task(name="bench.noop")
def noop(number: int) -> int:
    return number


@app.task(name="bench.marker")
def marker(key: str) -> None:
    redis.Redis.from_url(settings.REDIS_URL).set(key, "1", ex=3600)
