"""Reports to send: the case report for the referring physician and the patient letter.

Pure rendering from the case page's read model (:class:`~hemifacial.services.views.CaseView`)
and the evidence base: Jinja2 templates (autoescape on) give self-contained HTML, and
WeasyPrint turns it into PDF with the system fonts and no network. The use cases that read
the case and hand back bytes are in :mod:`hemifacial.services.reports`.
"""

from .case import case_report_html
from .letter import content as letter_content
from .letter import patient_letter_html, plain_text
from .render import html_to_pdf

__all__ = [
    "case_report_html",
    "html_to_pdf",
    "letter_content",
    "patient_letter_html",
    "plain_text",
]
