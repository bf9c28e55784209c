"""Template filters for amounts, numbers, dates and account numbers, in the page's language
(`{% load formats %}`; core/formats.py does the work)."""

from django import template

from core import formats

register = template.Library()
register.filter("euros", formats.euros)
register.filter("group4", formats.group4)
register.filter("money", formats.money)
register.filter("percent", formats.percent)
register.filter("local_date", formats.date)
register.filter("local_datetime", formats.date_time)
register.filter("machine_datetime", formats.machine_datetime)


@register.filter
def decimal(value: object, digits: int | None = None) -> str:
    """`{{ value|decimal:1 }}` → "0,0" / "0.0"."""
    return formats.number(value, digits=None if digits in (None, "") else int(digits))
