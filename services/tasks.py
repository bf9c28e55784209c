"""Celery entry points: thin, by id, idempotent."""

from celery import shared_task

from services import steps


@shared_task(name="services.run_step", acks_late=True)
def run_step(step_id: int) -> str:
    import services.process  # noqa: F401  (registers the step functions)

    return steps.step_run(step_id)


@shared_task(name="services.redispatch_steps")
def redispatch_steps() -> int:
    return steps.steps_redispatch()


@shared_task(name="services.send_due_digest")
def send_due_digest() -> int:
    from services.digest import digest_send

    return digest_send()


@shared_task(name="services.purge_expired_cases")
def purge_expired_cases() -> int:
    """Daily (beat entry from portal/migrations/0002): the retention purge."""
    from services.retention import cases_purge_expired, drafts_purge_abandoned

    drafts_purge_abandoned()
    return cases_purge_expired().cases
