"""``careerpath cases``: my cases, with what is next for each."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..i18n import _, display, display_date, ngettext
from .common import (CaseloadOpt, CliError, ContentLangOpt, NoCacheOpt, RedactOpt, RedactStaffOpt, TableFormatOpt,
                     TodayOpt, app, cache_of, caseload_of, err, today_of)
from .output import TEXT_JSON_CSV, check_format, emit
from .tables import Column, colours, render, show, terminal_width

#: The CSV columns (and the text table's, in this order).
CSV_COLUMNS = ("id", "name", "status", "language", "programs", "staff", "open", "past_due", "next_due", "next_rule",
               "next_status", "days_late")


def _columns() -> list[Column]:
    # dropped when the terminal is narrow, in this order (docs/cli.md): LANG, STATUS, PROGRAMS, NAME
    return [Column(_("CASE")), Column(_("NAME"), wrap="text", drop=4), Column(_("PROGRAMS"), wrap="list", drop=3),
            Column(_("STATUS"), drop=2), Column(_("LANG"), drop=1), Column(_("NEXT"), wrap="text"), Column(_("WHEN"))]


def _when(row, today) -> str:
    n = row.next
    if n is None:
        return ""
    if n.days_late:
        return _("{n}d late").format(n=n.days_late)
    days = (n.due - today).days
    return _("today") if days == 0 else _("in {n}d").format(n=days)


def _cells(rows: list, today, lang: str) -> list[tuple[str, ...]]:
    out = []
    for r in rows:
        nxt = ""
        if r.next is not None:
            nxt = f"{display_date(r.next.due)} {r.next.title_in(lang)}"
            if r.past_due > 1:
                nxt += " (+" + ngettext("{n} more past due", "{n} more past due", r.past_due - 1).format(n=r.past_due - 1) + ")"
        out.append((r.id, r.name if r.name == r.preferred_name else f"{r.preferred_name} ({r.name})",
                    ",".join(r.programs), display("case-status", r.status), r.language, nxt, _when(r, today)))
    return out


def _csv(rows: list) -> list[dict]:
    return [{"id": r.id, "name": r.name, "status": r.status, "language": r.language, "programs": list(r.programs),
             "staff": list(r.staff_ids), "open": r.open, "past_due": r.past_due,
             "next_due": r.next.due if r.next else None, "next_rule": r.next.rule if r.next else None,
             "next_status": r.next.status if r.next else None, "days_late": r.next.days_late if r.next else None}
            for r in rows]


def me(root: Path) -> Optional[str]:
    """The acting staff member: $CAREERPATH_STAFF, then `git config careerpath.staff` (as `--by` defaults)."""
    from .cmd_record import _staff_id

    return _staff_id(root, None)


@app.command()
def cases(
    ctx: typer.Context,
    staff: Optional[list[str]] = typer.Option(None, "--staff", metavar="ID",
                                              help="Only cases this staff id works on (any role). Repeatable. "
                                                   "Default: yours ($CAREERPATH_STAFF or `git config careerpath.staff`)."),
    program: Optional[list[str]] = typer.Option(None, "--program", "-p", metavar="ID",
                                                help="Only cases enrolled in this program. Repeatable."),
    status: Optional[list[str]] = typer.Option(None, "--status", metavar="STATUS",
                                               help="active or closed. Repeatable. Default: active."),
    language: Optional[list[str]] = typer.Option(None, "--language", metavar="LANG",
                                                 help="Only cases whose person speaks this language. Repeatable."),
    search: Optional[str] = typer.Option(None, "--search", "-s", metavar="TEXT",
                                         help="Only cases whose id or name holds every word of TEXT (accents and case ignored)."),
    all_: bool = typer.Option(False, "--all", help="Every staff member's cases, closed ones included."),
    sort: str = typer.Option("next", "--sort", metavar="KEY",
                             help="next (most past due first, then soonest due), id, name or opened."),
    wide: bool = typer.Option(False, "--wide", help="Show every column, however wide the terminal."),
    format: TableFormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    lang: ContentLangOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
    no_cache: NoCacheOpt = False,
) -> int:
    """My cases: each person's id, name, programs, status, language, and the next obligation and how late it is.

    Without --staff or --all, lists the cases of the staff member you are
    ($CAREERPATH_STAFF, then `git config careerpath.staff`), or every case
    when that is not set; and only active cases unless --status or --all.
    On a narrow terminal the table drops LANG, then STATUS, PROGRAMS and NAME
    and wraps the next obligation; a case id is never cut. Prints names: for
    your screen (--redact for others').

    Example:  careerpath cases --caseload sample-cases --search nguyen --today 2026-11-22
    """
    check_format(format, TEXT_JSON_CSV)
    from .. import cases as lib

    from .filters import require

    require("--status", status, lib.STATUSES)
    try:
        query = lib.CaseQuery(staff=tuple(staff or ()), programs=tuple(program or ()), statuses=tuple(status or ()),
                              languages=tuple(language or ()), search=(search or "").strip(), sort=sort)
    except ValueError:
        if sort not in lib.SORTS:
            raise CliError(_("{option} must be one of: {choices}").format(option="--sort", choices=", ".join(lib.SORTS)),
                           code=2) from None
        raise CliError(_("{option} must be one of: {choices}").format(option="--status", choices=", ".join(lib.STATUSES)),
                       code=2) from None
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..pipeline import load, results

    cache = cache_of(ctx, no_cache)
    loaded = load(root, cache=cache)
    found = results(root, day, cache=cache)
    from .duelist import warn_on_errors

    warn_on_errors(found.load_diagnostics)
    # a typo lists nothing: exit 2 with did-you-mean, worded and decided as for `due` (cli/filters.py)
    require("--staff", query.staff, loaded.staff_ids())
    require("--program", query.programs, loaded.programs.ids())
    if not all_:
        mine = me(root) if not query.staff else None
        if mine and mine in loaded.staff_ids():
            from dataclasses import replace

            query = replace(query, staff=(mine,))
            err("careerpath: " + _("cases of {staff} (--all for everyone's)").format(staff=mine))
        if not query.statuses:
            from dataclasses import replace

            query = replace(query, statuses=("active",))
    rows = lib.select(lib.case_rows(loaded, found.obligations(done=False), day), query)
    from .localize import content_language
    from .redaction import redacted_stdout, redactor

    red = redactor(loaded, redact, redact_staff)
    language_ = content_language(ctx, lang, loaded.config.default_language)
    data = [r.to_dict() for r in rows]
    if red is not None and format != "text":
        data = red.data(data)

    def text() -> None:
        if not rows:
            print(_("no cases (with these filters)") if query.filtered else _("no cases"))
            return
        body = _cells(rows, day, language_)
        if red is not None:
            body = [tuple(red.text(c) for c in row) for row in body]
        width = terminal_width()
        styles = None
        if width is not None and colours():
            styles = ["1;31" if r.past_due else "" for r in rows]
        show(render(_columns(), body, width, wide=wide, styles=styles))
        late = sum(1 for r in rows if r.past_due)
        print(ngettext("{n} case", "{n} cases", len(rows)).format(n=len(rows)) + ", "
              + ngettext("{n} with something past due", "{n} with something past due", late).format(n=late))

    with redacted_stdout(red):
        emit(_csv(data_rows(rows, red)) if format == "csv" else data, format, text, columns=CSV_COLUMNS)
    return 0


def data_rows(rows: list, red) -> list:
    """Rows for CSV, names redacted field by field with --redact."""
    if red is None:
        return rows
    from dataclasses import replace

    return [replace(r, name=red.text(r.name), preferred_name=red.text(r.preferred_name), id=red.text(r.id)) for r in rows]
