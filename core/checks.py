"""System checks of the deployment that Django's own checks do not cover."""

from django.core.checks import CheckMessage, Error, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

RLS_MIGRATION = ("municipalities", "0002_row_level_security")


def tables_without_forced_policy(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Tenant-owned tables (core.rls.TENANT_TABLES) that exist but lack ENABLE + FORCE
    ROW LEVEL SECURITY or a policy."""
    from core.rls import TENANT_TABLES

    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
            FROM pg_class c
            WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
              AND c.relname = ANY(%s)
            """,
            [list(TENANT_TABLES)],
        )
        return sorted(
            name
            for name, enabled, forced, has_policy in cursor.fetchall()
            if not (enabled and forced and has_policy)
        )


def _rls_migration_applied(using: str) -> bool:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[using])
    return recorder.has_table() and RLS_MIGRATION in recorder.applied_migrations()


@register("database")
def check_row_level_security(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """On PostgreSQL, once the row-level-security migration has run, every tenant-owned
    table must carry a forced policy. Before that (a fresh database, `migrate` about to
    run) and on SQLite there is nothing to check."""
    errors: list[CheckMessage] = []
    databases = kwargs.get("databases") or [DEFAULT_DB_ALIAS]
    for using in databases:
        if connections[using].vendor != "postgresql":
            continue
        try:
            if not _rls_migration_applied(using):
                continue
            missing = tables_without_forced_policy(using)
        except DatabaseError:
            continue  # an unreachable database is /healthz's business, not this check's
        for table in missing:
            errors.append(
                Error(
                    f"Tenant-owned table {table} has no forced row-level-security policy.",
                    hint="Run `manage.py migrate`; see docs/operations.md, Row-level security.",
                    obj=table,
                    id="core.E001",
                )
            )
    return errors
