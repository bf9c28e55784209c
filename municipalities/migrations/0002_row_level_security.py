"""Row-level security on PostgreSQL: the safety net under the selectors (core/rls.py,
docs/operations.md). Nothing happens on SQLite.

Each tenant-owned table gets ENABLE + FORCE ROW LEVEL SECURITY and one policy
`tenant_isolation` that asks `kreisportal_tenant_allowed(<column>)`; child tables are
checked through their parent. The role `kreisportal_app` (NOLOGIN; production gives it a
login or grants it to the login role) gets DML on every table and owns none, so the
policies bind it."""

from django.db import migrations

ALLOWED = "kreisportal_tenant_allowed"
ALL = "kreisportal_tenant_all()"


def case_visible(column: str) -> str:
    return (
        f"{ALL} OR EXISTS (SELECT 1 FROM services_case c "
        f"WHERE c.id = {column} AND {ALLOWED}(c.processing_authority_id))"
    )


def payment_visible(column: str) -> str:
    return (
        f"{ALL} OR EXISTS (SELECT 1 FROM payments_payment p JOIN services_case c ON c.id = p.case_id "
        f"WHERE p.id = {column} AND ({ALLOWED}(p.payee_municipality_id) "
        f"OR {ALLOWED}(c.processing_authority_id)))"
    )


# Table → the condition a row must meet (USING and WITH CHECK alike).
POLICIES = {
    "municipalities_membership": f"{ALLOWED}(municipality_id)",
    "services_serviceoffering": f"{ALLOWED}(municipality_id)",
    "services_case": f"{ALLOWED}(processing_authority_id)",
    "services_caseevent": case_visible("services_caseevent.case_id"),
    "services_attachment": case_visible("services_attachment.case_id"),
    "services_casestep": case_visible("services_casestep.case_id"),
    "services_outboundemail": (
        f"{ALL} OR EXISTS (SELECT 1 FROM services_casestep s JOIN services_case c ON c.id = s.case_id "
        f"WHERE s.id = services_outboundemail.step_id AND {ALLOWED}(c.processing_authority_id))"
    ),
    "payments_payment": (
        f"{ALLOWED}(payee_municipality_id) OR EXISTS (SELECT 1 FROM services_case c "
        f"WHERE c.id = payments_payment.case_id AND {ALLOWED}(c.processing_authority_id))"
    ),
    "payments_paymentevent": payment_visible("payments_paymentevent.payment_id"),
    "payments_refund": payment_visible("payments_refund.payment_id"),
    "payments_statementimport": f"{ALLOWED}(municipality_id)",
    "payments_statementline": (
        f"{ALL} OR EXISTS (SELECT 1 FROM payments_statementimport i "
        f"WHERE i.id = payments_statementline.statement_id AND {ALLOWED}(i.municipality_id))"
    ),
}

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION kreisportal_tenant_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(current_setting('app.municipalities', true), '') = '*'
$$;

CREATE OR REPLACE FUNCTION kreisportal_tenant_allowed(municipality bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE coalesce(current_setting('app.municipalities', true), '')
    WHEN '*' THEN true
    WHEN '' THEN false
    ELSE municipality = ANY (string_to_array(current_setting('app.municipalities', true), ',')::bigint[])
  END
$$;
"""

ROLE = r"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kreisportal_app') THEN
    CREATE ROLE kreisportal_app NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot create role kreisportal_app; create it as an administrator (docs/operations.md)';
END
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kreisportal_app') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA public TO kreisportal_app';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kreisportal_app';
    EXECUTE 'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO kreisportal_app';
    -- Tables of later migrations, made by the same owner, are granted as they appear.
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kreisportal_app';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO kreisportal_app';
  END IF;
END
$$;
"""


def _existing(cursor, tables):
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    present = {row[0] for row in cursor.fetchall()}
    return [t for t in tables if t in present]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTIONS)
        cursor.execute(ROLE)
        for table in _existing(cursor, POLICIES):
            condition = POLICIES[table]
            cursor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
            cursor.execute(
                f"CREATE POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition})"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in _existing(cursor, POLICIES):
            cursor.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
            cursor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        cursor.execute("DROP FUNCTION IF EXISTS kreisportal_tenant_allowed(bigint)")
        cursor.execute("DROP FUNCTION IF EXISTS kreisportal_tenant_all()")


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0001_initial"),
        ("services", "0003_beat_schedule"),
        # The payments tables exist by then (payments/0003 re-applies this migration's
        # policies and depends on it, so this cannot name payments' latest migration).
        ("payments", "0002_beat_schedule"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
