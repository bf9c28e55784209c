"""Celery app. The database is the source of truth; Celery only executes (docs/architecture.md)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=60,
    task_time_limit=90,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    # A publish while the broker is down must fail fast: the step row stays pending and
    # the periodic re-dispatch picks it up later.
    # socket_connect_timeout: a broker host that does not answer at all must not hold a
    # citizen's request for the operating system's connect timeout (minutes).
    broker_transport_options={
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "socket_connect_timeout": 5,
    },
    task_publish_retry=False,
)
app.autodiscover_tasks()


# Celery's Django fix-up closes every database connection before and after each task unless
# CELERY_DB_REUSE_MAX is set, so each process step paid for a new PostgreSQL connection
# (docs/performance.md). The fix-up now closes them only every million tasks; between tasks
# they are handled as after a request (Django's close_old_connections: closed when broken or
# older than CONN_MAX_AGE, i.e. DB_CONN_MAX_AGE; with 0 after every task, as before).
app.conf.CELERY_DB_REUSE_MAX = 1_000_000


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender: object = None, **kwargs: object) -> None:
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run in the caller's process and transaction (make run, tests)
    from django.db import close_old_connections

    close_old_connections()
