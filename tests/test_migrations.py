"""A database made before the split into apps (main at 9539f94: `services` held catalog and
cases, `portal` the audit trail) migrates to today's layout with every row where it was.

The test migrates its database back to that state, writes data through the historical
models of then — towns, roles, a published service, offerings, a delegation, cases with
events, steps, e-mails and attachments, tallies, payments with events, a bank statement and
a refund, an audit entry and an admin log entry — migrates forward, and compares every row
of every table, then reads the same data through today's models. docs/operations.md
records the same upgrade run on a real PostgreSQL database made by the old code."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

# The leaf migrations of the portal's apps on main before the split.
BEFORE_SPLIT = [
    ("municipalities", "0002_row_level_security"),
    ("portal", "0004_remove_dashboard_warm_schedule"),
    ("services", "0005_dashboard_tallies"),
    ("payments", "0003_row_level_security"),
    ("core", None),
    ("catalog", None),
    ("cases", None),
    ("district", None),
]
TABLES = (
    "municipalities_municipality",
    "municipalities_membership",
    "municipalities_delegation",
    "services_servicedefinition",
    "services_serviceoffering",
    "services_case",
    "services_caseevent",
    "services_attachment",
    "services_casestep",
    "services_outboundemail",
    "services_casetally",
    "services_decisiontally",
    "payments_payment",
    "payments_paymentevent",
    "payments_statementimport",
    "payments_statementline",
    "payments_refund",
    "portal_auditentry",
    "django_admin_log",
)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _leaves(executor):
    return executor.loader.graph.leaf_nodes()


def _rows(columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table, as text; with `columns` only those of each table (columns
    later migrations added are new data, not changed data)."""
    with connection.cursor() as cursor:
        rows = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 (fixed names)
            names = [column[0] for column in cursor.description]
            keep = [names.index(name) for name in (columns or {}).get(table, names)]
            rows[table] = [tuple(str(row[i]) for i in keep) for row in cursor.fetchall()]
        return rows


def _columns() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        return {
            table: [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            for table in TABLES
        }


def _write_old_data(apps) -> dict:
    """Everything a running portal had written, through the models of before the split."""
    User = apps.get_model("auth", "User")
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    Municipality = apps.get_model("municipalities", "Municipality")
    Membership = apps.get_model("municipalities", "Membership")
    Delegation = apps.get_model("municipalities", "Delegation")
    ServiceDefinition = apps.get_model("services", "ServiceDefinition")
    ServiceOffering = apps.get_model("services", "ServiceOffering")
    Case = apps.get_model("services", "Case")
    CaseEvent = apps.get_model("services", "CaseEvent")
    Attachment = apps.get_model("services", "Attachment")
    CaseStep = apps.get_model("services", "CaseStep")
    OutboundEmail = apps.get_model("services", "OutboundEmail")
    CaseTally = apps.get_model("services", "CaseTally")
    DecisionTally = apps.get_model("services", "DecisionTally")
    Payment = apps.get_model("payments", "Payment")
    PaymentEvent = apps.get_model("payments", "PaymentEvent")
    StatementImport = apps.get_model("payments", "StatementImport")
    StatementLine = apps.get_model("payments", "StatementLine")
    Refund = apps.get_model("payments", "Refund")
    AuditEntry = apps.get_model("portal", "AuditEntry")

    clerk = User.objects.create(username="clerk-kamen", email="clerk@kamen.example")
    district = Municipality.objects.create(
        slug="kreis-unna", name="Kreis Unna", ags="05978000", kind="district", code="UNA",
        payee_name="Kreis Unna", iban="DE81443500600000100404",
    )  # fmt: skip
    town = Municipality.objects.create(
        slug="kamen", name="Kamen", ags="05978016", kind="town", code="KAM", parent=district,
        payee_name="Stadt Kamen", iban="DE02120300000000202051",
        payment_providers=["girocode", "counter"],
    )  # fmt: skip
    Membership.objects.create(user=clerk, municipality=town, role="clerk")
    Delegation.objects.create(
        service_key="hund", from_municipality=town, to_municipality=district,
        valid_from=datetime.date(2024, 1, 1), basis="IKZ-Vertrag",
    )  # fmt: skip
    service = ServiceDefinition.objects.create(
        key="hund", version=1, status="published", name={"de": "Hundesteuer", "en": "Dog tax"},
        form={"steps": [{"title": "Hund", "fields": [{"name": "rasse", "type": "text",
              "label": "Rasse"}]}]},
        fee={"kind": "fixed", "cents": 3000}, prepay=True, process_steps=["send_receipt"],
        published_at=timezone.now(),
    )  # fmt: skip
    ServiceOffering.objects.create(municipality=town, service_key="hund", fee_override_cents=2500)
    case = Case.objects.create(
        reference="KAM-2026-7KQ4M2", access_token_hash="a" * 64, token_salt="b" * 32,
        municipality=town, processing_authority=district, service=service,
        applicant_name="Łukasz Yılmaz–Şahin", applicant_email="lukasz@example.org",
        data={"rasse": "Dackel „Waldi“"}, status="in_review", fee_cents=2500,
        assigned_to=clerk, due_date=datetime.date(2026, 3, 2),
    )  # fmt: skip
    CaseEvent.objects.create(
        case=case, type="submitted", actor_label="applicant", to_status="submitted"
    )
    CaseEvent.objects.create(
        case=case, type="payment", actor_label="payments", comment="Bezahlt, 25,00 EUR.",
        visibility="internal",
    )  # fmt: skip
    Attachment.objects.create(
        case=case, kind="upload", field_name="nachweis", original_name="Impfpass Nguyễn.pdf",
        file="cases/2026/01/KAM-2026-7KQ4M2/0123456789abcdef-impfpass.pdf",
        content_type="application/pdf", size=1234, sha256="c" * 64,
    )  # fmt: skip
    step = CaseStep.objects.create(
        case=case, name="send_receipt", key="send_receipt", status="done"
    )
    OutboundEmail.objects.create(
        step=step, purpose="receipt", to=["lukasz@example.org"], subject="Eingang"
    )
    CaseTally.objects.create(
        month=datetime.date(2026, 1, 1), service_key="hund", municipality=town,
        processing_authority=district, cases=1,
    )  # fmt: skip
    DecisionTally.objects.create(
        month=datetime.date(2026, 1, 1), service_key="hund", municipality=town,
        processing_authority=district, days=3, decided=1, with_due_date=1, within_due_date=1,
    )  # fmt: skip
    payment = Payment.objects.create(
        id=uuid.uuid4(), case=case, attempt=1, provider="girocode", status="refunded",
        amount_cents=2500, creditor_reference="RF18539007547034",
        merchant_tx_id="KAM20267KQ4M2-01-abc", payee_municipality=town,
        payee_name="Stadt Kamen", payee_iban="DE02120300000000202051", kassenzeichen=case.reference,
        paid_at=timezone.now(),
    )  # fmt: skip
    PaymentEvent.objects.create(
        payment=payment, provider="girocode", kind="statement", message_key="camt:1",
        payload={"debtor_name": "Łukasz Yılmaz–Şahin"}, outcome="paid",
    )  # fmt: skip
    statement = StatementImport.objects.create(
        municipality=town, iban="DE02120300000000202051", file_sha256="d" * 64, kind="camt.053",
    )  # fmt: skip
    StatementLine.objects.create(
        statement=statement, iban="DE02120300000000202051", bank_reference="2026031700001",
        amount_cents=2500, currency="EUR", credit=True, debtor_name="Łukasz Yılmaz–Şahin",
        creditor_references=["RF18539007547034"], payment=payment, outcome="matched",
    )  # fmt: skip
    Refund.objects.create(payment=payment, amount_cents=2500, creditor_name="Łukasz Yılmaz–Şahin")
    AuditEntry.objects.create(actor_label="system", action="purge", object_type="services.case")
    case_type, _ = ContentType.objects.get_or_create(app_label="services", model="case")
    LogEntry.objects.create(
        user=clerk, content_type=case_type, object_id=str(case.pk), object_repr=case.reference,
        action_flag=2, change_message="[]", action_time=timezone.now(),
    )  # fmt: skip
    return {"case": case.reference, "payment": payment.pk}


@pytest.fixture
def before_the_split(schema_owner):
    executor = _migrate(BEFORE_SPLIT)
    # Today's content types of the moved models would be made after a migrate; a database
    # of then has the old apps' ones instead.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.filter(app_label__in=["cases", "catalog", "district", "core"]).delete()
    ContentType.objects.clear_cache()
    # The models as they were: the state of every migration applied now.
    yield executor.loader.project_state(list(executor.loader.applied_migrations)).apps
    # Whatever happened, leave the database migrated for the tests after this one.
    _migrate(_leaves(MigrationExecutor(connection)))
    ContentType.objects.clear_cache()


def test_a_database_from_before_the_split_migrates_without_losing_a_row(before_the_split):
    written = _write_old_data(before_the_split)
    before = _rows()
    columns = _columns()
    assert all(before[table] for table in TABLES)  # every table holds data to lose

    executor = _migrate(_leaves(MigrationExecutor(connection)))

    assert executor.migration_plan(_leaves(executor)) == []  # fully migrated
    assert _rows(columns) == before  # every row of every table, value for value

    # Today's models read the same data.
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from cases.models import Case
    from catalog.models import ServiceDefinition
    from core.models import AuditEntry
    from district.models import CaseTally
    from payments.models import Payment

    ContentType.objects.clear_cache()
    case = Case.objects.select_related("service", "processing_authority").get(
        reference=written["case"]
    )
    assert case.applicant_name == "Łukasz Yılmaz–Şahin"
    assert case.data == {"rasse": "Dackel „Waldi“"}
    assert case.service == ServiceDefinition.objects.get(key="hund")
    assert [e.type for e in case.events.order_by("id")] == ["submitted", "payment"]
    assert case.attachments.get().original_name == "Impfpass Nguyễn.pdf"
    assert case.steps.get().emails.get().to == ["lukasz@example.org"]
    payment = Payment.objects.get(pk=written["payment"])
    assert payment.payable == case
    assert payment.refunds.get(kind="fee").creditor_name == "Łukasz Yılmaz–Şahin"
    assert CaseTally.objects.get().cases == 1
    assert AuditEntry.objects.get().action == "purge"
    # The admin's history follows the model to its new app.
    entry = LogEntry.objects.get()
    assert (entry.content_type.app_label, entry.content_type.model) == ("cases", "case")
    assert entry.get_edited_object() == case
