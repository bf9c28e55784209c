"""The end of the `services` app's models: catalog/0001, cases/0001 and district/0001 took
them over with their tables, and payments/0004 points payments at the case model's new
home. State only, so the tables and every row stay; the models' content types move with
them (the admin's history and permissions stay attached)."""

from django.db import migrations

from core.moves import content_types_follow

MOVED = {
    "servicedefinition": "catalog",
    "serviceoffering": "catalog",
    "case": "cases",
    "caseevent": "cases",
    "attachment": "cases",
    "casestep": "cases",
    "outboundemail": "cases",
    "casetally": "district",
    "decisiontally": "district",
}


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0005_dashboard_tallies"),
        ("catalog", "0001_initial"),
        ("cases", "0001_initial"),
        ("district", "0001_initial"),
        ("payments", "0004_payment_belongs_to_a_payable"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # Children before parents: a model's state cannot outlive what it points at.
                migrations.DeleteModel(name="OutboundEmail"),
                migrations.DeleteModel(name="CaseStep"),
                migrations.DeleteModel(name="CaseEvent"),
                migrations.DeleteModel(name="Attachment"),
                migrations.DeleteModel(name="Case"),
                migrations.DeleteModel(name="ServiceOffering"),
                migrations.DeleteModel(name="ServiceDefinition"),
                migrations.DeleteModel(name="CaseTally"),
                migrations.DeleteModel(name="DecisionTally"),
            ],
        ),
        content_types_follow(MOVED, old_app="services"),
    ]
