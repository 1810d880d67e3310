"""``careerpath render KIND CASE``: one finished document for one person."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..i18n import _, message_of, text as shown   # `text` is the document's text below
from .common import (CaseloadOpt, CliError, RedactOpt, RedactStaffOpt, TodayOpt, _globals, app, cache_of, caseload_of, err,
                     output_of, today_of)
from .output import TEXT_JSON, check_format, emit, write

#: the exit code of a report refused for a period that holds no enrollment (1 is missing data, 2 usage)
PERIOD_REFUSED = 4
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@app.command()
def render(
    ctx: typer.Context,
    kind: Annotated[Optional[str], typer.Argument(metavar="KIND", show_default=False,
                                                  help="The document kind (see --list).")] = None,
    case: Annotated[Optional[str], typer.Argument(metavar="CASE", show_default=False, help="The case id.")] = None,
    lang: Optional[str] = typer.Option(None, "--lang", metavar="LANG",
                                       help="The document's language (en, es, vi, hy, hmn, ru), after the command. "
                                            "Default: by the kind's audience, the person's language or the agency's. "
                                            "A --lang before the command sets the messages only."),
    copy_for_person: bool = typer.Option(False, "--copy-for-person",
                                         help="After a document for an agency, a copy in the person's language "
                                              "(when it differs)."),
    format: str = typer.Option("md", "--format", "-f", metavar="FORMAT", help="md, html or pdf (pdf needs careerpath[pdf]); with --list: text or json."),
    out: Optional[str] = typer.Option(None, "--out", "-o", metavar="PATH",
                                      help="Write the document here (atomically, mode 0600; a regular file only) "
                                           "instead of stdout; - is stdout."),
    period: Optional[str] = typer.Option(None, "--period", metavar="PERIOD",
                                         help="For reports: 2026-Q3, 2026-11 or 2026. Default: the last complete "
                                              "quarter (quarterly), this month (monthly), the last plan year (annual)."),
    paper: Optional[str] = typer.Option(None, "--paper", metavar="SIZE",
                                        help="PDF page size: letter or a4. Default: a4 for Russian documents, else letter."),
    list_kinds: bool = typer.Option(False, "--list", help="List the document kinds and the programs they apply to."),
    force: bool = typer.Option(False, "--force", help="Write a report for a period in which the person was not "
                                                      "enrolled (or that has not begun); the document says so at its top."),
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
) -> int:
    """Render a plan, referral packet, progress report or checklist for one case.

    `render --list` shows every kind and its programs; `render --list CASE`
    shows the kinds that fit one case and what each still lacks.

    The language follows the kind's audience: a document for the person is in
    the person's language; one for an agency (a referral, a report, the
    interpreter request) in the agency's (careerpath.yaml `agency_language`,
    or what the program declares), with --copy-for-person adding the person's
    copy; one for both comes with the person's copy. `render --lang` sets the
    document's language; `careerpath --lang` (before the command) sets the
    messages only. When a template has no complete translation, the document
    is rendered in the caseload's default language, with a note in the
    document and on stderr; a translation no native speaker has reviewed is
    marked on every page and warned about on stderr. A document that lacks required
    data is refused: exit 1 with the list of what is missing (by field, never
    by value). A report for a period in which the person was not enrolled in
    its program (before the enrollment, after it ended) or that has not begun
    would be empty: it is refused with exit 4, unless --force, which writes it
    with a notice at its top. The same case and --today give byte-identical output.

    Exit 0 when rendered, 1 when data is missing or a template fails, 2 on usage errors,
    4 when the period holds no enrollment (see --force).

    Example:  careerpath render pccp linh-tran --format html --out linh-plan.html --today 2026-11-22
    """
    from ..documents import kinds_of, list_kinds as kinds_table
    from ..programs import load_programs

    if list_kinds:
        listing = check_format("text" if format == "md" else format, TEXT_JSON)  # md: the default, a document's
        if kind is not None:  # `render --list CASE`: the kinds that fit this case
            return _list_for_case(ctx, kind if case is None else case, caseload, listing)
        # the caseload's own programs add their kinds; outside a caseload, the built-in ones
        explicit = caseload is not None or _globals(ctx).caseload is not None
        try:
            programs = load_programs(caseload_of(ctx, caseload))
        except CliError:
            if explicit:
                raise
            programs = load_programs()
        rows = kinds_table(programs)

        def text() -> None:
            width = max(len(r["kind"]) for r in rows)
            for r in rows:
                print(f"{r['kind']:<{width}}  {', '.join(r['programs'])}  — {r['title']}")

        emit(rows, listing, text)
        return 0
    if not kind or not case:
        raise CliError(_("render needs a KIND and a CASE"), code=2, hint=_("careerpath render --list shows the kinds"))
    root = caseload_of(ctx, caseload)
    kinds = kinds_of(load_programs(root))
    if kind not in kinds:
        from ..suggest import one

        near = one(kind, kinds)
        raise CliError(_("unknown document kind {kind!r}").format(kind=kind), code=2,
                       hint=_("did you mean `{name}`?").format(name=near) if near
                       else _("kinds: {kinds}").format(kinds=", ".join(kinds)))
    if format not in ("md", "html", "pdf"):
        raise CliError(_("--format must be md, html or pdf"), code=2)
    # `careerpath --lang vi render ...` sets the messages only: the document's language is the reader's
    # (issue 16), so staff who read Vietnamese still send the regional center English
    if lang is not None and not _LANG.match(lang):
        raise CliError(_("--lang must be a language tag such as en, es, vi, hy, hmn, ru"), code=2)
    if lang is not None:
        from ..i18n.tags import is_valid, suggestions

        if not is_valid(lang):
            close = suggestions(lang)
            raise CliError(_("--lang {lang!r} is not a known language tag (BCP 47)").format(lang=lang), code=2,
                           hint=_("did you mean {tag!r}?").format(tag=close[0]) if close else
                           _("--lang must be a language tag such as en, es, vi, hy, hmn, ru"))
    if paper is not None and paper not in ("letter", "a4"):
        raise CliError(_("--paper must be letter or a4"), code=2)
    target = output_of(out, "--out")
    if format == "pdf" and target is None:
        raise CliError(_("--format pdf needs --out PATH (a PDF is not printed to the terminal)"), code=2)
    from ..period import PeriodError, parse_period

    if period is not None:
        try:
            parse_period(period)
        except PeriodError as e:
            raise CliError(message_of(e), code=2) from None
    day = today_of(ctx, today)
    from ..documents import RenderError, render as render_document, to_pdf
    from ..documents.engine import PeriodRefused
    from ..documents.engine import default_paper
    from .filters import one_case

    # this case's folder, careerpath.yaml and the programs (--redact reads every case: its placeholders span them)
    loaded = one_case(root, case, whole=redact, cache=cache_of(ctx) if redact else None)
    from .redaction import redactor

    red = redactor(loaded, redact, redact_staff)
    try:
        # rendered from the real data (a document refuses missing fields), then every known value in it replaced
        doc = render_document(loaded, kind, case, today=day, lang=lang, fmt="html" if format == "pdf" else format,
                              period=period, copy_for_person=copy_for_person, force=force)
        text = red.text(doc.text) if red is not None else doc.text
        data = to_pdf(text, paper or default_paper(doc.lang)) if format == "pdf" else text.encode("utf-8")
    except PeriodRefused as e:
        raise CliError(_refusal(e, red), code=PERIOD_REFUSED,
                       hint=_("choose a --period in which the person was enrolled, or add --force to write it "
                              "anyway (the document will say so)")) from None
    except RenderError as e:
        raise CliError(_refusal(e, red), code=1) from None
    for note in doc.notes:
        err("careerpath: " + _("note: {note}").format(note=shown(note)))
    for warning in doc.warnings:
        err("careerpath: " + _("warning: {warning}").format(warning=shown(warning)))
    if target is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    write(data, target, mode=0o600)
    if not target.stream:
        err(_("wrote {path}").format(path=target.path))
    return 0


def _refusal(e: Exception, red) -> object:
    """A refusal's message, with --redact as redacted as the document would have been (it names the case,
    whose id is usually the person's name, and the case's files)."""
    return red.text(shown(message_of(e))) if red is not None else message_of(e)


def _list_for_case(ctx: typer.Context, case: str, caseload: Optional[Path], format: str) -> int:
    from ..documents import RenderError, kinds_for
    from .filters import one_case

    loaded = one_case(caseload_of(ctx, caseload), case)
    try:
        rows = kinds_for(loaded, case)
    except RenderError as e:
        raise CliError(message_of(e), code=1) from None

    def text() -> None:
        width = max((len(r["kind"]) for r in rows), default=0)
        for r in rows:
            state = _("ready") if not r["missing"] else _("missing: {list}").format(list="; ".join(r["missing"]))
            print(f"{r['kind']:<{width}}  {state}")

    emit(rows, format, text)
    return 0
