"""Cases: a citizen's request, its timeline, its documents, its automatic process steps and
the e-mails they sent. The tables keep the names they had in the `services` app."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import ServiceDefinition
from core import notes
from core.purge import personal_data
from core.uploads import register_area
from identity.levels import Level, verified_by
from municipalities.models import Municipality

UPLOADS = register_area("cases", "Applicants' uploads and documents issued for cases")


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
    # Unused since tokens are verified from the key (ADR 0003): empty for new cases, kept so
    # that databases of earlier versions migrate unchanged.
    access_token_hash = models.CharField(max_length=64, verbose_name=_("access token hash"))
    # The access token is derived from it and the key; a new salt revokes the old link.
    token_salt = models.CharField(max_length=32, verbose_name=_("token salt"))
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
    service = models.ForeignKey(
        ServiceDefinition,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("service version"),
    )
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
        verbose_name=_("assigned to"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paused_at = models.DateField(_("clock paused since"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("personal data purged at"), null=True, blank=True)
    # Who filed it, as BundID confirmed (docs/identity.md): the persistent pseudonymous
    # identifier (bPK2), never a name; "Meine Anträge" finds a person's cases by it.
    applicant_pseudonym = models.CharField(
        _("applicant's pseudonym (BundID)"), max_length=256, blank=True, default=""
    )
    identity_level = models.CharField(
        _("identified at level"), max_length=12, choices=Level.choices, default=Level.NONE
    )
    identified_at = models.DateTimeField(_("identified at"), null=True, blank=True)

    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.AWAITING_PAYMENT,
        Status.IN_REVIEW,
        Status.AWAITING_APPLICANT,
    )

    class Meta:
        db_table = "services_case"
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
            models.Index(
                fields=["applicant_pseudonym", "submitted_at"],
                name="case_pseudonym_idx",
                condition=~models.Q(applicant_pseudonym=""),
            ),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.reference

    @property
    def access_token(self) -> str:
        from cases.references import access_token_for

        return access_token_for(self.reference, self.token_salt)

    @property
    def tracking_url(self) -> str:
        return (
            f"{settings.PORTAL_BASE_URL}/track/{self.reference}/?access_token={self.access_token}"
        )

    @property
    def identity_label(self) -> str:
        """How the applicant was identified: "identifiziert mit Online-Ausweis", "nicht
        identifiziert"."""
        return str(verified_by(self.identity_level))

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


class Actor(models.TextChoices):
    """Who acts on a case: the workflow's roles (cases/workflow.py) and the labels of events
    that no signed-in user caused."""

    CLERK = "clerk", _("Clerk")  # a clerk of the case's processing authority
    APPLICANT = "applicant", _("Applicant")  # whoever holds the case's access token
    SYSTEM = "system", _("System")  # the portal itself (expiry, purge, steps)
    PAYMENTS = "payments", _("Payments")  # the payments app, about the fee


class CaseEvent(models.Model):
    """Append-only timeline of a case. Never updated or deleted."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")

    class Type(models.TextChoices):
        """What happened. Workflow actions use their action's name (cases/workflow.py)."""

        SUBMITTED = "submitted", _("Request submitted")
        STATUS = "status", _("Status changed")
        CLAIM = "claim", _("Claim")
        UNASSIGN = "unassign", _("Release")
        NOTE = "note", _("Add internal note")
        REQUEST_INFO = "request_info", _("Request information")
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        RESPOND = "respond", _("Send answer")
        WITHDRAW = "withdraw", _("Withdraw request")
        PAYMENT_RECEIVED = "payment_received", _("Payment received")
        PAYMENT = "payment", _("Payment")
        PAYMENT_DUPLICATE = "payment_duplicate", _("Fee paid twice")
        CHECK_COMPLETENESS = "check_completeness", _("Completeness check")
        FORWARD_TO_AGENCY = "forward_to_agency", _("Forwarded to the agency")
        PERSONAL_DATA_PURGED = "personal_data_purged", _("Personal data purged")
        FILE_QUARANTINED = "file_quarantined", _("File quarantined by the virus check")
        SEND_NEW_LINK = "send_new_link", _("Send a new access link")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    actor_label = models.CharField(max_length=40, blank=True, verbose_name=_("actor"))
    type = models.CharField(max_length=40, choices=Type.choices, verbose_name=_("type"))
    from_status = models.CharField(max_length=20, blank=True, verbose_name=_("previous status"))
    to_status = models.CharField(max_length=20, blank=True, verbose_name=_("new status"))
    comment = models.TextField(blank=True, verbose_name=_("comment"))
    # A note the portal wrote (core/notes.py): its msgid and parameters, so that every reader
    # sees it in their language; `comment` holds it in the case's language. Empty for text a
    # person typed.
    message = models.JSONField(default=dict, blank=True, verbose_name=_("message data"))
    visibility = models.CharField(
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        verbose_name=_("visibility"),
    )

    class Meta:
        db_table = "services_caseevent"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="services_ca_case_id_c2628e_idx")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.at:%Y-%m-%d %H:%M}"

    @property
    def comment_text(self) -> str:
        """The comment in the reader's language: a note of the portal rendered again, text a
        person typed as it is."""
        if self.message and self.comment:
            try:
                return notes.render(self.message)
            except (KeyError, TypeError, ValueError):
                return self.comment
        return self.comment

    @property
    def actor_text(self) -> str:
        """Who acted, as the reader says it: a user's name, else "Antragsteller/in", "System"…"""
        if self.actor_id:
            return self.actor.get_username()
        try:
            return str(Actor(self.actor_label).label)
        except ValueError:
            return self.actor_label


def attachment_path(instance: "Attachment", filename: str) -> str:
    today = datetime.date.today()
    return UPLOADS.path(
        f"{today:%Y}", f"{today:%m}", instance.case.reference, f"{instance.sha256[:16]}-{filename}"
    )


class AttachmentQuerySet(models.QuerySet):
    def servable(self) -> "AttachmentQuerySet":
        """The files that may be handed out: not quarantined by the virus check."""
        return self.filter(quarantined_at__isnull=True)


class Attachment(models.Model):
    class Kind(models.TextChoices):
        UPLOAD = "upload", _("Upload by the applicant")
        DOCUMENT = "document", _("Document issued by the authority")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.UPLOAD, verbose_name=_("kind")
    )
    field_name = models.CharField(max_length=80, blank=True, verbose_name=_("form field"))
    file = models.FileField(upload_to=attachment_path, max_length=300, verbose_name=_("file"))
    original_name = models.CharField(max_length=255, verbose_name=_("file name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveIntegerField(verbose_name=_("size (bytes)"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    public = models.BooleanField(
        default=True,
        help_text=_("Visible to the applicant on the tracking page."),
        verbose_name=_("visible to the applicant"),
    )
    uploaded_at = models.DateTimeField(default=timezone.now, verbose_name=_("uploaded at"))
    # Set when a rescan after a signature update found malware (cases/quarantine.py): the
    # file stays on disk for inspection but is never served again.
    quarantined_at = models.DateTimeField(_("quarantined at"), null=True, blank=True)
    quarantine_signature = models.CharField(_("malware signature"), max_length=200, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        db_table = "services_attachment"
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class CaseStep(models.Model):
    """One automatic process step of a case; the row is the truth, Celery only executes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="steps", verbose_name=_("case")
    )
    name = models.CharField(max_length=40, verbose_name=_("step"))
    # Unique per case; a step that runs more than once (notify_applicant) gets a suffix.
    key = models.CharField(max_length=80, verbose_name=_("key"))
    payload = models.JSONField(default=dict, blank=True, verbose_name=_("payload"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))

    class Meta:
        db_table = "services_casestep"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="case_step_unique_key")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="step_due_idx")]
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.key} ({self.status})"


class OutboundEmail(models.Model):
    """Every e-mail a step sent, once per (step, purpose): the proof a retry sent nothing twice."""

    step = models.ForeignKey(
        CaseStep, on_delete=models.CASCADE, related_name="emails", verbose_name=_("process step")
    )
    purpose = models.CharField(max_length=40, verbose_name=_("purpose"))
    to = models.JSONField(default=list, verbose_name=_("recipients"))
    subject = models.CharField(max_length=255, verbose_name=_("subject"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))

    class Meta:
        db_table = "services_outboundemail"
        constraints = [
            models.UniqueConstraint(fields=["step", "purpose"], name="email_once_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} → {', '.join(self.to)}"


# What names or describes the applicant (core/purge.py): erased by cases/purge.py.
personal_data(
    Case, "applicant_name", "applicant_email", "data", "applicant_pseudonym", "identified_at"
)
personal_data(CaseEvent, "comment", "message")
personal_data(Attachment, "file", "original_name")
personal_data(CaseStep, "payload", "last_error")
personal_data(OutboundEmail, "to")
