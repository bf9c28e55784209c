"""Template filters for amounts and account numbers, in the reader's language
(`{% load formats %}`; core/formats.py does the work)."""

from django import template

from core import formats

register = template.Library()
register.filter("euros", formats.euros)
register.filter("group4", formats.group4)
