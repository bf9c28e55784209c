"""The district dashboard's running counts (ADR 0004). The tables keep the names they had in
the `services` app."""

from django.db import models

from municipalities.models import Municipality


class Tally(models.Model):
    """What the dashboard's running counts are kept by: month of submission (local time,
    its first day), service, filing town and processing authority. Anonymous by
    construction; written by district/tally.py only, under row-level security by processing
    authority like the cases they count."""

    month = models.DateField()
    service_key = models.SlugField(max_length=80, db_index=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    processing_authority = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class CaseTally(Tally):
    """Cases filed: the dashboard reads these instead of scanning the case table."""

    cases = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "services_casetally"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "service_key", "municipality", "processing_authority"],
                name="case_tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service_key}: {self.cases}"


class DecisionTally(Tally):
    """Decided cases (approved or rejected) by processing time in calendar days (local date
    of the decision − local date of submission): enough for exact percentiles of those days
    and for the share decided by the due date, without the case table."""

    days = models.PositiveIntegerField()
    decided = models.PositiveIntegerField(default=0)
    with_due_date = models.PositiveIntegerField(default=0)
    within_due_date = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "services_decisiontally"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "service_key", "municipality", "processing_authority", "days"],
                name="decision_tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service_key} {self.days} d: {self.decided}"
