"""The catalog's admin pages: service definitions and offerings."""

from catalog.admin import definitions, offerings  # noqa: F401  (register the pages)
