"""``careerpath due`` without typer: the morning list of every open obligation of a caseload.

The command as typer declares it (its options, their help) is :func:`careerpath.cli.cmd_due.due`, which calls
:func:`due` here; a plain ``due`` command line is read without typer (:mod:`careerpath.cli.direct`) and runs
:func:`due` directly, so that a ``due`` that must compute (after an edit, on a new day) imports neither typer
nor click nor the other commands. :data:`OPTIONS` says how each option word is read there; a test checks it
against typer's reading of the declaration.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

from ..i18n import _, display, display_date, ngettext, text
from .base import CliError, cache_of, caseload_of, err, output_of, today_of
from .output import check_format, write
from .views import language_state, making as making_output, output_cached, write_stdout

FORMATS = ("text", "json", "csv", "ics")


def cached_results(ctx: Any, caseload: Optional[Path], today: Optional[str],
                   *, no_cache: bool = False) -> tuple[Any, date]:
    """The caseload's diagnostics and obligations (:func:`careerpath.pipeline.results`, through the load cache
    unless --no-cache), and the day."""
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..pipeline import results

    return results(root, day, cache=cache_of(ctx, no_cache)), day


def warn_on_errors(diagnostics: list) -> None:
    """One line on stderr when files failed to load (their cases' obligations are incomplete)."""
    errors = {d.file for d in diagnostics if d.severity == "error"}
    if errors:
        err("careerpath: " + ngettext("{n} file has errors; obligations are computed from what loaded "
                                      "(run `careerpath validate` for details)",
                                      "{n} files have errors; obligations are computed from what loaded "
                                      "(run `careerpath validate` for details)", len(errors)).format(n=len(errors)))


def use_rich() -> bool:
    from .tables import colours

    return sys.stdout.isatty() and colours()


def _when(status: str, due: Optional[date], done_on: Optional[date], today: date) -> str:
    if due is None:  # a case that could not be read: no date to count from
        return ""
    if status == "done":
        return _("done {date}").format(date=display_date(done_on)) if done_on else display("status", "done")
    days = (due - today).days
    if days < 0:
        return _("{n}d late").format(n=-days)
    return _("today") if days == 0 else _("in {n}d").format(n=days)


def rows(obligations: list, today: date, lang: str, explain: bool,
         names: Optional[dict] = None) -> list[tuple[str, ...]]:
    """The table's cells on ``today``, one tuple per obligation (statuses, dates and titles translated here,
    never in the data). ``names``: {staff id: what the STAFF column shows} (:func:`staff_labels`)."""
    return fill(templates(obligations, lang, explain, names), obligations, today)


def templates(obligations: list, lang: str, explain: bool, names: Optional[dict] = None) -> list[tuple]:
    """The table's cells, one tuple per obligation (dates and titles translated here, never in the data),
    without what the day decides: STATUS and WHEN are None (what a kept view of ``due`` stores; :func:`fill`
    adds them for the day). ``names``: {staff id: what the STAFF column shows}; an id not in it is shown as
    it is."""
    # 95,000 rows share a few hundred dates, statuses and titles: each is worded once
    dates: dict = {}
    titles: dict = {}
    details: dict = {}
    out = []
    for o in obligations:
        due = dates.get(o.due)
        if due is None:
            due = dates[o.due] = display_date(o.due) if o.due is not None else "-"
        what = titles.get(o.rule)
        if what is None:
            what = titles[o.rule] = o.title_in(lang)
        detail = details.get(o.detail)
        if detail is None:
            detail = details[o.detail] = text(o.detail)
        if o.status == INVALID:  # where it failed and how often, never a value
            n = dict(getattr(o.detail, "args", ())).get("n", 0)
            what = text(o.title)
            detail = ngettext("{file}, {n} error", "{file}, {n} errors", n).format(file=o.source, n=n)
        elif o.incomplete:
            detail = f"{detail}; {_('incomplete')}" if detail else _("incomplete")
        item = text(o.words) if o.words else o.item  # the item in words where the rule says how (services, objectives)
        extra = f"{item}, {detail}" if item and detail else item or detail
        staff = ", ".join(names.get(s, s) for s in o.staff) if names else ",".join(o.staff)
        row = (None, due, None, o.case, f"{what} [{extra}]" if extra else what, staff)
        if explain:
            row += (o.rule, f"{o.citation} ({_('confirmed') if o.confirmed else _('needs source')})", o.source)
        out.append(row)
    return out


def staff_labels(config: Any, red: Any = None) -> dict[str, str]:
    """{staff id: label} for the table's STAFF column: the person's short name from careerpath.yaml
    (:func:`careerpath.cli.tables.short_names`; a table is for people, json and csv keep the ids).
    With --redact-staff the full name, which the redactor then replaces whole (``Staff A``)."""
    from .tables import short_names

    names = getattr(config, "names", ())
    return dict(names) if red is not None and getattr(red, "staff", False) else short_names(names)


class _DayCells(dict):
    """STATUS and WHEN on ``today`` by (status, due date, done date): each worded once (95,000 rows share a
    few thousand)."""

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today

    def __missing__(self, key: tuple) -> tuple[str, str]:
        status, due, done_on = key
        got = self[key] = (display("status", status), _when(status, due, done_on, self.today))
        return got


def fill(cells: list, obligations: list, today: date) -> list[tuple[str, ...]]:
    """:func:`templates`' cells with STATUS and WHEN for ``today``, from each obligation's status, due and
    done dates (an obligation, or a kept view's row derived for the day)."""
    worded = _DayCells(today)
    out = []
    for o, row in zip(obligations, cells):
        status, when = worded[o.status, o.due, o.done_on]
        out.append((status, row[1], when, *row[3:]))
    return out


def _day_free(o: Any, today: date) -> None:
    """What a table's cells read of the day: nothing (:func:`fill` adds STATUS and WHEN at print time)."""
    return None


def _state(o: Any, today: date) -> tuple:
    """What a JSON object or CSV line reads of the day: the fields the day decides."""
    return (o.status, o.past_due, o.history, o.done_on)


def _ics_state(o: Any, today: date) -> tuple:
    """What a VEVENT reads of the day: those fields, and the day itself for a case that could not be read
    (its event is on the day)."""
    return (o.status, o.past_due, o.history, o.done_on, today if o.due is None else None)


# rich lays a table out in memory before drawing it: 95,000 rows (20,519 cases) took
# ~50 s and ~0.9 GB at a terminal. Longer lists get the plain aligned table.
RICH_MAX_ROWS = 2000


def _headers(explain: bool) -> list[str]:
    names = [_("STATUS"), _("DUE"), _("WHEN"), _("CASE"), _("OBLIGATION"), _("STAFF")]
    return names + ([_("RULE"), _("CITATION"), _("FROM")] if explain else [])


def columns() -> list:
    """The table's columns on a terminal; when it is narrow DUE goes first, then STAFF, then STATUS (WHEN still
    says how late), and OBLIGATION wraps: CASE is never cut."""
    from .tables import Column

    return [Column(_("STATUS"), drop=3), Column(_("DUE"), drop=1), Column(_("WHEN")), Column(_("CASE")),
            Column(_("OBLIGATION"), wrap="text"), Column(_("STAFF"), wrap="list", drop=2)]


def print_table(body: list, marks: list[str], explain: bool, red: Any = None, *, wide: bool = False) -> None:
    """The table: ``body`` from :func:`rows`, ``marks`` from :func:`careerpath.obligations.query.mark`, row for row."""
    headers = _headers(explain)
    if red is not None:  # --redact: cell by cell, so columns stay aligned
        body = [tuple(red.text(cell) for cell in row) for row in body]
    if not explain and sys.stdout.isatty():  # fitted to the terminal, ids never cut (cli/tables.py)
        from .tables import colours, render, show, terminal_width

        codes = {"invalid": "1;31", "overdue": "1;31", "partial": "33", "due-soon": "33", "scheduled": "36", "done": "32"}
        # an unreadable case has no date, so WHEN is empty: it says `invalid` there, kept when STATUS is dropped
        body = [(row[0], row[1], row[0], *row[3:]) if mark == "invalid!" and not row[2] else row
                for row, mark in zip(body, marks)]
        styles = None
        if colours():
            styles = [codes.get(m.rstrip("!"), "") if m.rstrip("!") != "partial" or m.endswith("!") else "" for m in marks]
        show(render(columns(), body, terminal_width(), wide=wide, styles=styles))
        return
    if use_rich() and len(body) <= RICH_MAX_ROWS:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from ..textsafe import OwnStream, escaped

        def cell(value: str, style: str = "") -> Any:  # a caseload's text is shown, never obeyed (as cli/tables.py)
            return Text(escaped(value, one_line=True), style=style)

        styles = {"invalid": "bold red", "overdue": "bold red", "partial": "yellow", "due-soon": "yellow", "upcoming": "", "scheduled": "cyan",
                  "done": "green"}
        table = Table(show_edge=False, highlight=False, pad_edge=False)
        for n, h in enumerate(headers[:6]):  # (in the user's language; the rule and its source go under OBLIGATION)
            table.add_column(h, overflow="fold", no_wrap=n < 3)  # STATUS, DUE, WHEN
        for m, row in zip(marks, body):
            what = cell(row[4])  # Text, not markup: items such as [jobs[0]+6m] stay as written
            if explain:
                what.append("\n" + escaped(f"{row[6]} · {row[7]} · {row[8]}", one_line=True), style="dim")
            status = m.rstrip("!")
            style = styles.get(status, "") if status != "partial" or m.endswith("!") else ""
            table.add_row(cell(row[0], style), cell(row[1]), cell(row[2]), cell(row[3]), what, cell(row[5]))
        # through the CLI's escaping stream as careerpath's own writes: the colours reach the terminal as colours
        Console(file=OwnStream(sys.stdout), highlight=False).print(table)
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


#: due's options as :mod:`careerpath.cli.direct` reads them: {option word: (keyword argument, kind, environment
#: variable)}; kind "flag" (no value), "text", "path" or "list" (repeatable); the defaults are those of
#: :func:`due`. tests/test_cli_direct.py checks both against typer's reading of
#: :func:`careerpath.cli.cmd_due.due`, word for word.
OPTIONS = {
    "--caseload": ("caseload", "path", "CAREERPATH_CASELOAD"), "-C": ("caseload", "path", "CAREERPATH_CASELOAD"),
    "--today": ("today", "text", "CAREERPATH_TODAY"),
    "--within": ("within", "text", None),
    "--overdue": ("overdue", "flag", None),
    "--status": ("status", "list", None),
    "--case": ("case", "list", None),
    "--program": ("program", "list", None),
    "--rule": ("rule", "list", None),
    "--staff": ("staff", "list", None),
    "--all": ("all_", "flag", None),
    "--explain": ("explain", "flag", None),
    "--format": ("format", "text", None), "-f": ("format", "text", None),
    "--output": ("output", "text", None), "-o": ("output", "text", None),
    "--fail-on": ("fail_on", "text", None),
    "--wide": ("wide", "flag", None),
    "--lang": ("lang", "text", None),
    "--redact": ("redact", "flag", None),
    "--redact-staff": ("redact_staff", "flag", None),
    "--no-cache": ("no_cache", "flag", None),
}


@output_cached
def due(ctx: Any, *, caseload: Optional[Path] = None, today: Optional[str] = None, within: Optional[str] = None,
        overdue: bool = False, status: Optional[list[str]] = None, case: Optional[list[str]] = None,
        program: Optional[list[str]] = None, rule: Optional[list[str]] = None, staff: Optional[list[str]] = None,
        all_: bool = False, explain: bool = False, format: str = "text", output: Optional[str] = None,
        fail_on: Optional[str] = None, wide: bool = False, lang: Optional[str] = None, redact: bool = False,
        redact_staff: bool = False, no_cache: bool = False) -> int:
    """``careerpath due`` (:func:`careerpath.cli.cmd_due.due` declares its options and help): the list, its exit
    code. ``ctx``: click's context or :class:`careerpath.cli.direct.Context`."""
    check_format(format, FORMATS)
    query = make_query(within=within, overdue=overdue, statuses=status, cases=case, programs=program, rules=rule,
                       staff=staff, everything=all_)
    from ..obligations.query import FAIL_ON

    if fail_on is not None and fail_on not in FAIL_ON:
        raise CliError(_("--fail-on must be one of: {choices}").format(choices=", ".join(FAIL_ON)), code=2)
    target = output_of(output, "--output")
    if target is not None and format == "text":
        raise CliError(_("--output works with --format json, csv or ics"), code=2)
    found, day = cached_results(ctx, caseload, today, no_cache=no_cache)
    warn_on_errors(found.load_diagnostics)
    from ..obligations import export
    from ..obligations.query import due as due_list, fails, mark, select

    check_filters(caseload_of(ctx, caseload), found, query)
    from .localize import content_language

    language = content_language(ctx, lang, found.config.default_language)
    from .redaction import redact_content, redact_obligations, redacted_stdout, redactor_for

    # the redactor reads names from the real caseload (the cached results hold none)
    red = redactor_for(caseload_of(ctx, caseload), redact, redact_staff, cache=cache_of(ctx, no_cache))
    labels = staff_labels(found.config, red) if format == "text" else {}
    # piped plain text through the cache: the table is kept as written (careerpath/cli/page.py)
    making = making_output()  # the key the output is stored under (None: a file too fresh to key, say)
    paging = format == "text" and red is None and not explain and found.cached and _pageable(sys.stdout)
    if paging:
        from . import page as pages

    def pieces_of(chosen: list) -> list:
        """One piece per obligation: its JSON object, its CSV line, its VEVENT or its table cells (without
        STATUS and WHEN: :func:`fill` adds them)."""
        if format == "json":
            return export.json_items(chosen)
        if format == "ics":
            return export.ics_items(chosen, language, day)
        return export.csv_rows(chosen) if format == "csv" else templates(chosen, language, explain, labels)

    if red is None:
        # the pieces are kept in the cache: after an edit only the edited case's are made again, on a new
        # day only the cases whose window moved and the rows whose status has no piece yet
        from .views import view

        state = _state if format in ("json", "csv") else _ics_state if format == "ics" else _day_free
        request = repr((format, language, language_state(), explain, query))
        if paging:  # the table written last time for this request and day, its changed cases' lines swapped
            page_key = pages.key(found.stored, request, sys.stdout.encoding, _errors(sys.stdout))
            from .views import kept_stdout

            root, cache = caseload_of(ctx, caseload), cache_of(ctx, no_cache)
            code = _repaged(found, page_key, making, lambda token: kept_stdout(root, token, cache), day, query,
                            language, labels, fail_on)
            if code is not None:
                return code
        chosen, body = view(found, request, pieces_of, state, lambda obligations: select(obligations, day, query),
                            history=query.history, done=query.with_done)
    else:
        chosen = redact_obligations(red, due_list(found, day, query).rows)
        body = pieces_of(chosen)
    from ..collector import paused

    with paused():  # rows and strings only (json's pieces, which make cycles, were made above)
        marks = [mark(o) for o in chosen]
        if format == "text":
            body = fill(body, chosen, day)
        if format == "json":
            write(export.json_blocks(body) if red is None else redact_content(red, export.join_json(body)), target)
        elif format == "csv":
            write(redact_content(red, export.join_csv(body)), target)
        elif format == "ics":
            write(redact_content(red, export.join_ics(body, found.config.agency or "careerpath")), target)
        elif not body:
            print(_("nothing due (with these filters)") if query.filtered else _("nothing due"))
        elif paging:
            text, kept = pages.make(found.stored.stamps, _headers(False), body, chosen, marks, summary(marks),
                                    sys.stdout.encoding, _errors(sys.stdout), day.toordinal())
            write_stdout(text)
            pages.write(found.stored, page_key, pages.naming(kept, making, text))
        else:
            with redacted_stdout(red):
                print_table(body, marks, explain, red, wide=wide)
                print(summary(marks))
    return 3 if fails(marks, fail_on) else 0


def _pageable(stream: Any) -> bool:
    """Whether ``due``'s table goes to ``stream`` as bytes of plain aligned columns (piped, with a buffer), in
    an encoding whose text is its lines' bytes one after another (UTF-8, Latin-1, KOI8-R; not UTF-16, whose
    every piece encoded apart starts with a byte-order mark): a page is cut and joined at line ends."""
    try:
        if stream.isatty() or not hasattr(stream, "buffer"):
            return False
        encoding = getattr(stream, "encoding", None)
        return bool(encoding) and "due\n".encode(encoding) == b"due\n"
    except (AttributeError, ValueError, LookupError):
        return False


def _errors(stream: Any) -> str:
    return getattr(stream, "errors", None) or "strict"


def _repaged(found: Any, page_key: bytes, making: Optional[bytes], earlier: Any, day: date, query: Any,
             language: str, labels: dict, fail_on: Optional[str]) -> Optional[int]:
    """Write the kept page of this request with the changed cases' lines made again, and keep it; on a later
    day first every line's STATUS and WHEN for the day (:func:`careerpath.cli.page.advance`, for a request
    whose lines only leave as days pass). Its exit code, or None when there is no such page or it cannot be
    patched (the whole table is made)."""
    from . import page as pages

    stored = found.stored
    kept = pages.read(stored, page_key)
    later = kept is not None and kept.day != day.toordinal()
    if kept is None or (later and not query.only_leaves):
        return None
    was = kept.text or earlier(kept.token)
    if was is None:
        return None  # the output it names was pruned or damaged
    encoding, errors = sys.stdout.encoding, _errors(sys.stdout)
    if later:
        got = pages.advance(kept, was, day.toordinal(), _mover(day, query), _headers(False), summary, encoding,
                            errors)
        if got is None:
            return None
        was, kept = got
    changed = pages.changed_cases(kept, found.cases, stored.stamps)
    if len(changed) > pages.MOST_CHANGED:
        return None
    from ..obligations.query import fails, mark, select

    ids = [cid for cid in found.cases if cid in changed]
    text, new = was, kept
    if changed:
        picked = select(found.obligations(history=query.history, done=query.with_done, cases=ids), day, query)
        marks = [mark(o) for o in picked]
        body = rows(picked, day, language, False, labels)
        got = pages.patch(kept, was, changed, picked, body, marks, _headers(False), summary, encoding, errors,
                          stored.stamps)
        if got is None:
            return None
        text, new = got
    write_stdout(text)
    stored.stats.page_cases = len(ids)
    if making is not None or later:
        pages.write(stored, page_key, pages.naming(new, making, text))
    # else an output that cannot be stored (a file changed in the last two seconds): the kept page stays, still
    # true of its own text and stamps; the next run patches the same cases from it (a case with such a file
    # matches no stamp until it can be keyed) instead of this run writing a page holding 14 MB of text (~0.2 s)
    return 3 if fails(new.counts(), fail_on) else 0


def _mover(day: date, query: Any) -> Callable[[tuple, int], Optional[tuple]]:
    """What :func:`careerpath.cli.page.advance` asks of each line for ``day``: from the line's state on an
    earlier day (:func:`careerpath.cli.page.state_of`) and its due date (an ordinal, 0 for none), its state
    on ``day``, its STATUS and WHEN cells (as :func:`fill` words them) and its mark; None when ``query`` (one
    whose rows :attr:`~careerpath.obligations.query.Query.only_leaves`) no longer lists it."""
    from ..obligations import state_on
    from ..obligations.query import mark_of

    worded = _DayCells(day)

    def moved(state: tuple, ordinal: int) -> Optional[tuple]:
        basis, status, past_due, history, done_on = state
        due = date.fromordinal(ordinal) if ordinal else None
        if basis and due is not None:
            status, past_due, history, done_on = state_on(basis, due, status, done_on, day)
        if not query.keeps_state(status, history):
            return None
        return ((basis, status, past_due, history, done_on), *worded[status, due, done_on], mark_of(status, past_due))

    return moved


def make_query(*, within: Optional[str] = None, overdue: bool = False, statuses: Optional[list] = None,
               cases: Optional[list] = None, programs: Optional[list] = None, rules: Optional[list] = None,
               staff: Optional[list] = None, everything: bool = False) -> Any:
    """The library's :class:`~careerpath.obligations.query.Query` for these options; a bad value is a usage error
    (an unknown --status with did-you-mean)."""
    from ..obligations.query import Query, QueryError, Unknown

    try:
        return Query(within=within, overdue=overdue, statuses=tuple(statuses or ()), cases=tuple(cases or ()),
                     programs=tuple(programs or ()), rules=tuple(rules or ()), staff=tuple(staff or ()),
                     done=everything, history=everything)
    except QueryError as e:
        if e.option == "--within":
            raise CliError(_("--within must be a count and a unit: 14d, 2w, 1m, 1y"), code=2) from None
        if e.option == "--status":
            from ..suggest import one
            from .filters import raise_unknown

            raise_unknown(Unknown(e.option, e.value, one(e.value, e.choices) or ""), e.choices)
        raise CliError(_("{option} must be one of: {choices}").format(option=e.option, choices=", ".join(e.choices)),
                       code=2) from None


INVALID = "invalid"  # obligations.engine.INVALID (not imported: a warm `due` reads no rules)


def check_filters(root: Path, found: Any, query: Any) -> None:
    """Exit 2 with did-you-mean on a --case, --staff, --program or --rule value the caseload does not know.

    The check is the library's (:func:`careerpath.obligations.query.unknown_values`); the programs and
    rules are read only when --program or --rule is given (a warm `due` reads none).
    """
    from ..obligations.query import unknown_values
    from .filters import raise_unknown

    staff = None
    if query.staff and not set(query.staff) <= set(found.config.staff):  # staff named on cases count too
        staff = set(found.config.staff) | {s for o in found.obligations(history=True) for s in o.staff}
    programs = rules = None
    if query.programs or query.rules:
        from ..programs import load_programs

        loaded = load_programs(root)
        programs = loaded.ids()
        if query.rules:
            rules = [r.id for r in loaded.rulebook().rules]
    known = {"--case": found.cases, "--staff": staff, "--program": programs, "--rule": rules}
    for unknown in unknown_values(query, cases=found.cases, staff=staff, programs=programs, rules=rules):
        pool = known[unknown.option]
        raise_unknown(unknown, [*pool, "common"] if unknown.option == "--program" else pool)


def summary(marks: list[str] | dict[str, int]) -> str:
    """One closing line: how many could not be read, are past due, due soon, upcoming (and done);
    ``marks`` as :func:`careerpath.obligations.query.mark` gives (or how many rows have each mark)."""
    from ..obligations.query import tally

    count = tally(marks)
    parts = [_("{n} past due").format(n=count.past_due), _("{n} due soon").format(n=count.due_soon),
             _("{n} upcoming").format(n=count.upcoming)]
    parts += [_("{n} done").format(n=count.done)] if count.done else []
    if count.invalid:  # first: an unreadable case may hide any of the others
        parts.insert(0, ngettext("{n} case could not be read", "{n} cases could not be read",
                                 count.invalid).format(n=count.invalid))
    return ngettext("{n} obligation: {parts}", "{n} obligations: {parts}", count.total).format(
        n=count.total, parts=", ".join(parts))
