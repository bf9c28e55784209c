"""Row-level security: the database lets both parties of a case see it — its processing
authority and the town it was filed in — instead of the processing authority alone.

The filing town of a delegated case is the payee of its fee (payments/): the selectors let
its clerks take that fee at the desk and its admins book the transfer from their bank
statement (cases.selectors.case_for_fee_desk), and doing so records an event and a step on
the case. Under the old policies each of those answered 404, or left the payment pending
and reminded a citizen who had paid (issue 12). Which of its rows a party sees stays the
selectors' rule (a filing town's queue never lists a delegated case); the policies are the
net under them. Nothing on SQLite; reversible."""

from django.db import migrations

ALLOWED = "kreisportal_tenant_allowed"
ALL = "kreisportal_tenant_all()"


def parties(prefix: str = "") -> str:
    return f"({ALLOWED}({prefix}processing_authority_id) OR {ALLOWED}({prefix}municipality_id))"


def through_case(column: str, condition: str) -> str:
    return f"{ALL} OR EXISTS (SELECT 1 FROM services_case c WHERE c.id = {column} AND {condition})"


def through_step(condition: str) -> str:
    return (
        f"{ALL} OR EXISTS (SELECT 1 FROM services_casestep s JOIN services_case c "
        f"ON c.id = s.case_id WHERE s.id = services_outboundemail.step_id AND {condition})"
    )


def policies(case_condition: str, child_condition: str) -> dict[str, str]:
    return {
        "services_case": case_condition,
        "services_caseevent": through_case("services_caseevent.case_id", child_condition),
        "services_attachment": through_case("services_attachment.case_id", child_condition),
        "services_casestep": through_case("services_casestep.case_id", child_condition),
        "services_outboundemail": through_step(child_condition),
    }


NEW = policies(parties(), parties("c."))
OLD = policies(f"{ALLOWED}(processing_authority_id)", f"{ALLOWED}(c.processing_authority_id)")


def _apply(conditions):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for table, condition in conditions.items():
                cursor.execute(
                    f"ALTER POLICY tenant_isolation ON {table} "
                    f"USING ({condition}) WITH CHECK ({condition})"
                )

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        # The last migration that (re-)applies municipalities/0002's policies, the old ones
        # of these tables included.
        ("payments", "0003_row_level_security"),
    ]

    operations = [migrations.RunPython(_apply(NEW), _apply(OLD), elidable=False)]
