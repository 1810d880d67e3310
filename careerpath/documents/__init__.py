"""Documents: plans, referral packets, progress reports and checklists.

``render(caseload, kind, case_id, today=...)`` turns one case into one finished
document (Markdown or self-contained HTML; PDF through the ``pdf`` extra) in
the person's language. See docs/documents.md.

Modules:
    kinds     the registry of document kinds: programs, template, ``requires``
    context   the plain template context, built by one function
    labels    the words the code itself puts in documents, as msgids
    engine    the one Jinja environment factory, template lookup, language choice, render
"""

from .engine import (FORMATS, MissingData, PdfUnavailable, RenderError, Rendered, builtin_templates, coverage,
                     kinds_for, list_kinds, make_environment, render, to_pdf)
from .kinds import KINDS, Kind, Subject
from ..i18n import LANGUAGES

__all__ = ["FORMATS", "KINDS", "LANGUAGES", "Kind", "MissingData", "PdfUnavailable", "RenderError", "Rendered",
           "Subject", "builtin_templates", "coverage", "kinds_for", "list_kinds", "make_environment", "render", "to_pdf"]
