"""What the cases app announces to the apps above it, inside the transaction that changes
the case (receivers that write must write in it too):

- `case_filed(case=…)`: a case was submitted (cases.services.case_submit);
- `case_decided(case=…)`: a case was approved or rejected (closed with a decision).

The district's tallies count them (district/tally.py)."""

from django.dispatch import Signal

case_filed = Signal()
case_decided = Signal()
