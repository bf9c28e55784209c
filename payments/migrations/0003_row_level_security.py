"""Row-level security for the payments tables on PostgreSQL (core/rls.py).

municipalities/0002 defines the policies of every tenant table, payments' included, but
it can only apply them to tables that exist when it runs; the payments tables are made
later. Re-running its (idempotent) forwards step here applies them. Nothing on SQLite."""

import importlib

from django.db import migrations

_rls = importlib.import_module("municipalities.migrations.0002_row_level_security")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_beat_schedule"),
        ("municipalities", "0002_row_level_security"),
    ]

    operations = [migrations.RunPython(_rls.forwards, migrations.RunPython.noop, elidable=False)]
