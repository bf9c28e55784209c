"""Help for migrations that move models between apps while keeping their tables
(`SeparateDatabaseAndState`): the content types move with them, so the admin's history,
permissions and anything else keyed on a content type stay attached to the same rows."""

from __future__ import annotations

from django.db import migrations


def content_types_follow(moves: dict[str, str], *, old_app: str) -> migrations.RunPython:
    """A migration operation that relabels the content types of `old_app`'s models named in
    `moves` (model name → new app label), and back when unapplied. A database that has no
    such content type yet (a fresh one: they are made after migrating) is left alone."""

    def relabel(apps: object, schema_editor: object, *, reverse: bool) -> None:
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model, new_app in moves.items():
            source, target = (new_app, old_app) if reverse else (old_app, new_app)
            if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
                continue  # already there (made by an earlier run); the old one stays stale
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target
            )

    return migrations.RunPython(
        lambda apps, editor: relabel(apps, editor, reverse=False),
        lambda apps, editor: relabel(apps, editor, reverse=True),
    )
