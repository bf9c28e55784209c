"""Writes of payments, one module per responsibility:

- `common.py`: the provider's snapshot, compare-and-set status changes, marking paid;
- `creation.py`: starting to pay (idempotent, one active attempt per payable);
- `notifications.py`: provider notifications, redirects and status calls;
- `desk.py`: fees paid at the town hall counter;
- `statements.py`: bank statement imports (camt.053/.054);
- `refunds.py`: refunds and the treasury's pain.001 export;
- `periodic.py`: expiry of unfinished checkouts, reminders of open transfers."""
