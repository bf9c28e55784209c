"""A case names who filed it as BundID confirmed: the pseudonym (bPK2), the level and the
time of the sign-in (issue 15). Existing cases were filed anonymously: empty, "none", null."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_access_link_renewal"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="applicant_pseudonym",
            field=models.CharField(
                blank=True,
                default="",
                max_length=256,
                verbose_name="applicant's pseudonym (BundID)",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="identified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="identified at"),
        ),
        migrations.AddField(
            model_name="case",
            name="identity_level",
            field=models.CharField(
                choices=[
                    ("none", "none (anonymous)"),
                    ("low", "low"),
                    ("substantial", "substantial"),
                    ("high", "high"),
                ],
                default="none",
                max_length=12,
                verbose_name="identified at level",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("applicant_pseudonym", ""), _negated=True),
                fields=["applicant_pseudonym", "submitted_at"],
                name="case_pseudonym_idx",
            ),
        ),
    ]
