"""``careerpath rules``: every obligation rule, its citation and whether the source is confirmed."""

from __future__ import annotations

import typer

from ..i18n import _
from .common import CaseloadOpt, CliError, ContentLangOpt, TableFormatOpt, app, rule_book
from .output import TEXT_JSON_CSV, check_format, emit


def _caseload_or_none(ctx: typer.Context, caseload):
    """The caseload when there is one (its own programs count too); none outside a caseload."""
    from .common import caseload_of

    try:
        return caseload_of(ctx, caseload)
    except CliError:
        if caseload is not None:
            raise
        return None


@app.command()
def rules(
    ctx: typer.Context,
    format: TableFormatOpt = "text",
    lang: ContentLangOpt = None,
    program: list[str] = typer.Option([], "--program", metavar="ID", help="Only this program (common: case-wide rules)."),
    caseload: CaseloadOpt = None,
) -> int:
    """List the obligation rules: id, program, title, citation, and `confirmed`
    or `needs-source` (a recalled source, kept as a caseload setting you can
    override). The rules are data: each program folder's rules.yaml, those
    that ship and, inside a caseload, those of its own programs/ folder.

    Example:  careerpath rules --program ca-dor-vr --lang es
    """
    check_format(format, TEXT_JSON_CSV)
    from ..programs import load_programs

    programs = load_programs(_caseload_or_none(ctx, caseload))
    from .filters import program_ids, require

    require("--program", program, program_ids(programs.ids()))
    book = rule_book(programs)
    chosen = [r for r in book.rules if not program or (r.program or "common") in program]
    from .localize import content_language

    language = content_language(ctx, lang, "en")

    def text() -> None:
        width = max((len(r.id) for r in chosen), default=4)
        sw = max(12, len(_("confirmed")), len(_("needs-source")))
        for r in chosen:
            source = _("confirmed") if r.confirmed else _("needs-source")  # display; JSON keeps the stored word
            print(f"{r.id:<{width}}  {source:<{sw}}  {r.program or 'common':<17}  {r.title_in(language)}")
            print(f"{'':<{width}}  {r.citation}")

    emit([r.to_dict() for r in chosen], format, text, columns=RULE_COLUMNS)
    return 0


#: ``rules --format csv``: the flat fields of :meth:`careerpath.obligations.Rule.to_dict` (titles in JSON only).
RULE_COLUMNS = ("id", "program", "kind", "title", "citation", "confirmed", "source", "informational", "file")
