"""Writes of cases. Every state change records its CaseEvent here, in the same transaction."""

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cases.calendar import add_working_days, working_days_between
from cases.models import Actor, Attachment, Case, CaseEvent
from cases.references import new_reference, new_token_salt
from cases.signals import case_decided, case_filed
from cases.steps import steps_create
from cases.workflow import (
    CLOSED,
    DECIDED,
    ActionNotPermitted,
    Transition,
    TransitionNotAllowed,
    Trigger,
    check_allowed,
    transition_for,
)
from catalog.fees import fee_for
from catalog.forms.conditions import hidden_names, shown_fields
from catalog.forms.fields import Field, fields_of
from catalog.forms.uploads import CheckedFile, validate_files
from catalog.forms.validation import Errors, validate_form, validate_values
from catalog.selectors import Offer, offer_for
from core import notes
from core.errors import Conflict, Invalid, SignInRequired
from identity import levels
from identity.citizen import Identity
from municipalities.models import Municipality

logger = logging.getLogger(__name__)


class SubmissionInvalid(Invalid):
    """Field errors keyed `data.<field>` and `applicant.<field>` (400)."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors=errors)


@dataclass(frozen=True)
class Submitted:
    case: Case
    access_token: str


def validate_applicant(applicant: Any) -> tuple[dict[str, str], Errors]:
    if not isinstance(applicant, dict):
        return {}, {"applicant": [_("Give the applicant's name and e-mail.")]}
    fields = [
        Field(
            {"name": "name", "type": "text", "required": True, "min_length": 2, "max_length": 200}
        ),
        Field({"name": "email", "type": "email", "required": True, "max_length": 254}),
    ]
    cleaned, errors = validate_values(fields, applicant)
    return cleaned, {f"applicant.{k}": v for k, v in errors.items()}


def submission_check(
    *,
    offer: Offer,
    applicant: Any,
    data: Any,
    files: dict[str, list] | None = None,
) -> tuple[dict[str, str], dict[str, Any], list[CheckedFile]]:
    """Validate a whole submission without storing anything. Raises SubmissionInvalid
    (400; also for a file the virus check refused), FileTooLarge (413) or UploadNotScanned
    (503: no verdict from the virus check)."""
    form = offer.service.form
    cleaned_applicant, errors = validate_applicant(applicant)
    if not isinstance(data, dict):
        errors["data"] = [_("Answers must be an object of field names and values.")]
        data = {}
    # Questions a condition hides are not asked: their answers and uploads are dropped.
    cleaned_data, data_errors = validate_form(form, data)
    hidden = hidden_names(form, data)
    shown_files = {k: v for k, v in (files or {}).items() if k not in hidden}
    checked_files, file_errors = validate_files(
        shown_fields(form, data), shown_files, municipality_id=offer.processing_authority.pk
    )
    for name, messages in {**data_errors, **file_errors}.items():
        errors[f"data.{name}"] = messages
    if errors:
        raise SubmissionInvalid(errors)
    return cleaned_applicant, cleaned_data, checked_files


def _store_attachment(
    *, case: Case, checked: CheckedFile, public: bool = True, kind: str = Attachment.Kind.UPLOAD
) -> Attachment:
    upload = checked.upload
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        case=case,
        kind=kind,
        field_name=checked.field,
        original_name=(upload.name or "upload")[-200:],
        content_type=checked.content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        public=public,
    )
    attachment.file.save(upload.name or "upload", upload, save=False)
    attachment.save()
    return attachment


def attachment_add_generated(
    *, case: Case, field_name: str, filename: str, content: bytes, kind: str
) -> Attachment:
    """A document the portal made (receipt, decision); idempotent per (case, field_name)."""
    existing = case.attachments.filter(field_name=field_name, kind=kind).first()
    if existing:
        return existing
    attachment = Attachment(
        case=case,
        kind=kind,
        field_name=field_name,
        original_name=filename,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        public=True,
    )
    attachment.file.save(filename, ContentFile(content), save=False)
    attachment.save()
    return attachment


def _event_row(
    *,
    case: Case,
    type: str,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    internal: bool = False,
) -> CaseEvent:
    # A note of the portal (core/notes.py) is stored in the case's language and kept as data
    # for readers of the other language; what a person typed is stored as typed.
    message = notes.data_of(comment)
    return CaseEvent(
        case=case,
        type=type,
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else ""),
        from_status=from_status,
        to_status=to_status,
        comment=notes.render(message, case.language or "de") if message else comment,
        message=message,
        visibility=CaseEvent.Visibility.INTERNAL if internal else CaseEvent.Visibility.PUBLIC,
    )


def _event(**kwargs: Any) -> CaseEvent:
    event = _event_row(**kwargs)
    event.save()
    return event


def identity_check(*, offer: Offer, identity: Identity | None) -> None:
    """The one place a submission meets the service's trust level: SignInRequired (401)
    unless the citizen's verified identity reaches it (``none`` needs nobody)."""
    required = levels.parse(offer.service.trust_level)
    if levels.satisfies(identity.level if identity else None, required):
        return
    raise SignInRequired(
        _("This service needs a sign-in with BundID at the trust level “%(level)s”. %(how)s.")
        % {"level": required.label, "how": levels.sign_in_prompt(required)},
        extra={
            "trust_level": required.value,
            "sign_in_url": f"{reverse('identity:login')}?{urlencode({'level': required.value})}",
        },
    )


def with_verified_data(
    *, offer: Offer, identity: Identity | None, applicant: Any, data: Any
) -> tuple[Any, Any]:
    """The answers with what the identity provider confirmed in place of what was typed:
    every field naming a verified attribute takes the identity's value, the applicant's
    name and (when given) e-mail too. Without an identity, or for what it leaves empty,
    the answers stay as they are."""
    if identity is None:
        return applicant, data
    verified = identity.verified_values()
    if isinstance(data, dict):
        data = dict(data)
        for f in fields_of(offer.service.form):
            if f.verified in verified:
                data[f.name] = verified[f.verified]
    if isinstance(applicant, dict) or applicant is None:
        applicant = dict(applicant or {})
        if identity.full_name:
            applicant["name"] = identity.full_name
        if identity.email:
            applicant["email"] = identity.email
    return applicant, data


def case_submit(
    *,
    municipality: Municipality,
    service_key: str,
    applicant: Any,
    data: Any,
    files: dict[str, list] | None = None,
    language: str = "de",
    identity: Identity | None = None,
) -> Submitted:
    """File a citizen's request. Checks the citizen's identity against the service's trust
    level (401) and validates everything first, so bad input stores nothing; routes it
    (delegation or the town itself), prices it, and writes the case, its events,
    attachments and process-step rows in one transaction. With an identity the verified
    data replaces what was typed and the case is linked to the person's pseudonym."""
    offer = offer_for(municipality, service_key)
    identity_check(offer=offer, identity=identity)
    applicant, data = with_verified_data(
        offer=offer, identity=identity, applicant=applicant, data=data
    )
    cleaned_applicant, cleaned_data, checked_files = submission_check(
        offer=offer, applicant=applicant, data=data, files=files
    )
    now = timezone.now()
    fee = fee_for(offer, cleaned_data)
    prepay = offer.service.prepay and fee > 0
    # Filed and, in the same moment, waiting for the fee or in review: the row is written
    # with its status, and both events say so (submitted, then the step the system took).
    status = Case.Status.AWAITING_PAYMENT if prepay else Case.Status.IN_REVIEW
    fields = {
        "municipality": municipality,
        "processing_authority": offer.processing_authority,
        "service": offer.service,
        "applicant_name": cleaned_applicant["name"],
        "applicant_email": cleaned_applicant["email"],
        "language": language[:2] if language[:2] in ("de", "en") else "de",
        "data": cleaned_data,
        "status": status,
        "fee_cents": fee,
        "submitted_at": now,
        "updated_at": now,
        "applicant_pseudonym": identity.pseudonym if identity else "",
        "identity_level": identity.level if identity else levels.Level.NONE,
        "identified_at": identity.authenticated_at if identity else None,
        # A prepaid case's clock starts when the fee arrives.
        "due_date": None
        if prepay
        else add_working_days(timezone.localdate(), offer.service.sla_days),
    }
    for _attempt in range(5):
        stored: list[Attachment] = []
        reference = new_reference(municipality.code, timezone.localdate(now).year)
        try:
            with transaction.atomic():
                case = _file(reference=reference, status=status, fields=fields)
                for checked in checked_files:
                    stored.append(_store_attachment(case=case, checked=checked))
                steps_create(case=case, trigger=Trigger.SUBMITTED)
                # Last, so the tally row (district/tally.py) is locked only until the commit
                # right after.
                case_filed.send(sender=Case, case=case)
        except IntegrityError:
            for attachment in stored:  # the rows rolled back; the files must go too
                attachment.file.delete(save=False)
            if not Case.objects.filter(reference=reference).exists():
                raise
            # A reference collision (1 in 28 million per pair): draw again, the whole
            # transaction (the case is its first statement, so nothing else was written).
            logger.info("case reference collision, drawing again")
            continue
        except BaseException:
            for attachment in stored:
                attachment.file.delete(save=False)
            raise
        return Submitted(case=case, access_token=case.access_token)
    raise RuntimeError("could not draw a unique case reference")


def _file(*, reference: str, status: str, fields: dict[str, Any]) -> Case:
    """The case row and its two events (submitted; then in review or awaiting payment)."""
    case = Case.objects.create(reference=reference, token_salt=new_token_salt(), **fields)
    CaseEvent.objects.bulk_create(
        [
            _event_row(
                case=case,
                type=CaseEvent.Type.SUBMITTED,
                actor_label=Actor.APPLICANT,
                to_status=Case.Status.SUBMITTED,
            ),
            _event_row(
                case=case,
                type=CaseEvent.Type.STATUS,
                actor_label=Actor.SYSTEM,
                from_status=Case.Status.SUBMITTED,
                to_status=status,
            ),
        ]
    )
    return case


def _changed_meanwhile(case: Case) -> TransitionNotAllowed:
    """Another action won the race: 409 with the status the case has now."""
    return TransitionNotAllowed(
        str(_("Someone else changed this case just now. Reload it.")),
        extra={"status": Case.objects.values_list("status", flat=True).get(pk=case.pk)},
    )


def _set_status(
    case: Case,
    status: str,
    *,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    comment: str = "",
    type: str = CaseEvent.Type.STATUS,
    internal: bool = False,
) -> CaseEvent:
    previous = case.status
    if status in CLOSED:
        case.closed_at = timezone.now()
    # Compare-and-set: the row lock already serializes actions on PostgreSQL; this makes a
    # stale read lose on any database (SQLite has no row locks) instead of winning twice.
    changed = Case.objects.filter(pk=case.pk, status=previous).update(
        status=status, closed_at=case.closed_at, updated_at=timezone.now()
    )
    if changed != 1:
        raise _changed_meanwhile(case)
    case.status = status
    if status in DECIDED:
        case_decided.send(sender=Case, case=case)
    return _event(
        case=case,
        type=type,
        actor=actor,
        actor_label=actor_label,
        from_status=previous,
        to_status=status,
        comment=comment,
        internal=internal,
    )


def _pause_clock(case: Case) -> None:
    if case.paused_at is None:
        case.paused_at = timezone.localdate()


def _resume_clock(case: Case) -> None:
    """Move the due date by the working days spent waiting for the applicant."""
    if case.paused_at is not None and case.due_date is not None:
        waited = working_days_between(case.paused_at, timezone.localdate())
        case.due_date = add_working_days(case.due_date, waited) if waited else case.due_date
    case.paused_at = None


def case_apply_action(
    *,
    case: Case,
    action: str,
    actor_kind: Actor,
    actor: AbstractBaseUser | None = None,
    comment: str = "",
    files: dict[str, list] | None = None,
) -> Case:
    """Apply one workflow action (cases/workflow.py) under a row lock, so two clerks acting at
    once cannot both win. Raises UnknownAction (400), ActionNotPermitted (404) for an action
    of another role, TransitionNotAllowed (409), Invalid (400) for a missing comment or a
    wrong or infected file, FileTooLarge (413), UploadNotScanned (503)."""
    transition: Transition = transition_for(action)
    if transition.actor != actor_kind:
        raise ActionNotPermitted()
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise Invalid(errors={"comment": [_("Please write a comment.")]})
    if len(comment) > settings.COMMENT_MAX_LENGTH:
        raise Invalid(
            errors={
                "comment": [
                    _("Please write at most %(n)d characters.") % {"n": settings.COMMENT_MAX_LENGTH}
                ]
            }
        )
    checked_files: list[CheckedFile] = []
    if files:
        checked_files, file_errors = validate_files(
            [_response_file_field()],
            files,
            require=False,
            municipality_id=case.processing_authority_id,
            actor=actor,
            stored_bytes=sum(
                Attachment.objects.filter(case=case, kind=Attachment.Kind.UPLOAD).values_list(
                    "size", flat=True
                )
            ),
        )
        if file_errors:
            raise Invalid(errors={f"files.{k}": v for k, v in file_errors.items()})
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            if connection.vendor == "sqlite":
                # SQLite ignores FOR UPDATE; writing first takes its database write lock, so
                # a concurrent action waits here and then reads the new status (409).
                Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
            locked = (
                Case.objects.select_for_update(of=("self",), no_key=True)
                .select_related("service")
                .get(pk=case.pk)
            )
            check_allowed(transition, locked.status)
            _apply(locked, transition, actor=actor, comment=comment)
            for checked in checked_files:
                stored.append(_store_attachment(case=locked, checked=checked))
    except OperationalError as exc:
        for attachment in stored:
            attachment.file.delete(save=False)
        if connection.vendor == "sqlite" and "locked" in str(exc):
            # SQLite's answer to two writers racing: the other action won.
            raise _changed_meanwhile(case) from exc
        raise
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return locked


def _response_file_field() -> Field:
    return Field(
        {"name": "files", "type": "file", "required": False, "max_size_mb": 10, "max_files": 5}
    )


def _apply(
    case: Case, transition: Transition, *, actor: AbstractBaseUser | None, comment: str
) -> None:
    label = (
        "" if actor else (Actor.APPLICANT if transition.actor == Actor.APPLICANT else Actor.SYSTEM)
    )
    action = transition.action
    if action == "claim":
        case.assigned_to = actor
        case.save(update_fields=["assigned_to", "updated_at"])
    elif action == "unassign":
        case.assigned_to = None
        case.save(update_fields=["assigned_to", "updated_at"])
    elif action == "request_info":
        _pause_clock(case)
        case.save(update_fields=["paused_at"])
    elif action in ("respond", "approve", "reject", "withdraw"):
        _resume_clock(case)
        case.save(update_fields=["paused_at", "due_date"])
    elif action == "send_new_link":
        _renew_link(case)
    elif action == "payment_received" and case.due_date is None:
        case.due_date = add_working_days(timezone.localdate(), case.service.sla_days)
        case.save(update_fields=["due_date"])

    if transition.target is None:
        event = _event(
            case=case,
            type=action,
            actor=actor,
            actor_label=label,
            comment=comment,
            internal=transition.internal,
        )
    else:
        event = _set_status(
            case,
            transition.target,
            actor=actor,
            actor_label=label,
            comment=comment,
            type=action,
            internal=transition.internal,
        )
    if transition.trigger is not None:
        steps_create(
            case=case,
            trigger=transition.trigger,
            suffix=f":{event.pk}",
            payload={"comment": comment, "action": action},
        )


class LinkUnavailable(Conflict):
    """A purged case has no applicant to send a link to (409)."""


def _renew_link(case: Case) -> None:
    """A new salt: the old access link stops opening the case at once (ADR 0003)."""
    if case.purged_at is not None or not case.applicant_email:
        raise LinkUnavailable(_("The applicant's personal data has been erased."))
    case.token_salt = new_token_salt()
    case.save(update_fields=["token_salt", "updated_at"])


def case_payment_received(*, case: Case, comment: str = "") -> Case:
    """Called by payments when the fee is paid: the case leaves awaiting_payment."""
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",), no_key=True)
            .select_related("service")
            .get(pk=case.pk)
        )
        if locked.status != Case.Status.AWAITING_PAYMENT:
            _event(
                case=locked, type=CaseEvent.Type.PAYMENT, actor_label=Actor.SYSTEM, comment=comment
            )
            return locked
        _apply(locked, transition_for("payment_received"), actor=None, comment=comment)
    return locked


def case_record_event(
    *,
    case: Case,
    type: str,
    comment: str = "",
    internal: bool = True,
    actor_label: str = Actor.SYSTEM,
) -> CaseEvent:
    """An event with no status change (step findings, payment notes)."""
    return _event(case=case, type=type, comment=comment, internal=internal, actor_label=actor_label)
