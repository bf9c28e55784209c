"""Reads of the legal information: a municipality's texts with the district's as fallback,
the privacy notice's list of services from the catalog, and what a Bescheid prints about
its authority (letterhead, Rechtsbehelfsbelehrung). Pages and documents call these; nothing
else decides a fallback (docs/legal.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import ServiceDefinition
from catalog.selectors import offers_for
from core.i18n import translated
from legal.models import LegalProfile
from municipalities.models import Municipality
from payments import providers

#: Markdown-able texts of a profile, each {"de": …, "en": …}.
TEXT_FIELDS = (
    "imprint",
    "privacy",
    "accessibility_barriers",
    "accessibility_method",
    "enforcement",
)


def _profile(municipality: Municipality) -> LegalProfile | None:
    return LegalProfile.objects.filter(municipality=municipality).first()


@dataclass(frozen=True)
class LegalPages:
    """What a municipality's legal pages show: its own profile where it has one, else the
    district's. `owner` is whose text is shown; `own` tells the page to say so."""

    municipality: Municipality
    profile: LegalProfile | None
    owner: Municipality

    @property
    def own(self) -> bool:
        return self.owner.pk == self.municipality.pk

    def text(self, field: str) -> str:
        """One text in the active language (German when the other is missing)."""
        return translated(getattr(self.profile, field)) if self.profile else ""


def legal_pages_for(municipality: Municipality, page: str) -> LegalPages:
    """The profile that answers `page` ("imprint", "privacy", "accessibility") for a
    municipality: its own if it wrote that page's text, else its district's."""
    field = {"imprint": "imprint", "privacy": "privacy", "accessibility": "accessibility_status"}[
        page
    ]
    own = _profile(municipality)
    if own is not None and getattr(own, field):
        return LegalPages(municipality=municipality, profile=own, owner=municipality)
    district = municipality.district
    return LegalPages(municipality=municipality, profile=_profile(district), owner=district)


def feedback_address(municipality: Municipality) -> str:
    """Where accessibility feedback on a town's pages goes: the town's feedback address, its
    public address, its contact e-mail; only a town without any asks the district's."""
    for holder in (municipality, municipality.district):
        profile = _profile(holder)
        if profile is not None and (profile.feedback_email or profile.email):
            return profile.feedback_email or profile.email
        if holder.email:
            return holder.email
    return ""


# --- the privacy notice's services ----------------------------------------------------------


@dataclass(frozen=True)
class ServicePrivacy:
    name: str
    purpose: str
    legal_basis: str
    retention: str
    recipients: list[str]


def _retention(service: ServiceDefinition) -> str:
    return ngettext(
        "%(days)d day after the request is closed, then erased",
        "%(days)d days after the request is closed, then erased",
        service.retention_days,
    ) % {"days": service.retention_days}


def privacy_services(municipality: Municipality) -> list[ServicePrivacy]:
    """Every service the municipality offers today with what GDPR Art. 13 asks: purpose,
    legal basis, retention and recipients — the definition's own recipients, the authority
    that processes the requests under a delegation, and the payment providers of a fee."""
    online = [
        str(providers.get(key).admin_label)
        for key in providers.offered_keys(municipality.payment_providers)
        if not providers.get(key).paid_at_counter
    ]
    rows = []
    for offer in offers_for(municipality):
        service, privacy = offer.service, offer.service.privacy or {}
        recipients = [translated(privacy.get("recipients"))] if privacy.get("recipients") else []
        if offer.processing_authority.pk != municipality.pk:
            recipients.append(
                _("%(authority)s, which processes the requests on behalf of %(town)s")
                % {
                    "authority": offer.processing_authority.payee_name,
                    "town": municipality.payee_name,
                }
            )
        if offer.unit_fee_cents and online:
            recipients.append(
                _("Payment service providers, when you pay online: %(list)s")
                % {"list": ", ".join(online)}
            )
        rows.append(
            ServicePrivacy(
                name=service.display_name,
                purpose=translated(privacy.get("purpose")) or service.display_description,
                legal_basis=translated(privacy.get("legal_basis")),
                retention=_retention(service),
                recipients=recipients,
            )
        )
    return rows


# --- what a Bescheid prints ----------------------------------------------------------------


def _place(address_lines: list[str], municipality: Municipality) -> str:
    """The town of the last address line ("59174 Kamen" → "Kamen"), else the name."""
    if address_lines:
        match = re.fullmatch(r"\d{5}\s+(.+)", address_lines[-1].strip())
        if match:
            return match.group(1)
    return municipality.name


def letterhead(municipality: Municipality) -> dict:
    """The municipality as `core.pdf.Authority`: official name, its own postal address,
    department and contact (never the district's: a letter names its own sender)."""
    profile = _profile(municipality)
    lines = [ln.strip() for ln in (profile.address if profile else "").splitlines() if ln.strip()]
    authority: dict = {
        "name": municipality.payee_name or municipality.name,
        "address_lines": lines,
        "place": _place(lines, municipality),
    }
    contact = []
    if profile is not None:
        if profile.department:
            authority["department"] = profile.department
        if profile.phone:
            contact.append(_("Telephone %(number)s") % {"number": profile.phone})
        if profile.website:
            contact.append(profile.website)
    email = (profile.email if profile else "") or municipality.email
    if email:
        contact.append(email)
    authority["contact_lines"] = contact
    return authority


def legal_remedy_for(service: ServiceDefinition, authority: Municipality) -> str:
    """The Rechtsbehelfsbelehrung of a Bescheid in the active language: the service's own,
    else the deciding authority's default, else the district's, else the general one."""
    for texts in (
        service.legal_remedy,
        getattr(_profile(authority), "legal_remedy", None),
        getattr(_profile(authority.district), "legal_remedy", None),
    ):
        if texts and translated(texts).strip():
            return translated(texts)
    return _(
        "You may bring an action against this decision before the competent administrative "
        "court within one month of its notification. The action must be filed in writing, "
        "in electronic form or recorded by the court clerk."
    )
