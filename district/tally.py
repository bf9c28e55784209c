"""The dashboard's running counts (CaseTally, DecisionTally): one more per filed case and per
decision, written in the same transaction as the case, so /district/ reads a few thousand
tally rows instead of scanning every case (bench/dashboard.py).

The cases app announces filings and decisions (cases/signals.py, sent inside the case's
transaction); the receivers below count them. A filed case never changes its month,
service, town or processing authority, and a decided case is never reopened
(cases/workflow.py), so counts only grow. Cases written around the portal — a bulk
import, a restore, the benchmark's COPY — are counted by `tally_rebuild()`
(`manage.py tally_rebuild`), which recomputes both tables from the cases."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, F, Func, IntegerField, Model, Q, Value
from django.db.models.functions import Greatest, TruncDate, TruncMonth
from django.dispatch import receiver
from django.utils import timezone

from cases.models import Case
from cases.signals import case_decided, case_filed
from cases.workflow import DECIDED
from district.models import CaseTally, DecisionTally


@receiver(case_filed, dispatch_uid="district.tally.filed")
def _count_filed(sender: object, case: Case, **kwargs: object) -> None:
    tally_case_filed(case=case)


@receiver(case_decided, dispatch_uid="district.tally.decided")
def _count_decided(sender: object, case: Case, **kwargs: object) -> None:
    tally_case_decided(case=case)


def tally_case_filed(*, case: Case) -> None:
    """Count a newly filed case (call inside the case's transaction)."""
    _add(CaseTally, _group(case), cases=1)


def tally_case_decided(*, case: Case) -> None:
    """Count a decision (approved or rejected) with its processing time in calendar days and
    whether it came by the due date (call inside the transaction that closes the case)."""
    decided_on = timezone.localdate(case.closed_at)
    days = (decided_on - timezone.localdate(case.submitted_at)).days
    _add(
        DecisionTally,
        {**_group(case), "days": max(days, 0)},
        decided=1,
        with_due_date=int(case.due_date is not None),
        within_due_date=int(case.due_date is not None and decided_on <= case.due_date),
    )


def _group(case: Case) -> dict[str, Any]:
    return {
        "month": timezone.localdate(case.submitted_at).replace(day=1),
        "service_key": case.service.key,
        "municipality_id": case.municipality_id,
        "processing_authority_id": case.processing_authority_id,
    }


def _add(model: type[Model], group: dict[str, Any], **counts: int) -> None:
    """Add `counts` to the row of `group`, creating it on first use. Concurrent first uses:
    the unique constraint makes the loser wait for the winner, fail, and add to its row."""
    increments = {field: F(field) + n for field, n in counts.items()}
    if model.objects.filter(**group).update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**group, **counts)
    except IntegrityError:
        model.objects.filter(**group).update(**increments)


class DaysBetween(Func):
    """end − start in whole days, for two dates computed by the database."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def tally_rebuild(
    *,
    cases_model: type[Model] = Case,
    filed_model: type[Model] = CaseTally,
    decided_model: type[Model] = DecisionTally,
) -> tuple[int, int]:
    """Recompute both tallies from the cases in the database (INSERT … SELECT … GROUP BY, in
    local time) and replace them in one transaction. Returns the rows of each table. A
    migration passes its historical models."""
    decided_on = TruncDate("closed_at")
    cases = cases_model.objects.annotate(
        month=TruncMonth("submitted_at", output_field=DateField()),
        service_key=F("service__key"),
    ).order_by()
    group = ("month", "service_key", "municipality_id", "processing_authority_id")
    filed = cases.values(*group).annotate(cases=Count("id"))
    decided = (
        cases.filter(status__in=DECIDED, closed_at__isnull=False)
        .annotate(days=Greatest(DaysBetween(decided_on, TruncDate("submitted_at")), Value(0)))
        .values(*group, "days")
        .annotate(
            decided=Count("id"),
            with_due_date=Count("id", filter=Q(due_date__isnull=False)),
            within_due_date=Count("id", filter=Q(due_date__gte=decided_on)),
        )
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Submissions and decisions meanwhile wait, then add to the rebuilt rows.
            cursor.execute(
                f"LOCK TABLE {filed_model._meta.db_table}, {decided_model._meta.db_table} "
                "IN EXCLUSIVE MODE"
            )
        for model, rows, columns in (
            (filed_model, filed, (*group, "cases")),
            (
                decided_model,
                decided,
                (*group, "days", "decided", "with_due_date", "within_due_date"),
            ),
        ):
            model.objects.all().delete()
            sql, params = rows.query.sql_with_params()
            names = ", ".join(columns)
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({names}) SELECT {names} FROM ({sql}) AS g",
                params,
            )
    return filed_model.objects.count(), decided_model.objects.count()
