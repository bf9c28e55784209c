"""Amounts and account numbers as people read them (pages, e-mails, timeline notes).

`euros` follows the active language ("1.500,00 €" in German, "€1,500.00" in English);
`euros_plain` is the fixed form e-mails and timeline notes have used so far ("30,00 EUR")."""

from decimal import Decimal

from django.utils.translation import get_language


def euros(cents: int | None) -> str:
    """Integer cents as the reader's language writes euros: "1.500,00 €" or "€1,500.00"."""
    amount = f"{Decimal(int(cents or 0)) / 100:,.2f}"
    if (get_language() or "de")[:2] == "de":
        return amount.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".") + "\u00a0€"
    return f"€{amount}"


def euros_plain(cents: int) -> str:
    """Integer cents as "30,00 EUR"."""
    return f"{cents // 100},{cents % 100:02d} EUR"


def group4(value: str) -> str:
    """IBANs and references as people read them aloud: in groups of four."""
    compact = "".join(str(value or "").split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
