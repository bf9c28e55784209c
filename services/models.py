import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality


def translated(value: dict | str | None) -> str:
    """Pick the active language from a {"de": …, "en": …} mapping, falling back to German."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    lang = (get_language() or "de")[:2]
    return value.get(lang) or value.get("de") or next(iter(value.values()), "")


class ServiceDefinition(models.Model):
    """One version of a district-wide service. Published versions are immutable;
    a case keeps the version it was filed under."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class OfferedBy(models.TextChoices):
        TOWNS = "towns", _("Towns")
        DISTRICT = "district", _("District")

    key = models.SlugField(_("key"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    leika = models.CharField(_("LeiKa key"), max_length=20, blank=True)
    name = models.JSONField(_("name"), help_text='{"de": "…", "en": "…"}')
    description = models.JSONField(_("description"), default=dict, blank=True)
    offered_by = models.CharField(
        _("offered by"), max_length=10, choices=OfferedBy.choices, default=OfferedBy.TOWNS
    )
    form = models.JSONField(_("form"), help_text='{"steps": [{"title": …, "fields": […]}]}')
    fee = models.JSONField(
        _("fee rule"),
        default=dict,
        help_text='{"kind": "free"} | {"kind": "fixed", "cents": 900} | '
        '{"kind": "per_unit", "field": "anzahl", "cents": 1000}',
    )
    fee_min_cents = models.PositiveIntegerField(_("lowest fee a town may set"), default=0)
    fee_max_cents = models.PositiveIntegerField(_("highest fee a town may set"), default=0)
    prepay = models.BooleanField(_("fee paid before review"), default=False)
    sla_days = models.PositiveIntegerField(_("SLA in working days"), default=10)
    retention_days = models.PositiveIntegerField(_("retention in days"), default=90)
    process_steps = models.JSONField(_("automatic process steps"), default=list, blank=True)
    agency_email = models.EmailField(_("agency address for forwarding"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="service_key_version_unique")
        ]
        verbose_name = _("service definition")
        verbose_name_plural = _("service definitions")

    def __str__(self) -> str:
        return f"{translated(self.name)} (v{self.version})"

    @property
    def display_name(self) -> str:
        return translated(self.name)

    @property
    def display_description(self) -> str:
        return translated(self.description)

    @property
    def fee_kind(self) -> str:
        return self.fee.get("kind", "free")

    @property
    def base_fee_cents(self) -> int:
        return int(self.fee.get("cents", 0))


class ServiceOffering(models.Model):
    """A municipality offers a service (by key; cases use the newest published version)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="offerings"
    )
    service_key = models.SlugField(_("service"), max_length=80)
    active = models.BooleanField(_("offered"), default=True)
    fee_override_cents = models.PositiveIntegerField(
        _("fee override in cents"),
        null=True,
        blank=True,
        help_text=_("Within the bounds the district set for the service."),
    )

    class Meta:
        ordering = ["municipality__name", "service_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "service_key"], name="offering_unique_per_town"
            )
        ]
        verbose_name = _("service offering")
        verbose_name_plural = _("service offerings")

    def __str__(self) -> str:
        return f"{self.municipality} · {self.service_key}"


class Case(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        IN_REVIEW = "in_review", _("In review")
        AWAITING_APPLICANT = "awaiting_applicant", _("Awaiting answer")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    access_token_hash = models.CharField(max_length=64)
    token_salt = models.CharField(max_length=32)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="filed_cases",
        verbose_name=_("filing municipality"),
    )
    processing_authority = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="processed_cases",
        verbose_name=_("processing authority"),
    )
    service = models.ForeignKey(ServiceDefinition, on_delete=models.PROTECT, related_name="cases")
    applicant_name = models.CharField(_("applicant name"), max_length=200)
    applicant_email = models.EmailField(_("applicant e-mail"))
    language = models.CharField(_("language"), max_length=5, default="de")
    data = models.JSONField(_("answers"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    fee_cents = models.PositiveIntegerField(_("fee in cents"), default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paused_at = models.DateField(_("clock paused since"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("personal data purged at"), null=True, blank=True)

    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.AWAITING_PAYMENT,
        Status.IN_REVIEW,
        Status.AWAITING_APPLICANT,
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["processing_authority", "due_date", "id"], name="case_queue_idx"),
            models.Index(
                fields=["processing_authority", "status", "due_date", "id"],
                name="case_queue_status_idx",
            ),
            # The default queue (open cases by due date) reads only this small part of the
            # table, however many closed cases accumulate (bench/queue.py).
            models.Index(
                fields=["processing_authority", "due_date", "id"],
                name="case_open_queue_idx",
                condition=models.Q(
                    status__in=["submitted", "awaiting_payment", "in_review", "awaiting_applicant"]
                ),
            ),
            models.Index(fields=["municipality", "submitted_at"], name="case_filed_idx"),
            models.Index(fields=["status", "closed_at"], name="case_closed_idx"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.reference

    @property
    def access_token(self) -> str:
        from services.references import access_token_for

        return access_token_for(self.reference, self.token_salt)

    @property
    def tracking_url(self) -> str:
        return (
            f"{settings.PORTAL_BASE_URL}/track/{self.reference}/?access_token={self.access_token}"
        )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.due_date is not None
            and self.paused_at is None
            and self.due_date < timezone.localdate()
        )


class CaseEvent(models.Model):
    """Append-only timeline of a case. Never updated or deleted."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(max_length=40, blank=True)
    type = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    today = datetime.date.today()
    return f"cases/{today:%Y/%m}/{instance.case.reference}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        UPLOAD = "upload", _("Upload by the applicant")
        DOCUMENT = "document", _("Document issued by the authority")
        RECEIPT = "receipt", _("Receipt")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UPLOAD)
    field_name = models.CharField(max_length=80, blank=True)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    public = models.BooleanField(
        default=True, help_text=_("Visible to the applicant on the tracking page.")
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class CaseStep(models.Model):
    """One automatic process step of a case; the row is the truth, Celery only executes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=40)
    # Unique per case; a step that runs more than once (notify_applicant) gets a suffix.
    key = models.CharField(max_length=80)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="case_step_unique_key")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="step_due_idx")]
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.key} ({self.status})"


class OutboundEmail(models.Model):
    """Every e-mail a step sent, once per (step, purpose): the proof a retry sent nothing twice."""

    step = models.ForeignKey(CaseStep, on_delete=models.CASCADE, related_name="emails")
    purpose = models.CharField(max_length=40)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "purpose"], name="email_once_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} → {', '.join(self.to)}"


class Tally(models.Model):
    """What the dashboard's running counts are kept by: month of submission (local time,
    its first day), service, filing town and processing authority. Anonymous by
    construction; written by services/tally.py only, under row-level security by processing
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
        constraints = [
            models.UniqueConstraint(
                fields=["month", "service_key", "municipality", "processing_authority", "days"],
                name="decision_tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service_key} {self.days} d: {self.decided}"
