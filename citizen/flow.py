"""Where a citizen is in one service's form, and how each field shows on the page. The form
engine (catalog/forms/) checks every answer exactly as the API does; the field types say
how they are asked for (template, input type, text box)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.services import validate_applicant
from catalog.forms.conditions import ShownStep, shown_steps
from catalog.forms.fields import Field, fields_of, steps_of
from catalog.forms.validation import validate_form
from catalog.selectors import Offer, offer_for
from municipalities.selectors import municipality_by_slug

# Autocomplete tokens (WCAG 1.3.5) for the field names the district's forms use.
AUTOCOMPLETE = {
    "familienname": "family-name",
    "nachname": "family-name",
    "vornamen": "given-name",
    "vorname": "given-name",
    "geburtsdatum": "bday",
    "strasse": "address-line1",
    "straße": "address-line1",
    # The HTML standard has no token for a house number: "on" lets the browser fill it by
    # its own reading of the label.
    "hausnummer": "on",
    "plz": "postal-code",
    "postleitzahl": "postal-code",
    "ort": "address-level2",
    "wohnort": "address-level2",
    "telefon": "tel",
    "email": "email",
    "iban": "off",
}


@dataclass
class Widget:
    """One field as the page shows it: its answer so far, its errors, and the ids that tie
    the label, hint and error message to the control."""

    field: Field
    value: Any = None
    errors: list[str] = dataclass_field(default_factory=list)
    uploaded: dict[str, Any] | None = None
    autocomplete: str = ""
    #: The question's condition when it depends on an answer of the same page: the page
    #: says so ("Only if …"), and static/js/conditions.js hides it while it does not apply.
    condition: str = ""
    condition_json: str = ""
    # Confirmed by the identity provider: shown read-only, marked, never taken from the form.
    verified: bool = False

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def id(self) -> str:
        return f"field-{self.field.name}"

    @property
    def template(self) -> str:
        return f"citizen/fields/{self.field.kind.widget(self.field)}"

    @property
    def input_type(self) -> str:
        return self.field.kind.input_type

    @property
    def inputmode(self) -> str:
        return self.field.kind.inputmode

    @property
    def spellcheck(self) -> bool:
        return self.field.kind.spellcheck

    @property
    def text(self) -> str:
        """The value for a text box."""
        return self.field.kind.page_text(self.field, self.value)

    @property
    def checked(self) -> bool:
        return self.value is True or self.value == "on"

    @property
    def selected(self) -> list[str]:
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [str(self.value)] if self.value not in (None, "") else []

    @property
    def options(self) -> list[dict[str, Any]]:
        chosen = self.selected
        return [
            {
                "value": value,
                "label": label,
                "id": self.id if i == 0 else f"{self.id}-{i}",
                "on": value in chosen,
            }
            for i, (value, label) in enumerate(self.field.choices)
        ]

    @property
    def accept(self) -> str:
        return ",".join(self.field.accept)

    @property
    def accept_names(self) -> str:
        return ", ".join(t.split("/")[1].upper() for t in self.field.accept)

    @property
    def max_megabytes(self) -> int:
        return self.field.max_bytes // (1024 * 1024)

    @property
    def describedby(self) -> str:
        ids = []
        if self.verified:
            ids.append(f"{self.id}-verified")
        if self.field.help or self.field.kind.format_hint:
            ids.append(f"{self.id}-hint")
        if self.uploaded:
            ids.append(f"{self.id}-uploaded")
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclass
class Flow:
    """Where the citizen is in one service's form."""

    offer: Offer
    steps: list[dict[str, Any]] = dataclass_field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.steps) + 1  # the last step asks for the applicant's contact details

    def step_url(self, number: int, *, back_to_check: bool = False) -> str:
        args = [self.offer.municipality.slug, self.offer.service.key]
        url = (
            reverse("service-form", args=args)
            if number == 1
            else reverse("service-step", args=[*args, number])
        )
        return f"{url}?return=check" if back_to_check else url

    @property
    def check_url(self) -> str:
        return reverse("service-check", args=[self.offer.municipality.slug, self.offer.service.key])

    @property
    def list_url(self) -> str:
        return reverse("municipality", args=[self.offer.municipality.slug])

    @property
    def form(self) -> dict[str, Any]:
        return {"steps": self.steps}

    def fields(self, number: int) -> list[Field]:
        return fields_of(self.form, number - 1)

    def shown(self, values: dict[str, Any]) -> list[ShownStep]:
        """The steps (and their fields) that apply to the answers so far."""
        return shown_steps(self.form, values)

    def applies(self, number: int, values: dict[str, Any]) -> bool:
        return number == self.total or any(s.number == number for s in self.shown(values))

    def next_number(self, number: int, values: dict[str, Any]) -> int:
        """The next step that applies after `number` (the contact step at the end)."""
        later = [s.number for s in self.shown(values) if s.number > number]
        return later[0] if later else self.total

    def previous_number(self, number: int, values: dict[str, Any]) -> int | None:
        earlier = [s.number for s in self.shown(values) if s.number < number]
        return earlier[-1] if earlier else None

    def step_of_field(self, name: str) -> int:
        if name.startswith("applicant"):
            return self.total
        for number in range(1, len(self.steps) + 1):
            if any(f.name == name for f in self.fields(number)):
                return number
        return 1

    def incomplete_step(self, draft: dict[str, Any]) -> int | None:
        """The first step whose answers are missing or no longer valid, else None."""
        for step in self.shown(draft["values"]):
            _cleaned, errors = validate_form(self.form, draft["values"], step=step.number)
            missing_file = any(
                f.kind.is_file and f.required and f.name not in draft["files"] for f in step.fields
            )
            if errors or missing_file:
                return step.number
        _cleaned, errors = validate_applicant(draft.get("applicant") or {})
        return self.total if errors else None


def flow_for(slug: str, service_key: str) -> Flow:
    offer = offer_for(municipality_by_slug(slug), service_key)
    return Flow(offer=offer, steps=steps_of(offer.service.form))


def contact_fields() -> list[Field]:
    return [
        Field(
            {"name": "applicant_name", "type": "text", "label": _("Full name"), "required": True}
        ),
        Field(
            {
                "name": "applicant_email",
                "type": "email",
                "label": _("E-mail address"),
                "required": True,
                "help": _(
                    "We send the confirmation and the link to follow your request to this address."
                ),
            }
        ),
    ]


def posted_values(fields: list[Field], post: QueryDict) -> dict[str, Any]:
    """The browser's form data as the engine takes it (each field type says how: several
    values for a multichoice, an unticked checkbox as False, 15.03.1990 as a date)."""
    values: dict[str, Any] = {}
    for f in fields:
        value = f.kind.from_post(f, post)
        if value is not None:
            values[f.name] = value
    return values


def page_errors(
    fields: list[Field], posted: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The engine's messages; a date it could not read is explained in the page's format."""
    for f in fields:
        if f.type == "date" and f.name in errors and posted.get(f.name):
            errors[f.name] = [_("Enter a real date in the format DD.MM.YYYY, like 15.03.1990.")]
    return errors


def error_summary(widgets: list[Widget]) -> list[dict[str, str]]:
    return [
        {"href": f"#{w.id}", "label": w.field.label, "message": message}
        for w in widgets
        for message in w.errors
    ]
