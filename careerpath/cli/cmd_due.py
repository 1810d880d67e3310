"""``careerpath due``: the morning list of every open obligation of a caseload."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..i18n import _, detail_text, display, display_date, ngettext
from .common import (CaseloadOpt, CliError, NoCacheOpt, Output, RedactOpt, RedactStaffOpt, TodayOpt, app, caseload_of,
                     err, language_state, output_cached, output_of, today_of, use_cache, write_output)

LangOpt = Annotated[Optional[str], typer.Option("--lang", metavar="LANG", show_default=False,
                                                 help="Language of messages, dates and rule titles (en, es, vi, hy, hmn, "
                                                      "ru). Default: $CAREERPATH_LANG, then the locale; titles fall back "
                                                      "to the caseload's default_language.")]
FAIL_ON = ("overdue", "due-soon")
FORMATS = ("text", "json", "csv", "ics")


def load_and_compute(ctx: typer.Context, caseload: Optional[Path], today: Optional[str],
                     *, history: bool) -> tuple[Any, date, list]:
    """Load the caseload and compute its obligations (shared by due and show)."""
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..loader import load
    from ..obligations import compute

    cl = load(root)
    return cl, day, compute(cl, day, include_closed_history=history, rules=rule_book(cl.programs))


def rule_book(programs: Any) -> Any:
    """Every rule of ``programs``; a clear refusal when two programs define one rule id."""
    from ..obligations import RulesError, load_rules

    try:
        return load_rules(programs)
    except RulesError as e:
        raise CliError(_("a rule file is malformed: {problem}").format(problem=e.message)) from None


def cached_results(ctx: typer.Context, caseload: Optional[Path], today: Optional[str],
                   *, no_cache: bool = False) -> tuple[Any, date]:
    """The caseload's diagnostics and obligations through the load cache (:func:`careerpath.cache.results`), and the day."""
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..cache import results

    return results(root, day, use_cache=use_cache(ctx, no_cache)), day


def warn_on_errors(diagnostics: list) -> None:
    """One line on stderr when files failed to load (their cases' obligations are incomplete)."""
    errors = {d.file for d in diagnostics if d.severity == "error"}
    if errors:
        err("careerpath: " + ngettext("{n} file has errors; obligations are computed from what loaded "
                                      "(run `careerpath validate` for details)",
                                      "{n} files have errors; obligations are computed from what loaded "
                                      "(run `careerpath validate` for details)", len(errors)).format(n=len(errors)))


def use_rich() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _when(status: str, due: date, done_on: Optional[date], today: date) -> str:
    if status == "done":
        return _("done {date}").format(date=display_date(done_on)) if done_on else display("status", "done")
    days = (due - today).days
    if days < 0:
        return _("{n}d late").format(n=-days)
    return _("today") if days == 0 else _("in {n}d").format(n=days)


def rows(obligations: list, today: date, lang: str, explain: bool) -> list[tuple[str, ...]]:
    """The table's cells, one tuple per obligation (statuses, dates and titles translated here, never in the data)."""
    # 95,000 rows share a few hundred dates, statuses and titles: each is worded once
    words: dict = {}
    dates: dict = {}
    whens: dict = {}
    titles: dict = {}
    details: dict = {}
    out = []
    for o in obligations:
        status = words.get(o.status)
        if status is None:
            status = words[o.status] = display("status", o.status)
        due = dates.get(o.due)
        if due is None:
            due = dates[o.due] = display_date(o.due)
        when_key = (o.status, o.due, o.done_on)
        when = whens.get(when_key)
        if when is None:
            when = whens[when_key] = _when(o.status, o.due, o.done_on, today)
        what = titles.get(o.rule)
        if what is None:
            what = titles[o.rule] = o.title_in(lang)
        detail = details.get(o.detail)
        if detail is None:
            detail = details[o.detail] = detail_text(o.detail)
        extra = f"{o.item}, {detail}" if o.item and detail else o.item or detail
        row = (status, due, when, o.case, f"{what} [{extra}]" if extra else what, ",".join(o.staff))
        if explain:
            row += (o.rule, f"{o.citation} ({_('confirmed') if o.confirmed else _('needs source')})", o.source)
        out.append(row)
    return out


_MARKS: dict = {}


def mark(o: Any) -> str:
    """What the table needs of an obligation besides its cells: its status, and ``!`` when past due."""
    key = (o.status, o.past_due)
    found = _MARKS.get(key)
    if found is None:
        found = _MARKS[key] = o.status + ("!" if o.past_due else "")
    return found


def view_rows(obligations: list, cells: list) -> list[tuple]:
    """(case, sort key, cells, mark) per obligation: what :func:`careerpath.cache.view` keeps."""
    from ..obligations import sort_key

    return [(o.case, sort_key(o), c, mark(o)) for o, c in zip(obligations, cells)]


HEADERS = ["STATUS", "DUE", "WHEN", "CASE", "OBLIGATION", "STAFF"]
# rich lays a table out in memory before drawing it: 95,000 rows (20,519 cases) took
# ~50 s and ~0.9 GB at a terminal. Longer lists get the plain aligned table.
RICH_MAX_ROWS = 2000
EXPLAIN_HEADERS = ["RULE", "CITATION", "FROM"]


def _headers(explain: bool) -> list[str]:
    names = [_("STATUS"), _("DUE"), _("WHEN"), _("CASE"), _("OBLIGATION"), _("STAFF")]
    return names + ([_("RULE"), _("CITATION"), _("FROM")] if explain else [])


def print_table(body: list, marks: list[str], explain: bool, red: Any = None) -> None:
    """The table: ``body`` from :func:`rows`, ``marks`` from :func:`mark`, row for row."""
    headers = _headers(explain)
    if red is not None:  # --redact: cell by cell, so columns stay aligned
        body = [tuple(red.text(cell) for cell in row) for row in body]
    if use_rich() and len(body) <= RICH_MAX_ROWS:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        styles = {"overdue": "bold red", "partial": "yellow", "due-soon": "yellow", "upcoming": "", "done": "green"}
        table = Table(show_edge=False, highlight=False, pad_edge=False)
        for h in HEADERS:
            table.add_column(h, overflow="fold", no_wrap=h in ("STATUS", "DUE", "WHEN"))
        for m, row in zip(marks, body):
            what = Text(row[4])  # Text, not markup: items such as [jobs[0]+6m] stay as written
            if explain:
                what.append(f"\n{row[6]} · {row[7]} · {row[8]}", style="dim")
            status = m.rstrip("!")
            style = styles.get(status, "") if status != "partial" or m.endswith("!") else ""
            table.add_row(Text(row[0], style=style), row[1], row[2], Text(row[3]), what, Text(row[5]))
        Console(highlight=False).print(table)
        return
    if explain:  # long columns: one block per obligation reads better than a very wide table
        for row in body:
            print("  ".join(row[:6]))
            print("    " + _("rule: {rule}  citation: {citation}").format(rule=row[6], citation=row[7]))
            print("    " + _("from: {source}").format(source=row[8]))
        return
    widths = [max(len(h), max(map(len, column))) for h, column in zip(headers, zip(*body))] if body \
        else [len(h) for h in headers]
    # one write for the whole table: a 20,000-case caseload lists ~95,000 lines
    line = "  ".join(f"%-{w}s" for w in widths[:-1]) + "  %s"
    sys.stdout.write("".join((line % r).rstrip() + "\n" for r in [tuple(headers), *body]))


@app.command()
@output_cached
def due(
    ctx: typer.Context,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    within: Optional[str] = typer.Option(None, "--within", metavar="DURATION",
                                         help="Only what is due by then: 14d, 2w, 1m (past-due ones included)."),
    overdue: bool = typer.Option(False, "--overdue", help="Only what is past due (overdue, or partial after its date)."),
    case: Optional[list[str]] = typer.Option(None, "--case", metavar="ID", help="Only this case. Repeatable."),
    program: Optional[list[str]] = typer.Option(None, "--program", metavar="ID",
                                                help="Only this program (ca-dds-ccp, ca-dor-vr, ca-dor-se, "
                                                     "ru-czn-disability, common). Repeatable."),
    rule: Optional[list[str]] = typer.Option(None, "--rule", metavar="ID", help="Only this rule; patterns work: 'dor.*'. Repeatable."),
    staff: Optional[list[str]] = typer.Option(None, "--staff", metavar="ID", help="Only obligations of this staff id. Repeatable."),
    all_: bool = typer.Option(False, "--all", help="Include done ones, and the history of closed cases and ended enrollments."),
    explain: bool = typer.Option(False, "--explain", help="Show each obligation's rule, citation and the file:line it comes from."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, json, csv or ics."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="Write to FILE (atomically; a regular file only) instead of standard "
                                              "output; - is standard output."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="STATUS",
                                          help="Exit 3 when anything listed is overdue (or, with due-soon, due soon or overdue)."),
    lang: LangOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
    no_cache: NoCacheOpt = False,
) -> int:
    """What is due: every open obligation of the caseload, past due first, then by date.

    Each line is one obligation of one case under one program rule (see
    `careerpath rules`): its status (overdue, partial, due-soon within
    settings.warn_days, upcoming, done), due date, case, what to do and who.
    Text is a table on a terminal and plain aligned columns when piped; json
    follows careerpath/schemas/obligations.schema.json; ics is a calendar feed
    (one all-day event per obligation, stable UIDs, no names).

    Exit 0; 3 with --fail-on overdue when anything listed is past due (for cron).

    Example:  careerpath due --caseload sample-cases --within 2w --explain
    """
    if format not in FORMATS:
        raise CliError(_("--format must be one of: {choices}").format(choices=", ".join(FORMATS)), code=2)
    if fail_on is not None and fail_on not in FAIL_ON:
        raise CliError(_("--fail-on must be one of: {choices}").format(choices=", ".join(FAIL_ON)), code=2)
    from ..obligations.dates import Duration, DurationError

    if within is not None:
        try:
            if Duration.parse(within).unit == "wd" or Duration.parse(within).count < 0:
                raise DurationError(within)
        except DurationError:
            raise CliError(_("--within must be a count and a unit: 14d, 2w, 1m, 1y"), code=2) from None
    target = output_of(output, "--output")
    if target is not None and format == "text":
        raise CliError(_("--output works with --format json, csv or ics"), code=2)
    found, day = cached_results(ctx, caseload, today, no_cache=no_cache)
    warn_on_errors(found.load_diagnostics)
    from ..obligations import export

    known = set(found.cases)
    for cid in case or ():
        if cid not in known:
            raise CliError(_("no case `{case}` in this caseload").format(case=cid), code=1,
                           hint=_("`careerpath due` lists every case"))

    def chosen_of(obligations: list) -> list:
        return export.select(obligations, day, within=within, overdue=overdue, cases=case or (), programs=program or (),
                             rules=rule or (), staff=staff or (), include_done=all_)

    from .localize import content_language

    language = content_language(ctx, lang, found.config.default_language)
    from .redaction import redact_content, redact_obligations, redacted_stdout, redactor_for

    # the redactor reads names from the real caseload (the cached results hold none)
    red = redactor_for(caseload_of(ctx, caseload), redact, redact_staff, cache=use_cache(ctx, no_cache))
    def cells_of(chosen: list) -> list:
        """One piece per obligation: its JSON object, its CSV line or its table cells."""
        if format == "json":
            return export.json_items(chosen)
        return export.csv_rows(chosen) if format == "csv" else rows(chosen, day, language, explain)

    if format != "ics" and red is None:
        # the pieces are kept in the cache: after an edit only the edited case's are made again
        from ..cache import view

        def render(obligations: list) -> list[tuple]:
            chosen = chosen_of(obligations)
            return view_rows(chosen, cells_of(chosen))

        request = repr((format, language, language_state(), explain, within, overdue, case, program, rule, staff))
        body, marks = view(found, request, render, history=all_, done=all_)
    else:
        chosen = redact_obligations(red, chosen_of(found.obligations(history=all_, done=all_)))
        marks = [mark(o) for o in chosen]
        body = (export.to_ics(chosen, language, found.config.agency or "careerpath") if format == "ics"
                else cells_of(chosen))
    if format == "json":
        _emit(redact_content(red, export.join_json(body)), target)
    elif format == "csv":
        _emit(redact_content(red, export.join_csv(body)), target)
    elif format == "ics":
        _emit(redact_content(red, body), target)
    elif not body:
        print(_("nothing due (with these filters)") if any((within, overdue, case, program, rule, staff))
              else _("nothing due"))
    else:
        with redacted_stdout(red):
            print_table(body, marks, explain, red)
            print(summary(marks))
    if fail_on == "overdue" and any(m.endswith("!") for m in marks):
        return 3
    if fail_on == "due-soon" and any(m.endswith("!") or m == "due-soon" for m in marks):
        return 3
    return 0


def summary(marks: list[str]) -> str:
    """One closing line: how many are past due, due soon, upcoming (and done); ``marks`` as :func:`mark` gives."""
    past = sum(1 for m in marks if m.endswith("!"))
    soon = sum(1 for m in marks if m in ("due-soon", "partial"))
    done = sum(1 for m in marks if m == "done")
    later = len(marks) - past - soon - done
    parts = [_("{n} past due").format(n=past), _("{n} due soon").format(n=soon), _("{n} upcoming").format(n=later)]
    parts += [_("{n} done").format(n=done)] if done else []
    return ngettext("{n} obligation: {parts}", "{n} obligations: {parts}", len(marks)).format(
        n=len(marks), parts=", ".join(parts))


def _emit(content: str | bytes, output: Optional[Output]) -> None:
    write_output(output or Output(None), content)
