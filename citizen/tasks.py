"""Celery entry points of the citizen pages (CELERY_BEAT_SCHEDULE in portal/settings.py)."""

from celery import shared_task

from citizen.drafts import drafts_purge_abandoned


@shared_task(name="citizen.purge_abandoned_drafts")
def purge_abandoned_drafts() -> int:
    """Daily: uploads of form drafts nobody finished (personal documents no case owns)."""
    return drafts_purge_abandoned()
