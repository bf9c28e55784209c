"""The durable process-step engine (docs/architecture.md, The process-step engine).

A step is a registered, idempotent function keyed by (case, key). Rows are written in the
transaction that causes them and dispatched on commit; the row records status, attempts,
the last error and when to try next. `steps_redispatch` (beat) picks up whatever the broker
lost, so nothing depends on the broker being up when a citizen submits."""

import contextlib
import datetime
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

from django.db import models, transaction
from django.utils import timezone

from cases.models import Case, CaseStep
from cases.workflow import Trigger
from catalog.vocabulary import PROCESS_STEPS

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30

StepFunction = Callable[[CaseStep], None]
_REGISTRY: dict[str, StepFunction] = {}

# Which trigger runs which step: the vocabulary a service may list (catalog/vocabulary.py),
# and the steps only the workflow starts.
STEP_TRIGGERS: dict[str, tuple[Trigger, ...]] = {
    "send_receipt": (Trigger.SUBMITTED,),
    "notify_authority": (Trigger.SUBMITTED, Trigger.APPLICANT_RESPONDED),
    "check_completeness": (Trigger.SUBMITTED,),
    "request_payment": (Trigger.SUBMITTED, Trigger.APPROVED),
    "issue_document": (Trigger.APPROVED, Trigger.REJECTED),
    "notify_applicant": (Trigger.INFO_REQUESTED, Trigger.APPROVED, Trigger.REJECTED),
    "forward_to_agency": (Trigger.APPROVED,),
    "remind_payment": (Trigger.PAYMENT_OVERDUE,),
    "send_new_link": (Trigger.LINK_RENEWED,),
}
STEP_NAMES = PROCESS_STEPS
if missing := set(PROCESS_STEPS) - set(STEP_TRIGGERS):  # pragma: no cover (a coding error)
    raise ImportError(f"process steps without a trigger: {', '.join(sorted(missing))}")
# Messages the workflow itself promises (the clerk's question, the decision, the citizen's
# answer, the reminder of an open fee): they run even for a service that does not list
# them, because otherwise the other side would never learn that it has to act.
WORKFLOW_STEPS: dict[Trigger, tuple[str, ...]] = {
    Trigger.INFO_REQUESTED: ("notify_applicant",),
    Trigger.APPROVED: ("notify_applicant",),
    Trigger.REJECTED: ("notify_applicant",),
    Trigger.APPLICANT_RESPONDED: ("notify_authority",),
    Trigger.PAYMENT_OVERDUE: ("remind_payment",),
    Trigger.LINK_RENEWED: ("send_new_link",),
}


def register(name: str) -> Callable[[StepFunction], StepFunction]:
    if name not in STEP_TRIGGERS:
        raise ValueError(f"{name} is not in the step vocabulary")

    def decorator(function: StepFunction) -> StepFunction:
        _REGISTRY[name] = function
        return function

    return decorator


def _runs_on(name: str, trigger: Trigger, case: Case) -> bool:
    if trigger not in STEP_TRIGGERS[name]:
        return False
    if name == "request_payment":
        if case.fee_cents <= 0:
            return False
        prepaid = case.service.prepay
        return trigger == (Trigger.SUBMITTED if prepaid else Trigger.APPROVED)
    return True


def steps_create(
    *, case: Case, trigger: Trigger, suffix: str = "", payload: dict | None = None
) -> list[CaseStep]:
    """Write the step rows `trigger` causes for `case` and dispatch them after commit.
    Call inside the transaction that changes the case."""
    rows = []
    names = list(case.service.process_steps)
    names += [n for n in WORKFLOW_STEPS.get(trigger, ()) if n not in names]
    for name in names:
        if name in STEP_TRIGGERS and _runs_on(name, trigger, case):
            key = name if trigger == Trigger.SUBMITTED else f"{name}:{trigger}{suffix}"
            rows.append(
                CaseStep(
                    case=case,
                    name=name,
                    key=key,
                    payload={"trigger": str(trigger), **(payload or {})},
                )
            )
    if not rows:
        return []
    created = CaseStep.objects.bulk_create(rows)
    case_id = case.pk
    transaction.on_commit(lambda: dispatch([case_id]))
    return created


def dispatch(case_ids: Iterable[int]) -> None:
    """Hand cases with due steps to Celery: one message per case, whose task runs the case's
    due steps in order (`case_steps_run`). A broker that is down is logged, not raised: the
    rows stay pending and `steps_redispatch` sends them later."""
    from cases.tasks import run_case_steps

    for case_id in case_ids:
        try:
            run_case_steps.delay(case_id)
        except Exception as exc:  # kombu/redis raise many types when the broker is down
            logger.warning("broker unavailable, steps of case %s left pending: %s", case_id, exc)
            return


def _pause_for_fault_tests() -> None:
    """Test-only: tests/resilience/test_faults.py kills a worker while a step runs. Unset
    (always, outside that test) it costs one environment look-up."""
    delay = os.environ.get("KREISPORTAL_STEP_DELAY_SECONDS")
    if delay:
        time.sleep(float(delay))


def _locked(steps: "models.QuerySet[CaseStep]") -> list[CaseStep]:
    """The steps, locked, with their case, in the order they were written.

    Lock the step rows only: without `of`, the joined case and service rows were locked
    too, so a worker skipped ("locked") every step of the same service another worker
    process was running, and left it to the re-dispatch. Sorted here, not by the
    database: Django compiles an ORDER BY over every selected column of the five joined
    tables, about 0.3 ms of a step's ~7 ms of CPU (docs/performance.md, round 5); with
    SKIP LOCKED the order of locking cannot deadlock."""
    rows = steps.select_for_update(skip_locked=True, of=("self",)).select_related(
        "case", "case__service", "case__municipality", "case__processing_authority"
    )
    return sorted(rows.order_by(), key=lambda step: step.pk)


_batch = threading.local()


class _Failed(Exception):
    """A step that ran without a savepoint failed: its transaction must roll back first."""

    def __init__(self, step_id: int, error: str) -> None:
        super().__init__(error)
        self.step_id, self.error = step_id, error


def _mark_failed(step: CaseStep, error: str) -> None:
    step.last_error = error
    if step.attempts >= MAX_ATTEMPTS:
        step.status = CaseStep.Status.FAILED
    else:
        step.status = CaseStep.Status.PENDING
        delay = BACKOFF_BASE_SECONDS * 2 ** (step.attempts - 1)
        step.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay)


_FIELDS = ["status", "attempts", "last_error", "next_attempt_at", "done_at"]


def _run(step: CaseStep, *, savepoint: bool) -> str:
    """Run a locked, pending step once (inside the transaction that holds its lock); its
    effects and its new status commit together. With `savepoint`, a failure rolls back the
    step's own work and is recorded at once; without (a step alone in its transaction: two
    statements fewer), it raises `_Failed` for the caller to roll back and record."""
    function = _REGISTRY.get(step.name)
    step.attempts += 1
    try:
        with transaction.atomic() if savepoint else contextlib.nullcontext():
            if function is None:
                raise LookupError(f"no function registered for step {step.name}")
            _pause_for_fault_tests()
            function(step)
    except Exception as exc:  # a step may fail in any way; the row records it
        logger.exception("step %s (%s) failed", step.pk, step.key)
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if not savepoint:
            raise _Failed(step.pk, error) from exc
        _mark_failed(step, error)
    else:
        step.status = CaseStep.Status.DONE
        step.done_at = timezone.now()
        step.last_error = ""
    step.save(update_fields=_FIELDS)
    finished = getattr(_batch, "finished", None)
    if finished is not None:
        finished.add(step.pk)
    return step.status


def _record_failure(failed: _Failed) -> str:
    """After the rollback: count the attempt and keep the error, unless another run holds
    or has finished the step meanwhile."""
    with transaction.atomic():
        step = (
            CaseStep.objects.select_for_update(skip_locked=True)
            .filter(pk=failed.step_id, status=CaseStep.Status.PENDING)
            .first()
        )
        if step is None:
            return "locked"
        step.attempts += 1
        _mark_failed(step, failed.error)
        step.save(update_fields=_FIELDS)
        return step.status


def step_run(step_id: int) -> str:
    """Run one step once, if it is due and not done. Returns the step's status afterwards.

    The row is locked for the whole run, so two deliveries of the same message cannot both
    execute it; the effects (e-mail records, documents) commit together with `done`."""
    try:
        with transaction.atomic():
            found = _locked(CaseStep.objects.filter(pk=step_id))
            if not found:
                return "locked"
            step = found[0]
            if step.status in (CaseStep.Status.DONE, CaseStep.Status.FAILED):
                return step.status
            return _run(step, savepoint=False)
    except _Failed as failed:
        return _record_failure(failed)


def case_steps_run(case_id: int, *, now: datetime.datetime | None = None) -> dict[int, str]:
    """Run the case's due steps in the order they were written, in one transaction: one
    query locks them (the step rows only; a step another worker holds is skipped and stays
    its). Of several, each runs in a savepoint of its own, so one that fails rolls back only
    itself and is retried later; one alone needs none. Returns each step's status."""
    now = now or timezone.now()
    results: dict[int, str] = {}
    try:
        with transaction.atomic():
            due = _locked(
                CaseStep.objects.filter(
                    case_id=case_id, status=CaseStep.Status.PENDING, next_attempt_at__lte=now
                )
            )
            _batch.finished = set()
            try:
                for step in due:
                    step.case = due[0].case  # one case object: a step sees what earlier ones did
                    if step.pk in _batch.finished:  # run already by a step before it
                        results[step.pk] = CaseStep.Status.DONE
                        continue
                    results[step.pk] = _run(step, savepoint=len(due) > 1)
            finally:
                _batch.finished = None
    except _Failed as failed:
        results[failed.step_id] = _record_failure(failed)
    return results


def steps_due(now: datetime.datetime | None = None) -> list[int]:
    """Pending steps whose next attempt time has come (including those lost by a broker)."""
    now = now or timezone.now()
    return list(
        CaseStep.objects.filter(status=CaseStep.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )


def steps_redispatch() -> int:
    """Send the cases of the due steps again, one message per case; returns how many steps
    were due."""
    ids = steps_due()
    cases = CaseStep.objects.filter(pk__in=ids).values_list("case_id", flat=True).distinct()
    dispatch(sorted(cases))
    return len(ids)


def step_retry(*, step: CaseStep) -> None:
    """An admin's retry of a failed step: a fresh set of attempts, dispatched on commit."""
    step.status = CaseStep.Status.PENDING
    step.attempts = 0
    step.next_attempt_at = timezone.now()
    step.save(update_fields=["status", "attempts", "next_attempt_at"])
    case_id = step.case_id
    transaction.on_commit(lambda: dispatch([case_id]))
