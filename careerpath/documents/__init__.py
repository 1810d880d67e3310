"""Documents: plans, referral packets, progress reports and checklists.

``render(caseload, kind, case_id, today=...)`` turns one case into one finished
document (Markdown or self-contained HTML; PDF through the ``pdf`` extra) in
the person's language. See docs/documents.md.

Document kinds are data: a program folder declares its own
(``programs/<id>/documents.yaml``, templates in ``programs/<id>/templates/``),
``kinds.yaml`` here the shared ones; see careerpath/programs/kinds.py.

Modules:
    kinds     kinds at work: which fit a case (situation), what a case lacks (requires)
    context   the plain template context, built by one function from what programs declare
    labels    the words the core itself puts in documents, as msgids
    engine    the one Jinja environment factory, template search, language choice, render
    limits    what a template may cost (loops, sizes, formatting, recursion, time): a caseload's
              templates are its input, so the sandbox gets limits
"""

from typing import Any

from .engine import (FORMATS, MissingData, PdfUnavailable, RenderError, Rendered, builtin_template_folders,
                     builtin_templates, coverage, kinds_for, list_kinds, make_environment, render, to_pdf)
from .kinds import Kind, Subject, builtin_kinds, kinds_of
from ..i18n import LANGUAGES

__all__ = ["FORMATS", "KINDS", "LANGUAGES", "Kind", "MissingData", "PdfUnavailable", "RenderError", "Rendered",
           "Subject", "builtin_kinds", "builtin_template_folders", "builtin_templates", "coverage", "kinds_for",
           "kinds_of", "list_kinds", "make_environment", "render", "to_pdf"]


def __getattr__(name: str) -> Any:
    if name == "KINDS":  # the built-in kinds by name (a caseload's own: kinds_of(caseload.programs))
        return builtin_kinds()
    raise AttributeError(name)
