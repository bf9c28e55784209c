"""Helpers shared by the catalog's admin pages."""


def euros(cents: int) -> str:
    """Cents as the admin shows fees: "15,00 €"."""
    return f"{cents / 100:.2f} €".replace(".", ",")
