"""``careerpath log | refer | set | close``: record work without an editor, one commit each."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..i18n import Message, _, ngettext, text
from .common import (ByOpt, CaseloadOpt, CliError, DateOpt, DryRunOpt, FormatOpt, NoCommitOpt, TodayOpt, app,
                     caseload_of, display_prefix, err, parse_date, today_of)
from .localize import format_diagnostic
from .output import TEXT_JSON, check_format, emit

ProgramOpt = Annotated[Optional[str], typer.Option("--program", "-p", metavar="PROGRAM", show_default=False,
                                                   help="The program this belongs to (ca-dds-ccp, ca-dor-vr, ca-dor-se, ru-czn-disability).")]


def _staff_id(root: Path, by: Optional[str]) -> Optional[str]:
    if by:
        return by
    env = os.environ.get("CAREERPATH_STAFF", "").strip()
    if env:
        return env
    from .. import gitio

    return gitio.config(root, "careerpath.staff") if gitio.available() else None


EX_TEMPFAIL = 75  # sysexits.h: try again later (as `careerpath report` when its lock is busy)


def _lock_wait() -> float:
    """Seconds to wait for another recording: $CAREERPATH_RECORD_WAIT, else 60."""
    from ..record import RECORD_WAIT

    try:
        return max(0.0, float(os.environ.get("CAREERPATH_RECORD_WAIT", "")))
    except ValueError:
        return RECORD_WAIT


def _run(root: Path, today, plan, *, dry_run: bool, no_commit: bool, format: str = "text") -> int:
    """Plan -> (dry run | apply) -> output. ``plan`` is a zero-argument callable returning a Change.

    Text prints what was written and committed; ``--format json`` prints the
    library's :class:`~careerpath.record.Recorded` instead. Warnings and notes
    go to standard error either way.
    """
    from ..record import RecordBusy, RecordError, apply, preview, recording_lock

    prefix = display_prefix(root)
    try:
        if dry_run:
            result = preview(plan(), today)
        else:
            first = plan()  # bad input is refused before anything is written, the lock file included
            wait = _lock_wait()
            if first.unchanged:
                result = apply(first, today, commit=not no_commit)
            else:
                with recording_lock(root, wait, on_wait=lambda: err("careerpath: " + _(
                        "waiting for another recording in this caseload to finish…"))):
                    # planned again under the lock: another recording may have just added a file
                    result = apply(plan(), today, commit=not no_commit, locked=True)
    except RecordBusy:
        raise CliError(_("another recording in this caseload took longer than {seconds} s; nothing was written").format(
            seconds=f"{wait:g}"), EX_TEMPFAIL, _("run the command again")) from None
    except RecordError as e:
        for d in e.diagnostics:
            err(format_diagnostic(d, prefix))
        raise CliError(e.message, 1, e.hint) from None
    if result.git == "unchanged":
        err("careerpath: " + _("nothing to change: the file already says that"))
    for d in result.warnings:
        err(format_diagnostic(d, prefix))
    if result.git not in ("failed", "dry-run"):
        for note in result.notes:
            err("careerpath: " + _("note: {note}").format(note=text(note)))
    if result.drift and result.git != "dry-run":
        err("careerpath: " + ngettext(
            "note: the YAML writer also reformatted {n} line outside the edit "
            "(the file's layout is not one it reproduces exactly); check `git diff HEAD~1`",
            "note: the YAML writer also reformatted {n} lines outside the edit "
            "(the file's layout is not one it reproduces exactly); check `git diff HEAD~1`", result.drift).format(n=result.drift))
    if result.git == "committed" and result.identity == "fallback":
        err("careerpath: " + _("note: git has no user.name/user.email here; committed as the staff member "
                               "(set them with `git config user.name` and `git config user.email`)"))
    elif result.git == "not-a-repository":
        err("careerpath: " + _("warning: the caseload is not in a git work tree; the change was written but not committed"))
    elif result.git == "no-git":
        err("careerpath: " + _("warning: git is not installed; the change was written but not committed"))

    def as_text() -> None:
        if result.git == "dry-run":
            sys.stdout.write(result.diff)
            return
        for path in result.paths:
            print(_("wrote {path}").format(path=os.path.join(prefix, path) if prefix else path))
        if result.git == "committed":
            print(_("committed {commit} {subject}").format(commit=result.commit[:10],
                                                          subject=result.message.splitlines()[0]))

    emit(result, format, as_text)
    if result.git == "failed":
        raise CliError(_("the change was written but not committed: {notes}").format(notes="; ".join(text(n) for n in result.notes)), 1,
                       _("fix what git reports (a pre-commit hook?), then commit the file yourself"))
    return 0


@app.command("log")
def log_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    type: Annotated[str, typer.Argument(metavar="TYPE", help="Event type: monthly-review, worksite-monitoring, contact, ...")],
    date: DateOpt = None,
    by: ByOpt = None,
    summary: Optional[str] = typer.Option(None, "--summary", metavar="TEXT", help="One line on what happened."),
    program: ProgramOpt = None,
    channel: Optional[str] = typer.Option(None, "--channel", metavar="CHANNEL",
                                          help="feedback: in-person, phone, online or suggestion-box."),
    rating: Optional[int] = typer.Option(None, "--rating", metavar="1-5",
                                         help="feedback: 1 very dissatisfied … 5 very satisfied (4 and 5 count as satisfied)."),
    feedback_text: Optional[str] = typer.Option(None, "--text", metavar="TEXT", help="feedback: the person's words."),
    anonymous: bool = typer.Option(False, "--anonymous", help="feedback: given anonymously (the journal names no case)."),
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Record an event: adds cases/CASE/events/DATE-TYPE.yaml and commits it.

    A `feedback` event takes --channel, --rating, --text and --anonymous (the
    feedback journal: `careerpath report feedback`).

    The commit message is `CASE: log TYPE DATE` with trailers Case:, Program:,
    Rule: (the obligation the event can satisfy) and Staff:.

    Example:  careerpath log an-nguyen monthly-review --date 2026-11-03 --by jsmith --summary "Reviewed progress"
    """
    check_format(format, TEXT_JSON)
    root = caseload_of(ctx, caseload)
    day_today = today_of(ctx, today)
    day = parse_date(date, "--date") if date else day_today
    staff = _staff_id(root, by)
    from ..record import plan_log

    from ..models import FEEDBACK_CHANNELS, RATING_MAX, RATING_MIN

    fields = {k: v for k, v in (("channel", channel), ("rating", rating), ("text", feedback_text),
                                ("anonymous", anonymous or None)) if v is not None}
    if fields and type != "feedback":
        raise CliError(_("--channel, --rating, --text and --anonymous describe a `feedback` event"), code=2)
    if channel is not None and channel not in FEEDBACK_CHANNELS:
        raise CliError(_("--channel must be one of: {choices}").format(choices=", ".join(FEEDBACK_CHANNELS)), code=2)
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        raise CliError(_("--rating must be a whole number from {low} to {high}").format(low=RATING_MIN, high=RATING_MAX),
                       code=2)
    return _run(root, day_today, lambda: plan_log(root, case, type, day, by=staff, summary=summary, program=program,
                                                  fields=fields),
                dry_run=dry_run, no_commit=no_commit, format=format)


@app.command("refer")
def refer_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    referral: Annotated[Optional[str], typer.Argument(metavar="[REFERRAL]", show_default=False,
                                                      help="To close a referral: its file name without .yaml.")] = None,
    to: Optional[str] = typer.Option(None, "--to", metavar="TEXT", help="Who the person is referred to."),
    kind: Optional[str] = typer.Option(None, "--kind", metavar="KIND",
                                       help="dor-application, regional-center, psychological-support, interpreter or other."),
    documents: List[str] = typer.Option([], "--documents", metavar="DOC", help="Documents sent (repeat, or comma-separated)."),
    follow_up: Optional[str] = typer.Option(None, "--follow-up", metavar="YYYY-MM-DD", help="When to check back."),
    consent: Optional[str] = typer.Option(None, "--consent", metavar="agreed|declined", help="The person's consent to share."),
    outcome: Optional[str] = typer.Option(None, "--outcome", metavar="TEXT", help="Close REFERRAL with this conclusion."),
    date: DateOpt = None,
    by: ByOpt = None,
    program: ProgramOpt = None,
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Record a referral, or its outcome, and commit it.

    New referral: adds cases/CASE/referrals/DATE-KIND.yaml.
    Outcome: `careerpath refer CASE REFERRAL --outcome TEXT --date D` sets
    `outcome: {date, conclusion}` in that file, keeping its comments.

    \b
    Examples:
      careerpath refer an-nguyen --to "Sunrise Bakery" --kind other --follow-up 2026-12-01 --by jsmith
      careerpath refer an-nguyen 2026-11-03-other --outcome "Interview scheduled" --date 2026-11-20
    """
    check_format(format, TEXT_JSON)
    root = caseload_of(ctx, caseload)
    day_today = today_of(ctx, today)
    day = parse_date(date, "--date") if date else day_today
    staff = _staff_id(root, by)
    from ..record import plan_outcome, plan_refer

    if referral is not None:
        if outcome is None:
            raise CliError(_("closing a referral needs --outcome TEXT"), code=2)
        if to or kind or documents or follow_up or consent:
            raise CliError(_("--to, --kind, --documents, --follow-up and --consent describe a new referral; "
                             "give them without REFERRAL"), code=2)
        return _run(root, day_today, lambda: plan_outcome(root, case, referral, day, outcome=outcome, by=staff),
                    dry_run=dry_run, no_commit=no_commit, format=format)
    if outcome is not None:
        raise CliError(_("--outcome needs the REFERRAL to close (its file name without .yaml)"), code=2)
    if not to or not kind:
        raise CliError(_("a new referral needs --to and --kind"), code=2)
    if consent is not None and consent not in ("agreed", "declined"):
        raise CliError(_("--consent must be agreed or declined"), code=2)
    docs = [d.strip() for item in documents for d in item.split(",") if d.strip()]
    follow = parse_date(follow_up, "--follow-up") if follow_up else None
    return _run(root, day_today, lambda: plan_refer(root, case, day, to=to, kind=kind, by=staff, documents=docs,
                                                    follow_up=follow, consent=consent, program=program),
                dry_run=dry_run, no_commit=no_commit, format=format)


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    field: Annotated[str, typer.Argument(metavar="FIELD", help="Dotted path; plan.yaml fields start with `plan.`.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="YYYY-MM-DD, true/false, a number, text, null, or [a, b].")],
    more: Annotated[Optional[List[str]], typer.Argument(metavar="[FIELD VALUE]...", show_default=False,
                                                        help="More fields of the same file, changed in the same commit.")] = None,
    by: ByOpt = None,
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Change a field of case.yaml or plan.yaml, keeping comments and layout, and commit it.

    FIELD is a dotted path into case.yaml (`enrollments.ca-dor-vr.eligibility.decided`)
    or, starting with `plan.`, into plan.yaml (`plan.goals.0.objectives.1.done`);
    list items are addressed by number from 0, and the next number adds an item
    (a job, a goal) given whole as a flow mapping. VALUE is read as the field's
    type: a date YYYY-MM-DD, true/false, a number, text, `null` to clear, or a
    YAML flow list/mapping. The edited file is validated first: an unknown
    field, a bad date or a value that breaks a rule is refused and nothing is written.
    Fields that must change together go in one command as more FIELD VALUE pairs.

    \b
    Examples:
      careerpath set an-nguyen enrollments.ca-dor-vr.applied 2026-08-28
      careerpath set an-nguyen enrollments.ca-dor-vr.eligibility.status eligible enrollments.ca-dor-vr.eligibility.decided 2026-10-15
      careerpath set an-nguyen jobs.0 "{employer: Sunrise Bakery, start: 2026-11-03, hours_per_week: 20}"
    """
    check_format(format, TEXT_JSON)
    extra = list(more or [])
    if len(extra) % 2:
        raise CliError(_("`{field}` has no VALUE: give FIELD VALUE pairs").format(field=extra[-1]), code=2)
    root = caseload_of(ctx, caseload)
    day_today = today_of(ctx, today)
    staff = _staff_id(root, by)
    from ..record import plan_set

    pairs = list(zip(extra[::2], extra[1::2]))
    return _run(root, day_today, lambda: plan_set(root, case, field, value, by=staff, more=pairs),
                dry_run=dry_run, no_commit=no_commit, format=format)


@app.command("close")
def close_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why the case closes (employed, moved, ...)."),
    date: DateOpt = None,
    by: ByOpt = None,
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Close a case: `status: closed` and `closure: {date, reason}` in case.yaml, then commit.

    `careerpath audit` flags any later change to a closed case.

    Example:  careerpath close an-nguyen --reason employed --date 2027-02-01
    """
    check_format(format, TEXT_JSON)
    root = caseload_of(ctx, caseload)
    day_today = today_of(ctx, today)
    day = parse_date(date, "--date") if date else day_today
    staff = _staff_id(root, by)
    from ..record import plan_close

    return _run(root, day_today, lambda: plan_close(root, case, day, reason=reason, by=staff), dry_run=dry_run, no_commit=no_commit, format=format)
