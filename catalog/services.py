"""Writes of the shared catalog: loading, importing, exporting and publishing services.

The JSON format is that of `portal/demo_data/services.json`, so districts can share
definitions."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from catalog.forms.fields import fields_of
from catalog.forms.validation import schema_errors
from catalog.models import ServiceDefinition, ServiceOffering
from catalog.vocabulary import PROCESS_STEPS, TrustLevel
from core.audit import audit_record
from core.errors import Conflict, Invalid
from core.models import AuditEntry
from municipalities.models import Municipality

FeeKind = ServiceDefinition.FeeKind


def definition_errors(spec: dict[str, Any]) -> list[str]:
    """Everything wrong with a service definition in services.json format."""
    problems = []
    for key in ("key", "name", "form", "fee", "offered_by"):
        if key not in spec:
            problems.append(f"missing {key!r}")
    if problems:
        return problems
    problems += schema_errors(spec["form"])
    unknown_steps = [s for s in spec.get("process_steps", []) if s not in PROCESS_STEPS]
    if unknown_steps:
        problems.append(
            f"unknown process steps {', '.join(unknown_steps)}; allowed: {', '.join(PROCESS_STEPS)}"
        )
    synonyms = spec.get("synonyms", [])
    if not (
        isinstance(synonyms, list)
        and all(isinstance(s, str) and 0 < len(s.strip()) <= 100 for s in synonyms)
    ):
        problems.append("synonyms must be a list of words or phrases of 1 to 100 characters")
    fee = spec["fee"]
    if not isinstance(fee, dict) or fee.get("kind") not in FeeKind.values:
        problems.append(f"fee kind must be one of {', '.join(FeeKind.values)}")
    else:
        if fee["kind"] != FeeKind.FREE and not (
            isinstance(fee.get("cents"), int) and fee["cents"] >= 0
        ):
            problems.append("fee cents must be a whole number of cents")
        if fee["kind"] == FeeKind.PER_UNIT and not schema_errors(spec["form"]):
            unit_fields = [f for f in fields_of(spec["form"]) if f.name == fee.get("field")]
            if not unit_fields or unit_fields[0].type != "integer":
                problems.append("a per-unit fee needs an integer field of the form as its unit")
    if spec["offered_by"] not in ServiceDefinition.OfferedBy.values:
        problems.append("offered_by must be towns or district")
    if spec.get("trust_level", TrustLevel.NONE) not in TrustLevel.values:
        problems.append(f"trust_level must be one of {', '.join(TrustLevel.values)}")
    problems += _legal_text_errors(spec)
    return problems


PRIVACY_KEYS = ("purpose", "legal_basis", "recipients")


def _is_texts(value: Any) -> bool:
    """{"de": "…", "en": "…"}: texts by language."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _legal_text_errors(spec: dict[str, Any]) -> list[str]:
    problems = []
    privacy = spec.get("privacy") or {}
    if not isinstance(privacy, dict) or not set(privacy) <= set(PRIVACY_KEYS):
        problems.append(f"privacy holds only {', '.join(PRIVACY_KEYS)}")
    elif not all(_is_texts(v) for v in privacy.values()):
        problems.append('privacy texts are {"de": "…", "en": "…"}')
    if not _is_texts(spec.get("legal_remedy") or {}):
        problems.append('legal_remedy is {"de": "…", "en": "…"}')
    return problems


def _fields_from_spec(spec: dict[str, Any]) -> dict[str, Any]:
    fee = spec["fee"]
    cents = int(fee.get("cents", 0))
    return {
        "leika": spec.get("leika") or "",
        "name": spec["name"],
        "description": spec.get("description", {}),
        "synonyms": [s.strip() for s in spec.get("synonyms", [])],
        "offered_by": spec["offered_by"],
        "form": spec["form"],
        "fee": fee,
        # The district's bounds for town overrides; a definition may state them, the demo
        # data does not, so towns may set between half and double the standard fee.
        "fee_min_cents": int(spec.get("fee_min_cents", cents // 2)),
        "fee_max_cents": int(spec.get("fee_max_cents", cents * 2)),
        "prepay": bool(spec.get("prepay", False)),
        "sla_days": int(spec.get("sla_days", 10)),
        "retention_days": int(spec.get("retention_days", 90)),
        "process_steps": list(spec.get("process_steps", [])),
        "agency_email": spec.get("agency_email", ""),
        "privacy": spec.get("privacy") or {},
        "legal_remedy": spec.get("legal_remedy") or {},
        "trust_level": spec.get("trust_level", TrustLevel.NONE),
    }


def service_import(*, spec: dict[str, Any], publish: bool = True) -> tuple[ServiceDefinition, bool]:
    """Import one definition. Unchanged content is not imported again; changed content
    becomes a new version (published versions are never edited). Returns (definition, created)."""
    problems = definition_errors(spec)
    if problems:
        raise Invalid(f"{spec.get('key', '?')}: " + "; ".join(problems))
    fields = _fields_from_spec(spec)
    with transaction.atomic():
        latest = (
            ServiceDefinition.objects.select_for_update()
            .filter(key=spec["key"])
            .order_by("-version")
            .first()
        )
        if latest is not None and all(getattr(latest, k) == v for k, v in fields.items()):
            return latest, False
        definition = ServiceDefinition.objects.create(
            key=spec["key"],
            version=(latest.version + 1) if latest else 1,
            status=ServiceDefinition.Status.PUBLISHED
            if publish
            else ServiceDefinition.Status.DRAFT,
            published_at=timezone.now() if publish else None,
            **fields,
        )
    return definition, True


def services_import(
    *,
    specs: list[dict[str, Any]],
    publish: bool,
    actor: AbstractBaseUser | None,
    source: str,
) -> list[tuple[ServiceDefinition, bool]]:
    """Import definitions all or nothing (the admin's import page, the service_import
    command), each new version in the audit trail: added (`imported_from` `source`) and, when
    published at once, published — as the admin records its own drafts and publications.
    `actor` None is the system (a command run without --user)."""
    imported = []
    with transaction.atomic():
        for spec in specs:
            definition, created = service_import(spec=spec, publish=publish)
            if created:
                audit_record(
                    actor=actor,
                    action=AuditEntry.Action.ADD,
                    obj=definition,
                    changes={"imported_from": source},
                )
                if publish:
                    audit_record(
                        actor=actor,
                        action=AuditEntry.Action.PUBLISH,
                        obj=definition,
                        changes={"version": definition.version},
                    )
            imported.append((definition, created))
    return imported


def service_export(definition: ServiceDefinition) -> dict[str, Any]:
    """A definition in services.json format."""
    return {
        "key": definition.key,
        "leika": definition.leika or None,
        "name": definition.name,
        "description": definition.description,
        "synonyms": definition.synonyms,
        "offered_by": definition.offered_by,
        "fee": definition.fee,
        "fee_min_cents": definition.fee_min_cents,
        "fee_max_cents": definition.fee_max_cents,
        "prepay": definition.prepay,
        "sla_days": definition.sla_days,
        "retention_days": definition.retention_days,
        "form": definition.form,
        "process_steps": definition.process_steps,
        "agency_email": definition.agency_email,
        "privacy": definition.privacy,
        "legal_remedy": definition.legal_remedy,
        "trust_level": definition.trust_level,
        "version": definition.version,
    }


def offerings_default(*, definition: ServiceDefinition, district: Municipality) -> int:
    """Offer a service where its definition says: in every town of the district, or at
    the district. Existing offerings are left as they are. Returns how many were added."""
    if definition.offered_by == ServiceDefinition.OfferedBy.DISTRICT:
        where = [district]
    else:
        where = list(district.towns.filter(kind=Municipality.Kind.TOWN))
    existing = set(
        ServiceOffering.objects.filter(
            service_key=definition.key, municipality__in=where
        ).values_list("municipality_id", flat=True)
    )
    missing = [
        ServiceOffering(municipality=m, service_key=definition.key)
        for m in where
        if m.pk not in existing
    ]
    ServiceOffering.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def service_draft_create(*, definition: ServiceDefinition) -> tuple[ServiceDefinition, bool]:
    """A draft of the next version of `definition`'s service, copied from it; the existing
    draft if there is one (one draft per service at a time). Returns (draft, created)."""
    with transaction.atomic():
        versions = ServiceDefinition.objects.select_for_update().filter(key=definition.key)
        draft = versions.filter(status=ServiceDefinition.Status.DRAFT).first()
        if draft is not None:
            return draft, False
        latest = versions.order_by("-version").first()
        fields = _fields_from_spec(service_export(definition))
        draft = ServiceDefinition.objects.create(
            key=definition.key,
            version=latest.version + 1,
            status=ServiceDefinition.Status.DRAFT,
            **fields,
        )
    return draft, True


def service_publish(*, definition: ServiceDefinition) -> ServiceDefinition:
    """Publish a draft as the service's newest version. From then on it is immutable and new
    cases use it; cases filed earlier keep their version. Invalid if the draft is not a
    valid definition, Conflict if it is published already."""
    with transaction.atomic():
        draft = ServiceDefinition.objects.select_for_update().get(pk=definition.pk)
        if draft.status != ServiceDefinition.Status.DRAFT:
            raise Conflict(f"{draft.key} v{draft.version} is already published.")
        problems = definition_errors(service_export(draft))
        if problems:
            raise Invalid(f"{draft.key}: " + "; ".join(problems))
        newest = (
            ServiceDefinition.objects.filter(key=draft.key)
            .exclude(pk=draft.pk)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        if newest is not None and newest >= draft.version:
            # Someone published in between: this draft becomes the version after theirs.
            draft.version = newest + 1
        draft.status = ServiceDefinition.Status.PUBLISHED
        draft.published_at = timezone.now()
        draft.save(update_fields=["version", "status", "published_at"])
    return draft
