"""A case as a payable (payments/payables.py): what payments may know about a case's fee,
and what a case does when payments report.

Payments never import cases; this adapter, registered in CasesConfig.ready(), is the one
door between them. Everything a payment tells a case lands on its timeline, in the
payment's transaction."""

from __future__ import annotations

from django.http import HttpRequest

from cases.models import Actor, Case, CaseEvent
from cases.references import token_in_session, token_opens, tracking_path
from cases.services import case_payment_received, case_record_event
from cases.steps import steps_create
from cases.workflow import Trigger
from core.tenancy import Scope
from payments.models import Payment
from payments.payables import PayableAdapter, PayableInfo

#: Case statuses in which a fee can still be paid (postpaid services ask after approval).
PAYABLE_STATUSES = (
    Case.Status.SUBMITTED,
    Case.Status.AWAITING_PAYMENT,
    Case.Status.IN_REVIEW,
    Case.Status.AWAITING_APPLICANT,
    Case.Status.APPROVED,
)


class CasePayable(PayableAdapter):
    municipality_lookups = ("processing_authority",)

    def describe(self, payable: Case) -> PayableInfo:
        name = payable.service.name
        service_name = name.get("de", "") if isinstance(name, dict) else str(name)
        return PayableInfo(
            reference=payable.reference,
            amount_cents=payable.fee_cents,
            # The filing town is paid, also when another authority processes the case.
            payee=payable.municipality,
            purpose=f"{payable.reference} {service_name}".strip()[:70],
            open=payable.status in PAYABLE_STATUSES,
            refundable=payable.status == Case.Status.REJECTED,
            payer_name=payable.applicant_name,
        )

    def lock(self, payable: Case) -> None:
        Case.objects.select_for_update(of=("self",), no_key=True).only("pk").get(pk=payable.pk)

    def token_matches(self, payable: Case, token: str) -> bool:
        return token_opens(token, reference=payable.reference, salt=payable.token_salt)

    def visible_to(self, payable: Case, scope: Scope) -> bool:
        return payable.processing_authority_id in scope.clerk_of

    def settled(self, payable: Case, *, payment: Payment, comment: str) -> None:
        case_payment_received(case=payable, comment=comment)

    def paid_twice(self, payable: Case, *, payment: Payment, comment: str) -> None:
        self._event(payable, comment, internal=True, type=CaseEvent.Type.PAYMENT_DUPLICATE)

    def failed(self, payable: Case, *, payment: Payment, comment: str) -> None:
        self._event(payable, comment, internal=False)

    def refunded(self, payable: Case, *, payment: Payment, comment: str) -> None:
        self._event(payable, comment, internal=False)

    def note(self, payable: Case, *, comment: str, internal: bool) -> None:
        self._event(payable, comment, internal=internal)

    def overdue(self, payable: Case, *, payment: Payment) -> None:
        # A process step sends the reminder: written now, in the claim's transaction, and
        # retried until the mail server takes it (cases/process.py, remind_payment).
        steps_create(
            case=Case.objects.select_related("service").get(pk=payable.pk),
            trigger=Trigger.PAYMENT_OVERDUE,
            suffix=f":{payment.pk}",
            payload={"amount_cents": payment.amount_cents, "payee_name": payment.payee_name},
        )

    def page_url(self, payable: Case, request: HttpRequest) -> str | None:
        # A payer coming back from a checkout lands on their tracking page, if this browser
        # knows the case's token.
        token = token_in_session(request.session, payable.reference)
        return tracking_path(payable.reference, token, anchor="payment") if token else None

    def _event(
        self, case: Case, comment: str, *, internal: bool, type: str = CaseEvent.Type.PAYMENT
    ) -> None:
        case_record_event(
            case=case, type=type, comment=comment, internal=internal, actor_label=Actor.PAYMENTS
        )
