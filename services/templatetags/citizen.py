"""Template helpers of the citizen pages."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    """Integer cents as the reader's language writes euros: "1.500,00 €" or "€1,500.00"."""
    amount = f"{Decimal(int(cents or 0)) / 100:,.2f}"
    if (get_language() or "de")[:2] == "de":
        return amount.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".") + "\u00a0€"
    return f"€{amount}"
