"""``careerpath rules``: every obligation rule, its citation and whether the source is confirmed."""

from __future__ import annotations

import json
import sys

import typer

from .cmd_due import LangOpt, rule_book
from ..i18n import _
from .common import CaseloadOpt, CliError, FormatOpt, app


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
    format: FormatOpt = "text",
    lang: LangOpt = None,
    program: list[str] = typer.Option([], "--program", metavar="ID", help="Only this program (common: case-wide rules)."),
    caseload: CaseloadOpt = None,
) -> int:
    """List the obligation rules: id, program, title, citation, and `confirmed`
    or `needs-source` (a recalled source, kept as a caseload setting you can
    override). The rules are data: each program folder's rules.yaml, those
    that ship and, inside a caseload, those of its own programs/ folder.

    Example:  careerpath rules --program ca-dor-vr --lang es
    """
    if format not in ("text", "json"):
        raise CliError(_("--format must be text or json"), code=2)
    from ..programs import load_programs

    programs = load_programs(_caseload_or_none(ctx, caseload))
    from .filters import program_ids, require

    require("--program", program, program_ids(programs.ids()))
    book = rule_book(programs)
    chosen = [r for r in book.rules if not program or (r.program or "common") in program]
    from .localize import content_language

    language = content_language(ctx, lang, "en")
    if format == "json":
        json.dump([{"id": r.id, "program": r.program, "kind": r.kind, "title": r.title, "titles": r.titles,
                    "citation": r.citation, "confirmed": r.confirmed, "source": r.status_of_source,
                    "informational": r.informational, "explain": r.explain, "file": r.source_file}
                   for r in chosen], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max((len(r.id) for r in chosen), default=4)
    sw = max(12, len(_("confirmed")), len(_("needs-source")))
    for r in chosen:
        source = _("confirmed") if r.confirmed else _("needs-source")  # display; JSON keeps the stored word
        print(f"{r.id:<{width}}  {source:<{sw}}  {r.program or 'common':<17}  {r.title_in(language)}")
        print(f"{'':<{width}}  {r.citation}")
    return 0
