"""Reads of payments."""


def payment_status_for_case(case) -> str | None:
    """The status of the case's newest payment, None when none was started."""
    return None
