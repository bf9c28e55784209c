"""Row-level security on PostgreSQL: the safety net under the selectors (docs/architecture.md,
Tenancy; docs/operations.md, Row-level security).

The selectors stay the place where tenancy is enforced and the index path; the policies only
make a forgotten filter fail closed. Every tenant-owned table has one policy
`tenant_isolation` that asks `kreisportal_tenant_allowed(<column>)`, which reads the setting
`app.municipalities`:

- unset or empty: no tenant rows at all (the database's default is to deny);
- `*`: every row — system contexts: workers, beat, management commands, and anonymous
  citizen requests, whose only key to a case is its access token (checked in
  `case_for_token`; the policy cannot know a case's authority before reading it);
- `3,7`: the rows of municipalities 3 and 7 — a signed-in user, as `core.tenancy.Scope`
  says (`rls_value`).

Superusers and table owners without FORCE bypass policies, which is why migrations FORCE
them and why production connects as the role `kreisportal_app`, which owns nothing.
Everything at run time is a no-op unless DATABASE_RLS is on and the database is PostgreSQL.

A new tenant-owned table gets its policy in its app's migration through `tenant_policy`
and is registered with `register_tenant_tables` in its app's `ready()`, so that the system
check (core/checks.py) notices when the policy is lost."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, migrations, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from rest_framework import authentication

from core.tenancy import ALL, scope_for, scope_for_request

NONE = ""
SETTING = "app.municipalities"
APP_ROLE = "kreisportal_app"
ALLOWED = "kreisportal_tenant_allowed"
ALL_ROWS = "kreisportal_tenant_all()"

# Table → how its policy finds the municipality (a column, or the parent table it is checked
# through). Filled by each app's ready(); the system check (core/checks.py) reads it.
TENANT_TABLES: dict[str, str] = {}


def register_tenant_tables(tables: dict[str, str]) -> None:
    """Declare tenant-owned tables of an app (call in its AppConfig.ready())."""
    for table, how in tables.items():
        if TENANT_TABLES.get(table, how) != how:
            raise ValueError(f"{table} is registered twice with different policies")
        TENANT_TABLES[table] = how


# --- migrations ----------------------------------------------------------------------------


def allowed(column: str) -> str:
    """Policy condition: the row's municipality `column` is in the connection's scope."""
    return f"{ALLOWED}({column})"


def through(table: str, column: str, parent: str, condition: str) -> str:
    """Policy condition of a child row: system contexts see it, everyone else when its
    parent row (`parent`, referenced by `table.column`) meets `condition` (written on the
    parent's columns, qualified with `p.`)."""
    return (
        f"{ALL_ROWS} OR EXISTS (SELECT 1 FROM {parent} p "
        f"WHERE p.id = {table}.{column} AND {condition})"
    )


def tenant_policy(table: str, condition: str) -> migrations.RunPython:
    """A migration operation that enables and forces row-level security on `table` with the
    one policy `tenant_isolation` (USING and WITH CHECK `condition`). PostgreSQL only;
    reversible. Use it in the migration that creates the table:

        operations = [migrations.CreateModel(...), tenant_policy("cases_note", allowed(...))]
    """

    def forwards(apps: object, schema_editor: object) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
            cursor.execute(
                f"CREATE POLICY tenant_isolation ON {table} "
                f"USING ({condition}) WITH CHECK ({condition})"
            )

    def backwards(apps: object, schema_editor: object) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
            cursor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    return migrations.RunPython(forwards, backwards, elidable=False)


# --- run time ------------------------------------------------------------------------------


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


def apply_user(user: object, *, using: str = DEFAULT_DB_ALIAS) -> None:
    if enabled(using):
        set_scope(scope_for(user).rls_value(), using=using)


@receiver(connection_created)
def _system_scope_on_connect(sender: object, connection: object, **kwargs: object) -> None:
    """A new connection starts as a system context (worker, beat, command); a web request
    narrows it in RowLevelSecurityMiddleware before its first own query."""
    if getattr(settings, "DATABASE_RLS", False) and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, ALL])


class RowLevelSecurityMiddleware:
    """Narrow the connection to the signed-in user's scope for one request, and give the
    (possibly pooled) connection back as a system context afterwards. Requests run in
    autocommit (ATOMIC_REQUESTS is off), so the setting is made for the session, outside any
    transaction, where no rollback can undo it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        user = getattr(request, "user", None)
        narrowed = user is not None and user.is_authenticated
        if narrowed:
            set_scope(scope_for_request(request).rls_value())
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
