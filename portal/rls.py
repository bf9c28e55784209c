"""Row-level security on PostgreSQL: the safety net under the selectors (DESIGN.md, Tenancy;
docs/operations.md, Row-level security).

The selectors stay the place where tenancy is enforced and the index path; the policies
(migration municipalities/0002_row_level_security) only make a forgotten filter fail closed.
Every tenant-owned table has one policy that asks `kreisportal_tenant_allowed(<column>)`,
which reads the setting `app.municipalities`:

- unset or empty: no tenant rows at all (the database's default is to deny);
- `*`: every row — system contexts: workers, beat, management commands, and anonymous
  citizen requests, whose only key to a case is its access token (checked in
  `case_for_token`; the policy cannot know a case's authority before reading it);
- `3,7`: the rows of municipalities 3 and 7 — a signed-in clerk or municipal admin.

Superusers and table owners without FORCE bypass policies, which is why the migration
FORCEs them and why production connects as the role `kreisportal_app`, which owns nothing.
Everything here is a no-op unless DATABASE_RLS is on and the database is PostgreSQL, so
development on SQLite and the test suite (connected as a superuser) are unaffected."""

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from rest_framework import authentication

ALL = "*"
NONE = ""
SETTING = "app.municipalities"
APP_ROLE = "kreisportal_app"

# Table → the column its policy reads, or the parent it is checked through. Kept in step
# with the migrations; the system check (portal/checks.py) reads it.
TENANT_TABLES: dict[str, str] = {
    "municipalities_membership": "municipality_id",
    "services_serviceoffering": "municipality_id",
    "services_case": "processing_authority_id",
    "services_caseevent": "via services_case",
    "services_attachment": "via services_case",
    "services_casestep": "via services_case",
    "services_outboundemail": "via services_casestep",
    "payments_payment": "payee_municipality_id or via services_case",
    "payments_paymentevent": "via payments_payment",
    "payments_statementimport": "municipality_id",
    "payments_statementline": "via payments_statementimport",
    "payments_refund": "via payments_payment",
    "services_casetally": "processing_authority_id",
    "services_decisiontally": "processing_authority_id",
}


def enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    return bool(getattr(settings, "DATABASE_RLS", False)) and (
        connections[using].vendor == "postgresql"
    )


def scope_value(municipality_ids: Iterable[int] | str) -> str:
    if isinstance(municipality_ids, str):
        if municipality_ids != ALL and not re.fullmatch(r"(\d+(,\d+)*)?", municipality_ids):
            raise ValueError("a scope is '*', '' or municipality ids separated by commas")
        return municipality_ids
    return ",".join(str(int(i)) for i in sorted(set(municipality_ids)))


def set_scope(
    municipality_ids: Iterable[int] | str, *, local: bool = False, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Declare which municipalities' rows this connection may see: for the session, or with
    `local=True` for the current transaction only (SET LOCAL)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, %s)", [SETTING, scope_value(municipality_ids), local]
        )


@contextmanager
def scoped(
    municipality_ids: Iterable[int] | str, *, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """A transaction that sees only the given municipalities (SET LOCAL): for code that
    wants the net even in a system context, e.g. a report for one town."""
    with transaction.atomic(using=using):
        if enabled(using):
            set_scope(municipality_ids, local=True, using=using)
        yield


def scope_for(user: object) -> str:
    """The scope of a signed-in user: every municipality they hold a role in; the whole
    district for district admins and superusers (statistics are district-wide)."""
    from municipalities.models import Membership

    if user is None or not getattr(user, "is_authenticated", False):
        return ALL
    if getattr(user, "is_superuser", False):
        return ALL
    roles = list(Membership.objects.filter(user=user).values_list("role", "municipality_id"))
    if any(role == Membership.Role.DISTRICT_ADMIN for role, _ in roles):
        return ALL
    return scope_value(municipality_id for _, municipality_id in roles)


def apply_user(user: object, *, using: str = DEFAULT_DB_ALIAS) -> None:
    if enabled(using):
        set_scope(scope_for(user), using=using)


@receiver(connection_created)
def _system_scope_on_connect(sender: object, connection: object, **kwargs: object) -> None:
    """A new connection starts as a system context (worker, beat, command); a web request
    narrows it in RowLevelSecurityMiddleware before its first own query."""
    if getattr(settings, "DATABASE_RLS", False) and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, ALL])


class RowLevelSecurityMiddleware:
    """Narrow the connection to the signed-in user's municipalities for one request, and
    give the (possibly pooled) connection back as a system context afterwards. Requests run
    in autocommit (ATOMIC_REQUESTS is off), so the setting is made for the session, outside
    any transaction, where no rollback can undo it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        user = getattr(request, "user", None)
        narrowed = user is not None and user.is_authenticated
        if narrowed:
            apply_user(user)
        try:
            return self.get_response(request)
        finally:
            if narrowed or getattr(request, "_rls_narrowed", False):
                try:
                    set_scope(ALL)
                except DatabaseError:
                    # A broken connection is closed and replaced, and starts over as a
                    # system context (connection_created).
                    pass


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, narrowing the connection once the caller is known (token
    callers are invisible to the middleware, which runs before DRF authenticates)."""

    def authenticate(self, request: object) -> tuple | None:
        result = super().authenticate(request)
        if result is not None and enabled():
            apply_user(result[0])
            request._request._rls_narrowed = True
        return result
