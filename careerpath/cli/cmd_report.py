"""``careerpath report KIND``: caseload-level outputs for cron and supervisors."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..i18n import _, message_of, ngettext, text
from .common import (CaseloadOpt, CliError, FormatOpt, QuietOpt, RedactOpt, RedactStaffOpt, TodayOpt, app, cache_of,
                     caseload_folder, caseload_of, err, folder_of, today_of)
from .output import JSON, TEXT_JSON, check_format, emit

EX_TEMPFAIL = 75


@app.command()
def report(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="dashboard, quarterly, registry, outcomes, feedback, "
                                                                 "surveys or portrait.")],
    period: Optional[str] = typer.Option(None, "--period", metavar="PERIOD",
                                         help="2026-Q3, 2026-11 or 2026. Default: the last complete quarter for "
                                              "quarterly, else the current year."),
    out: Optional[str] = typer.Option(None, "--out", metavar="DIR", help="Output folder (default: <caseload>/reports)."),
    case: List[str] = typer.Option([], "--case", help="Only this case; repeat for several."),
    staff: List[str] = typer.Option([], "--staff", help="Only cases of this staff id; repeat for several."),
    program: List[str] = typer.Option([], "--program", help="Only cases in this program; repeat for several."),
    registry_kind: List[str] = typer.Option([], "--kind", metavar="NAME",
                                            help="registry: only this registry (a name the programs declare, such as "
                                                 "recipients); repeat for several. Default: all of them."),
    wait: float = typer.Option(60.0, "--wait", metavar="SECONDS",
                               help="How long to wait for another run's lock before exiting 75."),
    commit: bool = typer.Option(False, "--commit", help="Commit the files written (even if .gitignore names them), "
                                                         "with a message naming the report and period."),
    document_format: str = typer.Option("html", "--document-format", metavar="FORMAT",
                                        help="quarterly: the documents' format, html or md."),
    format: FormatOpt = "text",
    stamp: bool = typer.Option(False, "--stamp", help="Add a generated-on line to HTML outputs (breaks byte-identical reruns)."),
    quiet: QuietOpt = False,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Write caseload reports into a folder, safely from cron.

    No prompts; one line per file written on stderr (none with --quiet), or
    with --format json one summary of the files written and failed on stdout;
    output written atomically; reruns with the same inputs and --today change no byte.
    A lock keeps two runs on one caseload apart: the second waits --wait seconds,
    then exits 75 (EX_TEMPFAIL) so cron wrappers can retry.

    Exit 0 when every output was written, 1 when any failed (the others are
    still written) or when a case could not be read (the files are written
    without it and it is named), 2 on usage errors, 75 when the caseload is locked.

    Example:  careerpath report outcomes --period 2026 --out /srv/reports
    """
    from ..reports import batch
    from ..documents.engine import RenderError
    from ..reports.output import LockBusy, caseload_lock
    from ..period import PeriodError, last_complete_quarter, parse_period, year_of

    if kind not in batch.RUNNERS:
        from ..suggest import one

        near = one(kind, batch.kinds())
        raise CliError(_("unknown report {kind!r}; choose one of: {kinds}").format(kind=kind, kinds=", ".join(batch.kinds())),
                       code=2, hint=_("did you mean `{name}`?").format(name=near) if near else "")
    if format in ("html", "md"):  # before --document-format, --format chose the documents' format
        raise CliError(_("--format must be one of: {choices}").format(choices=", ".join(TEXT_JSON)), code=2,
                       hint=_("the documents' format is --document-format {format}").format(format=format))
    check_format(format, TEXT_JSON)
    if document_format not in ("html", "md"):
        raise CliError(_("--document-format must be html or md"), code=2)
    if registry_kind and kind not in ("registry", "portrait"):
        raise CliError(_("--kind chooses registries: use it with `report registry`"), code=2)
    out_folder = folder_of(out, "--out")
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    try:
        per = parse_period(period) if period else (last_complete_quarter(day) if kind == "quarterly" else year_of(day))
    except PeriodError as e:
        raise CliError(message_of(e), code=2) from None
    out_dir = out_folder if out_folder is not None else caseload_folder(root, "reports")
    from contextlib import ExitStack

    from ..fsio import WriteError
    from ..pipeline import load

    try:
        with ExitStack() as held:
            try:
                held.enter_context(caseload_lock(root, wait))
            except WriteError as e:  # a read-only caseload: reports elsewhere need nothing written in it
                if commit:
                    raise CliError(_("--commit needs to write in the caseload, which it cannot: {reason}").format(
                        reason=text(message_of(e))), code=1) from None
                if not quiet:
                    err("careerpath: " + _("note: {note}").format(note=_(
                        "the caseload folder cannot hold the report lock ({reason}); writing without it").format(
                        reason=text(message_of(e)))))
            cache = cache_of(ctx)
            if kind in batch.FROM_RESULTS and cache is not None and not (redact or redact_staff):
                req = _counted_from_results(ctx, root, day, cache, kind, per, out_dir, case, staff, program,
                                            document_format, stamp)
                load_diagnostics = req.results.load_diagnostics
                result = batch.run(req)
            elif kind in batch.SHARD_BY_SHARD and cache is not None and not (redact or redact_staff):
                # read from the cache one shard of cases at a time (flat memory); --redact numbers its
                # placeholders over the whole caseload, so it loads the whole caseload
                from ..pipeline import case_shards, results as results_of

                shards = case_shards(root, cache, day, only=case or None)  # --case: only their shards are read
                req = _from_loaded(ctx, shards.shell, kind, per, out_dir, day, case, staff, program, registry_kind,
                                   document_format, stamp, False, False, shards=shards)
                # the whole caseload's file errors, as load gives them (the documents use the cached obligations)
                cached = results_of(root, day, cache=cache, obligations=kind == "quarterly")
                load_diagnostics = cached.load_diagnostics
                result = batch.run_quarterly_shards(req, cached) if kind == "quarterly" else batch.run(req)
            else:
                loaded = load(root, cache=cache)
                req = _from_loaded(ctx, loaded, kind, per, out_dir, day, case, staff, program, registry_kind,
                                   document_format, stamp, redact, redact_staff)
                load_diagnostics = loaded.diagnostics
                result = batch.run(req)
    except LockBusy as e:
        raise CliError(message_of(e), code=EX_TEMPFAIL, hint=_("another report is running; retry later")) from None
    except RenderError as e:  # a caseload's templates folder that cannot be used (a link out): no report at all
        raise CliError(message_of(e), code=1) from None
    load_errors = sum(1 for d in load_diagnostics if d.severity == "error")
    if load_errors:
        err("careerpath: " + ngettext("warning: {n} file error in the caseload; cases whose files do not load are "
                                      "left out — run `careerpath validate`",
                                      "warning: {n} file errors in the caseload; cases whose files do not load are "
                                      "left out — run `careerpath validate`", load_errors).format(n=load_errors))
    for note in dict.fromkeys(result.notes):
        err("careerpath: " + _("note: {note}").format(note=text(note)))
    for path, what in result.written:
        if not quiet and format != JSON:
            err(_("wrote {path} ({what})").format(path=path, what=what))
    for name, reason in result.failed:
        err("careerpath: " + _("failed {name}: {reason}").format(name=name, reason=text(reason)))
    if result.unreadable:  # the files are written, but their figures lack these cases
        n = len(result.unreadable)
        err("careerpath: " + ngettext("{n} case could not be read and is missing from the figures: {list}",
                                      "{n} cases could not be read and are missing from the figures: {list}",
                                      n).format(n=n, list=", ".join(where for _c, where in result.unreadable)))
    committed: Optional[str] = None
    code = 0
    if commit and result.written:
        committed, code = _commit_reports(root, kind, per.label, [p for p, _w in result.written], out_dir,
                                          quiet or format == JSON, wait)
    emit(summary(result, kind, per.label, out_dir, committed), format)
    return code or (1 if result.failed or result.unreadable else 0)


def _from_loaded(ctx: typer.Context, loaded, kind: str, per, out_dir: Path, day, case: list, staff: list, program: list,
                 registry_kind: list, document_format: str, stamp: bool, redact: bool, redact_staff: bool, *,
                 shards=None):
    """The report's request over a loaded caseload (every report, --redact included); or over a caseload read
    shard by shard (``shards``: a pipeline.CaseShards), whose ``loaded`` is the shell that holds no case."""
    from ..reports import batch
    from ..reports.select import case_staff
    from .filters import require
    from .localize import content_language
    from .redaction import redactor

    require("--case", case, shards.ids if shards is not None else loaded.cases)
    if staff and not set(staff) <= loaded.staff_ids():  # staff named on cases count too
        if shards is not None:
            from ..pipeline import iter_cases

            cases = (cf for part in iter_cases(shards) for cf, _d in part.values())
        else:
            cases = loaded.cases.values()
        require("--staff", staff, loaded.staff_ids() | {s for cf in cases for s in case_staff(cf)})
    require("--program", program, loaded.programs.ids())
    require("--kind", registry_kind, loaded.programs.registries())
    red = redactor(loaded, redact, redact_staff)
    # the models redacted field by field, the text written redacted once more; --case names real ids
    shown = red.caseload(loaded) if red is not None else loaded
    chosen = tuple(red.placeholder("case_id", c) for c in case) if red is not None else tuple(case)
    return batch.ReportRequest(shown, kind, per, out_dir, day, batch.Filters(chosen, tuple(staff), tuple(program)),
                               stamp=day.isoformat() if stamp else "", fmt=document_format,
                               redact=red.text if red is not None else None,
                               lang=content_language(ctx, None, loaded.config.default_language),
                               registries=tuple(registry_kind), shards=shards)


def _counted_from_results(ctx: typer.Context, root: Path, day, cache, kind: str, per, out_dir: Path, case: list,
                          staff: list, program: list, document_format: str, stamp: bool):
    """The report's request over the results cache (``report dashboard``): no case is loaded; the filters are
    checked against the cached case ids, careerpath.yaml's staff and the staff named on cases (their facts)."""
    from ..pipeline import results
    from ..programs import load_programs
    from ..reports import batch
    from .filters import require
    from .localize import content_language

    res = results(root, day, cache=cache)
    programs = load_programs(root)
    require("--case", case, res.cases)
    if staff and not set(staff) <= set(res.config.staff):  # staff named on cases count too
        named = {s for _cid, facts, _found in res.stored.each_case(res.cases) if facts is not None for s in facts.staff}
        require("--staff", staff, set(res.config.staff) | named)
    require("--program", program, programs.ids())
    return batch.ReportRequest(batch.head_of(root, res.config, programs), kind, per, out_dir, day,
                               batch.Filters(tuple(case), tuple(staff), tuple(program)),
                               stamp=day.isoformat() if stamp else "", fmt=document_format,
                               lang=content_language(ctx, None, res.config.default_language), results=res)


def summary(result, kind: str, period: str, out_dir: Path, commit: Optional[str] = None) -> dict:
    """What ``report --format json`` prints: the report, the files written (path, what they hold), the
    outputs that failed (name, reason), the cases left out because their case.yaml did not load (case,
    file:line) and the commit made with --commit (else null)."""
    return {"kind": kind, "period": period, "out": str(out_dir),
            "written": [{"path": str(p), "what": what} for p, what in result.written],
            "failed": [{"name": name, "reason": reason} for name, reason in result.failed],
            "unreadable": [{"case": case, "file": where} for case, where in result.unreadable], "commit": commit}


def _commit_reports(root: Path, kind: str, label: str, paths: list[Path], out_dir: Path, quiet: bool,
                    wait: float) -> tuple[Optional[str], int]:
    """Commit the reports written under the caseload's commit lock (the one recordings take):
    (the commit made or None, 0 or the exit code when committing failed)."""
    from .. import gitio
    from ..fsio import COMMIT_LOCK, LockBusy, WriteError, caseload_lock

    top = gitio.toplevel(out_dir) if gitio.available() else None
    if top is None:
        err("careerpath: " + _("warning: --commit: the output folder is not inside a git work tree; nothing committed"))
        return None, 0
    message = gitio.format_message(f"report {kind} {label}", [("Report", kind), ("Period", label)])
    not_committed = _("the reports were written but not committed: {reason}")
    try:
        with caseload_lock(root, wait, COMMIT_LOCK):
            lock = gitio.index_lock(top)
            deadline = time.monotonic() + wait
            while lock is not None and lock.live and time.monotonic() < deadline:
                time.sleep(0.2)
                lock = gitio.index_lock(top)
            if lock is not None:
                return None, _index_locked(not_committed, lock)
            try:
                made = gitio.commit_paths(top, paths, message, force=True)
            except gitio.GitError as e:
                # nothing of ours stays staged for someone else's next commit
                gitio.run(["reset", "-q", "--", *[os.path.relpath(p, top) for p in paths]], top, check=False)
                lock = gitio.index_lock(top) if e.lock is not None else None
                if lock is not None:
                    return None, _index_locked(not_committed, lock)
                err("careerpath: " + not_committed.format(reason=text(e.message)))
                return None, EX_TEMPFAIL if e.lock is not None else 1
    except LockBusy:
        err("careerpath: " + not_committed.format(reason=_("a recording or another report held the caseload's commit "
                                                          "lock for {seconds} s").format(seconds=f"{wait:g}")))
        return None, EX_TEMPFAIL
    except WriteError as e:
        err("careerpath: " + not_committed.format(reason=text(message_of(e))))
        return None, 1
    if not quiet:
        err(_("committed {commit}: report {kind} {label}").format(commit=made.sha[:10], kind=kind, label=label) if made
            else _("reports unchanged since the last commit; nothing committed"))
    return (made.sha if made else None), 0


def _index_locked(not_committed: str, lock) -> int:
    """Say why git's lock stops the commit: 75 while a git process holds it, 1 (and what to remove) when none does."""
    if lock.live:
        err("careerpath: " + not_committed.format(reason=_("git is working in this repository ({path} is held by "
                                                           "process {pids})").format(
            path=lock.path, pids=", ".join(map(str, lock.holders)))))
        err("  " + _("hint: {hint}").format(hint=_("run the report again with --commit later: its files come out the same")))
        return EX_TEMPFAIL
    err("careerpath: " + not_committed.format(reason=_("{path} was left by a git process that is no longer running")
                                              .format(path=lock.path)))
    err("  " + _("hint: {hint}").format(hint=_("no git process is using it: remove it (rm {path}) and run the report "
                                              "again with --commit").format(path=lock.path)))
    return 1
