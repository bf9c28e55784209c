from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        import payments.purge  # noqa: F401  (registers what the retention purge erases)
        from core import rls

        rls.register_tenant_tables(
            {
                "payments_payment": "payee_municipality_id or via services_case",
                "payments_paymentevent": "via payments_payment",
                "payments_statementimport": "municipality_id",
                "payments_statementline": "via payments_statementimport",
                "payments_refund": "via payments_payment",
                "payments_refundexport": "municipality_id",
            }
        )
