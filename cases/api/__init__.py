"""The case endpoints of docs/api.md: cases, the clerk's queue, and paying a case's fee."""
