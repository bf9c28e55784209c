"""The designer's forms: a service's details (fees typed in euros), a step, a field. Each
turns what was typed into the definition's JSON (`spec()`), which the form engine then
checks (catalog/forms/validation.py): one place for the rules."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.fim.codelists import shipped
from catalog.forms.conditions import condition_errors
from catalog.forms.fields import ALLOWED_UPLOAD_TYPES, AUTOCOMPLETE_TOKENS, Field
from catalog.forms.types import TYPES
from catalog.forms.validation import NAME_RE
from catalog.models import ServiceDefinition
from catalog.vocabulary import PROCESS_STEPS, VERIFIED_ATTRIBUTES, TrustLevel
from core.formats import locale_of

TYPE_LABELS = {
    "text": gettext_lazy("Text (one line)"),
    "textarea": gettext_lazy("Text (several lines)"),
    "email": gettext_lazy("E-mail address"),
    "phone": gettext_lazy("Telephone number"),
    "date": gettext_lazy("Date"),
    "integer": gettext_lazy("Whole number"),
    "decimal": gettext_lazy("Number with decimals"),
    "choice": gettext_lazy("One choice"),
    "multichoice": gettext_lazy("Several choices"),
    "boolean": gettext_lazy("Tick box (yes/no)"),
    "iban": gettext_lazy("IBAN"),
    "file": gettext_lazy("File upload"),
}
FILE_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def cents_to_text(cents: int | None) -> str:
    """Cents as the page's language types euros: "12,50" / "12.50"."""
    if cents is None:
        return ""
    return format_decimal(Decimal(cents) / 100, "#,##0.00", locale=locale_of())


class EuroField(forms.CharField):
    """An amount in euros as people type it in the page's language ("12,50" in German,
    "12.50" in English; "1.250,00" and "1,250.00" too), as integer cents."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "spellcheck": "false"})

    def prepare_value(self, value: Any) -> Any:
        return cents_to_text(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:
        text = super().to_python(value).replace("€", "").replace("\u00a0", "").strip()
        if not text:
            return None
        try:
            if len(text) > 15:
                raise NumberFormatError(text)
            amount = parse_decimal(text, locale=locale_of(), strict=True)
        except NumberFormatError as exc:
            raise ValidationError(
                _("Enter an amount in euros, like %(example)s.") % {"example": cents_to_text(1250)}
            ) from exc
        if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount > 1_000_000:
            raise ValidationError(
                _("Enter an amount in euros and cents, like %(example)s.")
                % {"example": cents_to_text(1250)}
            )
        return int(amount * 100)


def _text(**kwargs: Any) -> forms.CharField:
    return forms.CharField(required=False, **kwargs)


def _lang(spec: Any, lang: str) -> str:
    return spec.get(lang, "") if isinstance(spec, dict) else (spec or "" if lang == "de" else "")


def _pair(de: str, en: str) -> dict[str, str]:
    return {"de": de.strip(), "en": en.strip()}


class DetailsForm(forms.Form):
    """A service's details: names, descriptions, keys, fees and processing."""

    key = forms.SlugField(label=gettext_lazy("Key"), max_length=80)
    name_de = forms.CharField(label=gettext_lazy("Name (German)"), max_length=200)
    name_en = _text(label=gettext_lazy("Name (English)"), max_length=200)
    description_de = _text(label=gettext_lazy("Description (German)"), widget=forms.Textarea)
    description_en = _text(label=gettext_lazy("Description (English)"), widget=forms.Textarea)
    synonyms = _text(
        label=gettext_lazy("Synonyms"),
        help_text=gettext_lazy("Other words residents search for, separated by commas."),
        max_length=1000,
    )
    leika = _text(label=gettext_lazy("LeiKa key"), max_length=20)
    offered_by = forms.ChoiceField(
        label=gettext_lazy("Offered by"), choices=ServiceDefinition.OfferedBy.choices
    )
    trust_level = forms.ChoiceField(
        label=gettext_lazy("Trust level of the sign-in"),
        choices=TrustLevel.choices,
        help_text=gettext_lazy(
            "How surely applicants must be identified (BundID): none, low, substantial, high."
        ),
    )
    fee_kind = forms.ChoiceField(
        label=gettext_lazy("Fee"), choices=ServiceDefinition.FeeKind.choices
    )
    fee = EuroField(label=gettext_lazy("Standard fee in euros"), required=False)
    fee_field = _text(
        label=gettext_lazy("Field counted for a fee per unit"),
        help_text=gettext_lazy("The name of a whole-number field of the form."),
        max_length=80,
    )
    fee_min = EuroField(label=gettext_lazy("Lowest fee a town may set, in euros"), required=False)
    fee_max = EuroField(label=gettext_lazy("Highest fee a town may set, in euros"), required=False)
    prepay = forms.BooleanField(label=gettext_lazy("The fee is paid before review"), required=False)
    sla_days = forms.IntegerField(
        label=gettext_lazy("Processing time in working days"), min_value=1, max_value=365
    )
    retention_days = forms.IntegerField(
        label=gettext_lazy("Retention in days after the decision"), min_value=1, max_value=3650
    )
    process_steps = forms.MultipleChoiceField(
        label=gettext_lazy("Automatic process steps"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(s, s.replace("_", " ")) for s in PROCESS_STEPS],
    )
    legal_basis_de = _text(
        label=gettext_lazy("Legal basis (German)"),
        help_text=gettext_lazy("For the privacy notice, e.g. § 3 Hundesteuersatzung."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    legal_basis_en = _text(
        label=gettext_lazy("Legal basis (English)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    purpose_de = _text(
        label=gettext_lazy("Purpose of processing (German)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    purpose_en = _text(
        label=gettext_lazy("Purpose of processing (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recipients_de = _text(
        label=gettext_lazy("Recipients of the data (German)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recipients_en = _text(
        label=gettext_lazy("Recipients of the data (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    legal_remedy_de = _text(
        label=gettext_lazy("Rechtsbehelfsbelehrung (German)"),
        help_text=gettext_lazy("Printed on every Bescheid; empty: the district's default."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    legal_remedy_en = _text(
        label=gettext_lazy("Rechtsbehelfsbelehrung (English)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    agency_email = forms.EmailField(
        label=gettext_lazy("Agency address for forwarding"), required=False
    )

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["key"]

    @classmethod
    def initial_of(cls, definition: ServiceDefinition) -> dict[str, Any]:
        fee = definition.fee or {}
        return {
            "name_de": _lang(definition.name, "de"),
            "name_en": _lang(definition.name, "en"),
            "description_de": _lang(definition.description, "de"),
            "description_en": _lang(definition.description, "en"),
            "leika": definition.leika,
            "synonyms": ", ".join(definition.synonyms or []),
            "offered_by": definition.offered_by,
            "trust_level": definition.trust_level,
            "fee_kind": fee.get("kind", "free"),
            "fee": fee.get("cents"),
            "fee_field": fee.get("field", ""),
            "fee_min": definition.fee_min_cents,
            "fee_max": definition.fee_max_cents,
            "prepay": definition.prepay,
            "sla_days": definition.sla_days,
            "retention_days": definition.retention_days,
            "process_steps": definition.process_steps,
            "agency_email": definition.agency_email,
            **{
                f"{key}_{lang}": _lang((definition.privacy or {}).get(key), lang)
                for key in ("legal_basis", "purpose", "recipients")
                for lang in ("de", "en")
            },
            "legal_remedy_de": _lang(definition.legal_remedy, "de"),
            "legal_remedy_en": _lang(definition.legal_remedy, "en"),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("fee_kind")
        if kind and kind != "free" and cleaned.get("fee") is None:
            self.add_error("fee", _("Enter the fee in euros."))
        if kind == "per_unit" and not cleaned.get("fee_field"):
            self.add_error("fee_field", _("Name the field that counts the units."))
        low, high = cleaned.get("fee_min"), cleaned.get("fee_max")
        if low is not None and high is not None and low > high:
            self.add_error("fee_max", _("The highest fee lies below the lowest fee towns may set."))
        return cleaned

    def values(self) -> dict[str, Any]:
        """The model fields these answers set."""
        data = self.cleaned_data
        kind = data["fee_kind"]
        fee: dict[str, Any] = {"kind": kind}
        if kind != "free":
            fee["cents"] = data["fee"]
        if kind == "per_unit":
            fee["field"] = data["fee_field"]
        cents = fee.get("cents", 0)
        return {
            "name": _pair(data["name_de"], data["name_en"]),
            "description": _pair(data["description_de"], data["description_en"]),
            "leika": data["leika"].strip(),
            "synonyms": [w.strip() for w in data["synonyms"].split(",") if w.strip()],
            "offered_by": data["offered_by"],
            "trust_level": data["trust_level"],
            "fee": fee,
            "fee_min_cents": data["fee_min"] if data["fee_min"] is not None else cents // 2,
            "fee_max_cents": data["fee_max"] if data["fee_max"] is not None else cents * 2,
            "prepay": data["prepay"],
            "sla_days": data["sla_days"],
            "retention_days": data["retention_days"],
            "process_steps": list(data["process_steps"]),
            "agency_email": data["agency_email"],
            "privacy": {
                key: _pair(data[f"{key}_de"], data[f"{key}_en"])
                for key in ("purpose", "legal_basis", "recipients")
                if data[f"{key}_de"].strip() or data[f"{key}_en"].strip()
            },
            "legal_remedy": _pair(data["legal_remedy_de"], data["legal_remedy_en"])
            if data["legal_remedy_de"].strip() or data["legal_remedy_en"].strip()
            else {},
        }


class ConditionMixin(forms.Form):
    """`visible_if` typed as "ask when field … has one of these answers", or as JSON for
    combinations (all/any)."""

    condition_field = forms.ChoiceField(
        label=gettext_lazy("Ask only when this question…"), required=False
    )
    condition_values = _text(
        label=gettext_lazy("…has one of these answers"),
        help_text=gettext_lazy("The stored values, separated by commas: ja, nein, true, 3."),
        max_length=500,
    )
    condition_json = _text(
        label=gettext_lazy("Or a combined condition (JSON)"),
        help_text=gettext_lazy('For example {"all": [{"field": "hund", "equals": "ja"}, …]}.'),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def setup_condition(self, earlier: list[Field], condition: Any) -> None:
        self.earlier = {f.name: f for f in earlier if not f.kind.is_file}
        self.fields["condition_field"].choices = [("", _("(always ask)"))] + [
            (f.name, f"{f.label} ({f.name})") for f in self.earlier.values()
        ]
        if not self.is_bound and condition:
            simple = set(condition) in ({"field", "equals"}, {"field", "in"})
            if simple and condition["field"] in self.earlier:
                values = [condition["equals"]] if "equals" in condition else condition["in"]
                self.initial["condition_field"] = condition["field"]
                self.initial["condition_values"] = ", ".join(
                    json.dumps(v) if isinstance(v, bool) else str(v) for v in values
                )
            else:
                self.initial["condition_json"] = json.dumps(condition, ensure_ascii=False)

    def condition(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("condition_json", "").strip():
            try:
                return json.loads(data["condition_json"])
            except json.JSONDecodeError as exc:
                self.add_error("condition_json", _("This is not valid JSON: %(e)s") % {"e": exc})
                return None
        name = data.get("condition_field")
        if not name:
            return None
        field = self.earlier[name]
        values = []
        for raw in (v.strip() for v in data.get("condition_values", "").split(",")):
            if raw:
                values.append(
                    {"true": True, "false": False}.get(raw.lower(), raw)
                    if field.type == "boolean"
                    else (
                        int(raw) if field.type == "integer" and raw.lstrip("-").isdigit() else raw
                    )
                )
        if not values:
            self.add_error("condition_values", _("Give at least one answer."))
            return None
        return (
            {"field": name, "equals": values[0]}
            if len(values) == 1
            else {"field": name, "in": values}
        )

    def check_condition(self, label: str) -> dict[str, Any] | None:
        condition = self.condition()
        if condition is not None:
            for problem in condition_errors(condition, self.earlier, label):
                self.add_error(None, problem)
        return condition


class StepForm(ConditionMixin):
    title_de = forms.CharField(label=gettext_lazy("Title (German)"), max_length=200)
    title_en = _text(label=gettext_lazy("Title (English)"), max_length=200)
    notice_de = _text(
        label=gettext_lazy("Note at the end of the step (German)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notice_en = _text(
        label=gettext_lazy("Note at the end of the step (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, step: dict[str, Any] | None = None, earlier: list[Field], **kwargs: Any
    ) -> None:
        step = step or {}
        initial = {
            "title_de": _lang(step.get("title"), "de"),
            "title_en": _lang(step.get("title"), "en"),
            "notice_de": _lang(step.get("notice"), "de"),
            "notice_en": _lang(step.get("notice"), "en"),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.setup_condition(earlier, step.get("visible_if"))
        self.step = step

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        dropped = ("title", "visible_if", "notice", "fields")
        step = {k: v for k, v in self.step.items() if k not in dropped}
        step["title"] = _pair(data["title_de"], data["title_en"])
        if data["notice_de"].strip() or data["notice_en"].strip():
            step["notice"] = _pair(data["notice_de"], data["notice_en"])
        condition = self.check_condition(_("this step"))
        if condition:
            step["visible_if"] = condition
        return step


class FieldForm(ConditionMixin):
    """One question: every key of the form engine's field (catalog/forms/fields.py)."""

    name = forms.RegexField(
        label=gettext_lazy("Name (for the data)"),
        regex=NAME_RE,
        max_length=80,
        help_text=gettext_lazy("Lower-case letters, digits and _, e.g. familienname."),
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=[(t, TYPE_LABELS.get(t, t)) for t in TYPES]
    )
    label_de = forms.CharField(label=gettext_lazy("Question (German)"), max_length=300)
    label_en = _text(label=gettext_lazy("Question (English)"), max_length=300)
    help_de = _text(
        label=gettext_lazy("Help text (German)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    help_en = _text(
        label=gettext_lazy("Help text (English)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    min_length = forms.IntegerField(
        label=gettext_lazy("At least … characters"), required=False, min_value=0
    )
    max_length = forms.IntegerField(
        label=gettext_lazy("At most … characters"), required=False, min_value=1
    )
    min = forms.DecimalField(label=gettext_lazy("Smallest number"), required=False, localize=True)
    max = forms.DecimalField(label=gettext_lazy("Largest number"), required=False, localize=True)
    pattern = _text(
        label=gettext_lazy("Pattern (regular expression)"),
        help_text=gettext_lazy("The whole answer must match, e.g. [0-9]{5} for a postcode."),
        max_length=300,
    )
    choices = _text(
        label=gettext_lazy("Choices, one per line"),
        help_text=gettext_lazy("value | German label | English label"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    code_list = forms.ChoiceField(
        label=gettext_lazy("Or the choices of a code list"), required=False
    )
    accept = forms.MultipleChoiceField(
        label=gettext_lazy("Allowed file types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(m, FILE_TYPES[m]) for m in ALLOWED_UPLOAD_TYPES],
    )
    max_size_mb = forms.IntegerField(
        label=gettext_lazy("Largest file in MB"), required=False, min_value=1, max_value=100
    )

    heading_de = _text(
        label=gettext_lazy("Sub-heading before the question (German)"), max_length=200
    )
    heading_en = _text(
        label=gettext_lazy("Sub-heading before the question (English)"), max_length=200
    )
    notice_de = _text(
        label=gettext_lazy("Note before the question (German)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notice_en = _text(
        label=gettext_lazy("Note before the question (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    autocomplete = forms.ChoiceField(
        label=gettext_lazy("Browser autofill (autocomplete)"),
        required=False,
        help_text=gettext_lazy("What the browser may fill in; empty: chosen by the name."),
    )
    verified = forms.ChoiceField(
        label=gettext_lazy("Filled from the BundID sign-in"),
        required=False,
        choices=[("", "—")] + [(a, a.replace("_", " ")) for a in VERIFIED_ATTRIBUTES],
    )

    KEEP = ("fim_id",)

    def __init__(
        self, *args: Any, spec: dict[str, Any] | None = None, earlier: list[Field], **kwargs: Any
    ) -> None:
        spec = spec or {}
        initial = {
            "name": spec.get("name", ""),
            "type": spec.get("type", "text"),
            "label_de": _lang(spec.get("label"), "de"),
            "label_en": _lang(spec.get("label"), "en"),
            "help_de": _lang(spec.get("help"), "de"),
            "help_en": _lang(spec.get("help"), "en"),
            "heading_de": _lang(spec.get("heading"), "de"),
            "heading_en": _lang(spec.get("heading"), "en"),
            "notice_de": _lang(spec.get("notice"), "de"),
            "notice_en": _lang(spec.get("notice"), "en"),
            "required": spec.get("required", False),
            "pattern": spec.get("pattern", ""),
            "accept": spec.get("accept", []),
            "choices": "\n".join(
                " | ".join([c["value"], _lang(c.get("label"), "de"), _lang(c.get("label"), "en")])
                for c in spec.get("choices", [])
            ),
        }
        for key in ("min_length", "max_length", "min", "max", "max_size_mb"):
            initial[key] = spec.get(key)
        for key in ("autocomplete", "verified"):
            initial[key] = spec.get(key, "")
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["autocomplete"].choices = [("", "—")] + [
            (t, t) for t in sorted(AUTOCOMPLETE_TOKENS)
        ]
        self.fields["code_list"].choices = [("", "—")] + [
            (c.urn, f"{c.name.get('de', c.urn)} ({c.urn})") for c in shipped().values()
        ]
        self.setup_condition(earlier, spec.get("visible_if"))
        self.original = spec

    def clean_choices(self) -> list[dict[str, Any]]:
        choices = []
        for number, line in enumerate(self.cleaned_data["choices"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                raise ValidationError(_("Line %(n)d has no value.") % {"n": number})
            de = parts[1] if len(parts) > 1 else parts[0]
            en = parts[2] if len(parts) > 2 else ""
            choices.append({"value": parts[0], "label": {"de": de or parts[0], "en": en}})
        return choices

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        spec: dict[str, Any] = {k: self.original[k] for k in self.KEEP if k in self.original}
        spec.update(
            {
                "name": data["name"],
                "type": data["type"],
                "label": _pair(data["label_de"], data["label_en"]),
                "required": data["required"],
            }
        )
        for key in ("help", "heading", "notice"):
            if data[f"{key}_de"].strip() or data[f"{key}_en"].strip():
                spec[key] = _pair(data[f"{key}_de"], data[f"{key}_en"])
        for key in ("min_length", "max_length", "max_size_mb"):
            if data.get(key) is not None:
                spec[key] = data[key]
        for key in ("min", "max"):
            if data.get(key) is not None:
                number = data[key]
                spec[key] = int(number) if number == number.to_integral_value() else float(number)
        if data["pattern"].strip():
            spec["pattern"] = data["pattern"].strip()
        for key in ("autocomplete", "verified"):
            if data.get(key):
                spec[key] = data[key]
        choices = data.get("choices") or []
        if data.get("code_list"):
            choices = [dict(c) for c in shipped()[data["code_list"]].choices]
        if data["type"] in ("choice", "multichoice"):
            spec["choices"] = choices
        if data["type"] == "file" and data.get("accept"):
            spec["accept"] = list(data["accept"])
        condition = self.check_condition(_("this question"))
        if condition:
            spec["visible_if"] = condition
        return spec
