"""Requests of data subjects (GDPR Art. 15 access, Art. 17 erasure) for one person at a time,
across every town of the district (docs/operations.md, Requests of data subjects): their
cases, and what names them outside any case (core/purge.py, `unattached_data`).

Who may ask: a privacy officer (a membership of the district with the role
`privacy_officer`; `Scope.privacy_of`: the district and every town in it), or the system
(management commands). A person is found by the e-mail address they filed with.

Every search, export and erasure is written to the audit trail. The trail names the cases
(references) and a keyed pseudonym of the address — never the address itself, so an
erasure leaves nothing that names the person, while the entries of one request can still
be told apart from another's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cases.models import Case
from core.audit import audit_record
from core.errors import Invalid, NotFound
from core.models import AuditEntry
from core.purge import UNATTACHED, Reach
from core.tenancy import Scope
from district.retention import purge_batch
from payments.models import Payment, Refund

OBJECT_TYPE = "privacy.request"


def normalized_email(email: object) -> str:
    """The address as searched for; a missing or malformed one is a 400 on `email`."""
    text = str(email or "").strip()
    try:
        validate_email(text)
    except ValidationError as exc:
        raise Invalid(errors={"email": [_("Enter a valid e-mail address.")]}) from exc
    return text


def pseudonym(email: str) -> str:
    """A keyed hash of the address: ties a request's audit entries together without
    naming the person."""
    return salted_hmac("kreisportal.privacy-request", email.casefold()).hexdigest()[:20]


def may_handle_requests(scope: Scope) -> bool:
    return scope.superuser or bool(scope.privacy_of)


def reach_of(scope: Scope | None) -> Reach:
    """The municipalities a request of `scope` reaches: None (everywhere) for the system and
    superusers, else the privacy officer's. Someone who is no privacy officer gets 404."""
    if scope is None or scope.superuser:
        return None
    if not scope.privacy_of:
        raise NotFound("not a privacy officer")
    return frozenset(scope.privacy_of)


def person_cases(*, scope: Scope | None, email: str) -> QuerySet[Case]:
    """The not yet purged cases filed with `email`, in every town the scope reaches (None:
    the system, everywhere). Someone who is no privacy officer gets 404."""
    cases = Case.objects.filter(applicant_email__iexact=email, purged_at__isnull=True)
    reach = reach_of(scope)
    if reach is not None:
        cases = cases.filter(Q(municipality__in=reach) | Q(processing_authority__in=reach))
    return cases.select_related("service", "municipality", "processing_authority").order_by(
        "submitted_at", "id"
    )


@dataclass(frozen=True)
class Records:
    """A person's personal data of one kind that belongs to no request (core/purge.py,
    `unattached_data`), e.g. their accessibility feedback."""

    name: str
    label: Any  # translated when shown
    records: list[dict]


def person_records(*, scope: Scope | None, email: str) -> list[Records]:
    """Every kind of data tied to no case that names `email`, within the scope's reach;
    kinds without a record are left out."""
    reach = reach_of(scope)
    found = [
        Records(name=name, label=data.label, records=data.find(email, reach))
        for name, data in sorted(UNATTACHED.items())
    ]
    return [records for records in found if records.records]


@dataclass(frozen=True)
class Found:
    cases: list[Case]
    other: list[Records]


def privacy_search(*, scope: Scope | None, actor, email: str) -> Found:
    """The person's cases and other records, and an audit entry saying who looked."""
    email = normalized_email(email)
    found = Found(
        cases=list(person_cases(scope=scope, email=email)),
        other=person_records(scope=scope, email=email),
    )
    _audit(actor, AuditEntry.Action.SEARCH, email, found.cases, extra=_counts(found.other))
    return found


def _counts(other: list[Records]) -> dict:
    return {"other": {records.name: len(records.records) for records in other}} if other else {}


@dataclass(frozen=True)
class Held:
    case: Case
    reason: str


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure would erase, and what it holds back and why."""

    email: str
    erase: list[Case]
    held: list[Held]
    other: list[Records]  # tied to no case: always erased (nothing holds them back)

    def as_dict(self) -> dict:
        return {
            "erase": [case.reference for case in self.erase],
            "held": {held.case.reference: held.reason for held in self.held},
            **_counts(self.other),
        }


def hold_reason(case: Case) -> str:
    """Why the law forbids erasing this case now (empty: it may be erased).

    Art. 17(3)(b) GDPR: the authority must still decide on an open request, and it must pay
    back money it owes; erasing the applicant or their account would make either impossible.
    Once a case is decided and no money is in flight, its data may go on request."""
    if case.is_open:
        return _("The request is still being processed; the applicant may withdraw it first.")
    payments = Payment.objects.filter(payable=case)
    if payments.filter(status__in=Payment.ACTIVE_STATUSES).exists():
        return _("A payment of the fee is still in progress.")
    # An exported refund is in the treasury's hands (its transfer file); an open one still
    # needs the account to be written into the next file.
    if Refund.objects.filter(payment__in=payments, status=Refund.Status.OPEN).exists():
        return _("Money is still to be paid back to the applicant's account.")
    return ""


def erasure_plan(*, scope: Scope | None, email: str) -> ErasurePlan:
    email = normalized_email(email)
    erase, held = [], []
    for case in person_cases(scope=scope, email=email):
        reason = hold_reason(case)
        if reason:
            held.append(Held(case=case, reason=reason))
        else:
            erase.append(case)
    other = person_records(scope=scope, email=email)
    return ErasurePlan(email=email, erase=erase, held=held, other=other)


def privacy_erase(*, scope: Scope | None, actor, email: str, dry_run: bool = False) -> ErasurePlan:
    """Erase (anonymise) every case of the person that the law lets go now, through the
    same purge hooks as the retention purge; statistics stay. A dry run erases nothing and
    records the report it gave."""
    plan = erasure_plan(scope=scope, email=email)
    if not dry_run:
        with transaction.atomic():  # the cases and the rest together, or nothing
            if plan.erase:
                purge_batch([case.pk for case in plan.erase], now=timezone.now())
            for records in plan.other:
                UNATTACHED[records.name].erase(plan.email, reach_of(scope))
    _audit(
        actor,
        AuditEntry.Action.SEARCH if dry_run else AuditEntry.Action.PURGE,
        plan.email,
        plan.erase,
        extra={"dry_run": dry_run, **plan.as_dict()},
    )
    return plan


def record_export(*, actor, email: str, cases: list[Case], other: list[Records]) -> None:
    _audit(actor, AuditEntry.Action.EXPORT, email, cases, extra=_counts(other))


def _audit(actor, action: str, email: str, cases: list[Case], extra: dict | None = None) -> None:
    references = [case.reference for case in cases]
    kind = {
        AuditEntry.Action.SEARCH: "search",
        AuditEntry.Action.EXPORT: "export (Art. 15)",
        AuditEntry.Action.PURGE: "erasure (Art. 17)",
    }[action]
    if extra and extra.get("dry_run"):
        kind = "erasure report (Art. 17, dry run)"
    audit_record(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=pseudonym(email),
        object_repr=f"{kind}: {len(references)} case(s)",
        changes={"cases": references, "at": timezone.now().isoformat(), **(extra or {})},
    )
