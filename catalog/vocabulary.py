"""The automatic process steps a service definition may list (`process_steps`). The catalog
refuses any other name; cases/steps.py says when each one runs and cases/process.py what it
does (docs/architecture.md, The process-step engine)."""

PROCESS_STEPS: tuple[str, ...] = (
    "send_receipt",
    "notify_authority",
    "check_completeness",
    "request_payment",
    "issue_document",
    "notify_applicant",
    "forward_to_agency",
)
