"""Validators for bank data, backed by schwifty (ISO 13616 IBAN, ISO 9362 BIC)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException as exc:
        raise ValidationError(_("Enter a valid IBAN."), code="invalid_iban") from exc


def validate_bic(value: str) -> None:
    if not value:
        return
    try:
        BIC(value)
    except SchwiftyException as exc:
        raise ValidationError(_("Enter a valid BIC."), code="invalid_bic") from exc
