"""The district's admin pages: tenants, memberships and delegations."""

from district.admin import tenants  # noqa: F401  (register the pages)
