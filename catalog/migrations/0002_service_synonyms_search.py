"""Service search (catalog/search.py): the synonyms of a service definition, and on
PostgreSQL the `unaccent` extension with `kp_fold`, the folded spelling searches compare
(the same as catalog.search.fold in Python). Other databases need neither.

Backwards: the function is dropped; the extension stays, since other objects of the database
may use it by then (dropping it would fail or take them along)."""

from django.db import migrations, models

FOLD = """
CREATE OR REPLACE FUNCTION kp_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT replace(replace(replace(lower(unaccent(coalesce(t, ''))), 'ae', 'a'), 'oe', 'o'), 'ue', 'u')
$$;
"""


def create_fold(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(FOLD)


def drop_fold(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS kp_fold(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicedefinition",
            name="synonyms",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Other words residents search for, e.g. ["Ummeldung", "Umzug"] (the service search finds them like the name).',
                verbose_name="synonyms",
            ),
        ),
        migrations.RunPython(create_fold, drop_fold),
    ]
