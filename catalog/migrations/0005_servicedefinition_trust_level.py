"""Services state the trust level (BundID) an applicant must be identified at (issue 15);
existing definitions stay anonymous ("none")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_service_privacy_and_legal_remedy"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicedefinition",
            name="trust_level",
            field=models.CharField(
                choices=[
                    ("none", "none (anonymous)"),
                    ("low", "low"),
                    ("substantial", "substantial"),
                    ("high", "high"),
                ],
                default="none",
                help_text="How surely applicants must be identified (BundID): none (anonymous), low (user name and password), substantial (ELSTER certificate), high (online ID card).",
                max_length=12,
                verbose_name="trust level",
            ),
        ),
    ]
