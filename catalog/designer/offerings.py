"""Which town offers what, at which fee (typed in euros), as a list that fits the screen:
one town's services or one service's towns, filters, and bulk actions. District admins
switch offerings on and off; a municipal admin sees and prices only their own town's.
Also the designer's FIM import page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.designer.forms import EuroField, cents_to_text
from catalog.designer.views import district_admin_required
from catalog.fim import FimImportError
from catalog.fim_import import fim_service_import
from catalog.models import ServiceDefinition, ServiceOffering
from core.audit import audit_record
from core.errors import NotFound, PortalError
from core.models import AuditEntry
from core.tenancy import scope_for_request
from municipalities.models import Municipality


def _municipalities(request: HttpRequest) -> tuple[list[Municipality], bool]:
    """The municipalities whose offerings the user manages, and whether they may switch
    offerings on and off (the district's decision) or only set fees (a town's)."""
    scope = scope_for_request(request)
    everything = Municipality.objects.order_by("-kind", "name")
    if scope.superuser:
        return list(everything), True
    if scope.district_admin:
        return list(everything.filter(pk__in=scope.district)), True
    if scope.admin_of:
        return list(everything.filter(pk__in=scope.admin_of)), False
    raise NotFound("no offerings for this user")


def _services() -> dict[str, ServiceDefinition]:
    newest: dict[str, ServiceDefinition] = {}
    for d in ServiceDefinition.objects.filter(status=ServiceDefinition.Status.PUBLISHED).order_by(
        "key", "-version"
    ):
        newest.setdefault(d.key, d)
    return newest


@login_required
def offering_list(request: HttpRequest) -> HttpResponse:
    towns, may_switch = _municipalities(request)
    services = _services()
    params = request.POST if request.method == "POST" else request.GET
    by_town = {t.slug: t for t in towns}
    town_slug = params.get("town", "")
    key = params.get("service", "")
    if not key and town_slug not in by_town:
        town_slug = towns[0].slug if towns else ""
    shown_towns = [by_town[town_slug]] if town_slug in by_town else towns
    shown_keys = (
        [key] if key in services else sorted(services, key=lambda k: services[k].display_name)
    )
    state = params.get("state", "")
    offerings = {
        (o.municipality_id, o.service_key): o
        for o in ServiceOffering.objects.filter(
            municipality__in=shown_towns, service_key__in=shown_keys
        )
    }
    rows = []
    for town in shown_towns:
        for service_key in shown_keys:
            service = services[service_key]
            if service.offered_by == ServiceDefinition.OfferedBy.DISTRICT and town.kind == "town":
                continue
            offering = offerings.get((town.pk, service_key))
            on = bool(offering and offering.active)
            if (state == "on" and not on) or (state == "off" and on):
                continue
            rows.append(
                {
                    "id": f"{town.pk}-{service_key}",
                    "town": town,
                    "service": service,
                    "offering": offering,
                    "on": on,
                    "fee": offering.fee_override_cents if offering else None,
                    "fixed_fee": service.fee_kind != ServiceDefinition.FeeKind.FREE,
                    "standard": cents_to_text(service.base_fee_cents),
                    "low": cents_to_text(service.fee_min_cents),
                    "high": cents_to_text(service.fee_max_cents),
                }
            )
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = _apply(request, rows, may_switch)
        if not errors:
            return redirect(f"{request.path}?{_query(params)}")
    for row in rows:
        row["error"] = errors.get(row["id"], "")
        row["fee_text"] = (
            request.POST.get(f"fee-{row['id']}", "") if errors else cents_to_text(row["fee"])
        )
    return render(
        request,
        "designer/offerings.html",
        {
            "rows": rows,
            "towns": towns,
            "services": [
                services[k] for k in sorted(services, key=lambda k: services[k].display_name)
            ],
            "town_slug": town_slug,
            "service_key": key,
            "state": state,
            "may_switch": may_switch,
            "errors": errors,
            "page_title": _("Offerings and fees"),
            "example": cents_to_text(1250),
        },
    )


def _query(params: Any) -> str:
    return urlencode({k: params.get(k, "") for k in ("town", "service", "state") if params.get(k)})


def _parse_fee(text: str, row: dict[str, Any]) -> tuple[int | None, str]:
    try:
        cents = EuroField(required=False).clean(text)
    except forms.ValidationError as exc:
        return None, " ".join(exc.messages)
    service = row["service"]
    if cents is not None and not service.fee_min_cents <= cents <= service.fee_max_cents:
        return None, _("The fee must lie between %(low)s € and %(high)s €.") % {
            "low": row["low"],
            "high": row["high"],
        }
    return cents, ""


@transaction.atomic
def _apply(request: HttpRequest, rows: list[dict[str, Any]], may_switch: bool) -> dict[str, str]:
    """Save the typed fees and run the bulk action on the selected rows, all or nothing;
    errors by row id (nothing saved then)."""
    action = request.POST.get("action", "save")
    selected = set(request.POST.getlist("select"))
    errors: dict[str, str] = {}
    wanted: dict[str, tuple[bool | None, int | None, bool]] = {}  # id: (on, fee, fee given)
    bulk_fee = None
    if action == "fee":
        try:
            bulk_fee = EuroField().clean(request.POST.get("bulk_fee", ""))
        except forms.ValidationError as exc:
            errors["bulk"] = " ".join(exc.messages)
            return errors
    for row in rows:
        on: bool | None = None
        if action in ("offer", "withdraw") and row["id"] in selected:
            if not may_switch:
                raise NotFound("only the district switches offerings")
            on = action == "offer"
        text = request.POST.get(f"fee-{row['id']}")
        if action == "fee" and row["id"] in selected:
            text = cents_to_text(bulk_fee)
        if action == "standard" and row["id"] in selected:
            text = ""
        fee, problem = _parse_fee(text or "", row) if text is not None else (row["fee"], "")
        if problem:
            errors[row["id"]] = problem
        wanted[row["id"]] = (on, fee, text is not None)
    if errors:
        return errors
    changed = 0
    for row in rows:
        on, fee, fee_given = wanted[row["id"]]
        offering = row["offering"]
        new_on = row["on"] if on is None else on
        new_fee = fee if fee_given else row["fee"]
        if offering is None and not new_on:
            continue
        if (
            offering is not None
            and offering.active == new_on
            and offering.fee_override_cents == new_fee
        ):
            continue
        if offering is None:
            offering = ServiceOffering(municipality=row["town"], service_key=row["service"].key)
            action_kind = AuditEntry.Action.ADD
        else:
            action_kind = AuditEntry.Action.CHANGE
        before = {
            "active": offering.active if offering.pk else False,
            "fee_override_cents": offering.fee_override_cents,
        }
        offering.active, offering.fee_override_cents = new_on, new_fee
        offering.save()
        changed += 1
        audit_record(
            actor=request.user,
            action=action_kind,
            obj=offering,
            municipality_id=row["town"].pk,
            changes={
                "fields": {k: {"from": v, "to": getattr(offering, k)} for k, v in before.items()}
            },
        )
    messages.success(request, _("%(count)s offering(s) changed.") % {"count": changed})
    return {}


class FimUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("XDatenfelder file (XML)"))
    key = forms.SlugField(
        label=gettext_lazy("Key of the service"),
        max_length=80,
        help_text=gettext_lazy("Lower-case letters, digits and hyphens, e.g. hundesteuer."),
    )


@login_required
def fim_import_page(request: HttpRequest) -> HttpResponse:
    district_admin_required(request)
    form = FimUploadForm(request.POST or None, request.FILES or None)
    report = draft = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            draft, report = fim_service_import(
                data=upload.read(),
                key=form.cleaned_data["key"],
                actor=request.user,
                source=f"FIM import {upload.name}",
            )
        except FimImportError as exc:
            form.add_error("file", str(exc))
        except PortalError as exc:
            form.add_error("key", exc.detail)
    return render(
        request,
        "designer/fim.html",
        {"form": form, "report": report, "draft": draft, "page_title": _("FIM import")},
    )
