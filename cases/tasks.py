"""Celery entry points of the cases app: thin, by id, idempotent. Their schedule is
CELERY_BEAT_SCHEDULE (portal/settings.py)."""

from celery import shared_task

from cases import steps


@shared_task(name="cases.run_step", acks_late=True)
def run_step(step_id: int) -> str:
    """One step by id (messages of earlier versions; tests)."""
    import cases.process  # noqa: F401  (registers the step functions)

    return steps.step_run(step_id)


@shared_task(name="cases.run_case_steps", acks_late=True)
def run_case_steps(case_id: int) -> dict[int, str]:
    """The message of a case's new or due steps (one per case, cases/steps.py)."""
    import cases.process  # noqa: F401  (registers the step functions)

    return steps.case_steps_run(case_id)


@shared_task(name="cases.redispatch_steps")
def redispatch_steps() -> int:
    return steps.steps_redispatch()


@shared_task(name="cases.send_due_digest")
def send_due_digest() -> int:
    from cases.digest import digest_send

    return digest_send()


@shared_task(name="cases.rescan_uploads")
def rescan_uploads() -> int:
    """Rescan the stored files (cases/quarantine.py); returns how many were quarantined.
    Nothing to do while scanning is off; a scanner without an answer fails the run, which
    the worker logs, and tomorrow's run starts over."""
    from cases.quarantine import ScanningOff, attachments_rescan

    try:
        return len(attachments_rescan().quarantined)
    except ScanningOff:
        return 0
