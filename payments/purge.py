"""What the retention purge erases of payments (core/purge.py): a stored transfer file
(pain.001, `RefundExport.xml`) names payers and their accounts, so the file of every export
that paid money back for a purged case is erased as a whole — the treasury executed it long
before the case's retention period ended. Its record stays for the books: message id, date,
number of transfers and total."""

from __future__ import annotations

import datetime
from typing import Any

from core.purge import purge_hook
from payments.models import RefundExport


@purge_hook("payments")
def purge_payments(case_ids: list[int], now: datetime.datetime) -> list[Any]:
    exports = RefundExport.objects.filter(
        refunds__payment__payable_id__in=case_ids, purged_at__isnull=True
    ).values_list("pk", flat=True)
    RefundExport.objects.filter(pk__in=list(exports)).update(xml="", purged_at=now)
    return []
