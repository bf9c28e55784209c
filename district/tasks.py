"""Celery entry points of the district app (CELERY_BEAT_SCHEDULE in portal/settings.py)."""

from celery import shared_task


@shared_task(name="district.purge_expired_cases")
def purge_expired_cases() -> int:
    """Daily: the retention purge (district/retention.py)."""
    from district.retention import cases_purge_expired

    return cases_purge_expired().cases
