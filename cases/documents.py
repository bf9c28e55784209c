"""PDFs of a case: the receipt of the answers and the decision. Rendered with fpdf2."""

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from cases.models import Case
from catalog.forms.conditions import shown_steps

FONT = "Helvetica"


def _latin1(text: str) -> str:
    # The core PDF fonts cover Latin-1 (all German letters); replace anything beyond it.
    return str(text).encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    def __init__(self, case: Case, title: str) -> None:
        super().__init__(format="A4")
        self.case = case
        self.doc_title = title
        self.set_title(_latin1(title))
        self.set_author(_latin1(case.processing_authority.name))
        self.set_auto_page_break(auto=True, margin=18)
        self.add_page()

    def header(self) -> None:
        self.set_font(FONT, "B", 9)
        self.cell(
            0, 6, _latin1(self.case.processing_authority.payee_name), new_x="LMARGIN", new_y="NEXT"
        )
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.cell(0, 6, _latin1(f"{self.case.reference} · {self.page_no()}"), align="C")

    def heading(self, text: str) -> None:
        self.set_font(FONT, "B", 15)
        self.multi_cell(0, 8, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def row(self, label: str, value: str) -> None:
        self.set_font(FONT, "B", 10)
        self.multi_cell(0, 5, _latin1(label), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 10)
        self.multi_cell(0, 5, _latin1(value or "—"), new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def paragraph(self, text: str) -> None:
        self.set_font(FONT, "", 10)
        self.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)


def receipt_pdf(case: Case) -> bytes:
    pdf = _Document(case, _("Receipt of your request"))
    pdf.heading(_("Receipt of your request"))
    pdf.row(_("Reference"), case.reference)
    pdf.row(_("Service"), case.service.display_name)
    pdf.row(_("Filed with"), case.municipality.name)
    pdf.row(_("Processed by"), case.processing_authority.name)
    pdf.row(_("Submitted"), timezone.localtime(case.submitted_at).strftime("%d.%m.%Y %H:%M"))
    pdf.row(_("Applicant"), f"{case.applicant_name} <{case.applicant_email}>")
    if case.fee_cents:
        pdf.row(_("Fee"), f"{case.fee_cents / 100:.2f} EUR".replace(".", ","))
    for step in shown_steps(case.service.form, case.data):  # the questions that applied
        pdf.ln(2)
        pdf.heading(step.title)
        for field in step.fields:
            if field.kind.is_file:
                names = [
                    a.original_name for a in case.attachments.all() if a.field_name == field.name
                ]
                pdf.row(field.label, ", ".join(names))
            else:
                pdf.row(field.label, field.display(case.data.get(field.name)))
    return bytes(pdf.output())


def decision_pdf(case: Case, reason: str) -> bytes:
    approved = case.status == Case.Status.APPROVED
    title = _("Decision: approved") if approved else _("Decision: rejected")
    pdf = _Document(case, title)
    pdf.heading(title)
    pdf.row(_("Reference"), case.reference)
    pdf.row(_("Service"), case.service.display_name)
    pdf.row(_("Applicant"), case.applicant_name)
    pdf.row(_("Decided by"), case.processing_authority.name)
    pdf.row(_("Date"), timezone.localdate().strftime("%d.%m.%Y"))
    pdf.paragraph(
        _("Your request has been approved.") if approved else _("Your request has been rejected.")
    )
    if reason:
        pdf.row(_("Reason") if not approved else _("Remarks"), reason)
    return bytes(pdf.output())
