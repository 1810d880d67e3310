"""``careerpath log | refer | set | close``: record work without an editor, one commit each."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Annotated, Any, Callable, List, Optional

import typer

from ..i18n import _, ngettext, text
from .common import (ByOpt, CaseloadOpt, CliError, DateOpt, DryRunOpt, FormatOpt, NoCommitOpt, TodayOpt, app,
                     caseload_of, display_prefix, err, parse_date, today_of)
from .localize import format_diagnostic
from .output import TEXT_JSON, check_format, emit

LocalEditsOpt = Annotated[bool, typer.Option(
    "--include-local-edits", help="Commit changes the file already had that no commit holds (a hand edit, a staged "
                                  "change) with this one, named in the message. Without it such a file is refused.")]
ProgramOpt = Annotated[Optional[str], typer.Option("--program", "-p", metavar="PROGRAM", show_default=False,
                                                   help="The program this belongs to (ca-dds-ccp, ca-dor-vr, ca-dor-se, ru-czn-disability).")]


def _field_pairs(words: Optional[list[str]]) -> list[tuple[str, str]]:
    """FIELD VALUE words as pairs (`set` and `amend` take more than one); an odd word out is a usage error."""
    words = list(words or [])
    if len(words) % 2:
        raise CliError(_("`{field}` has no VALUE: give FIELD VALUE pairs").format(field=words[-1]), code=2)
    return list(zip(words[::2], words[1::2]))


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


def _run(root: Path, today, plan, *, dry_run: bool, no_commit: bool, format: str = "text",
         effect: Optional[Callable[[Any], tuple[Callable[[], None], dict]]] = None,
         local_edits: bool = False) -> int:
    """Plan -> (dry run | apply) -> output. ``plan`` is a zero-argument callable returning a Change.

    Text prints what was written and committed; ``--format json`` prints the
    library's :class:`~careerpath.record.Recorded` instead. Warnings and notes
    go to standard error either way. ``effect`` (``close``) turns the change
    that was made into (what text prints after it, what JSON adds to it).
    """
    from ..record import GitBusy, RecordBusy, RecordError, RecordUsageError, apply, preview, recording_lock

    prefix = display_prefix(root)
    last: list = []  # the change last planned (``effect`` reads it)
    planner = plan

    def plan():
        change = planner()
        last.append(change)
        return change

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
                    result = apply(plan(), today, commit=not no_commit, locked=True, include_local_edits=local_edits,
                                   wait=wait, on_wait=lambda: err("careerpath: " + _(
                                       "waiting for git, which is working in this repository…")))
    except GitBusy as e:
        raise CliError(e.message, EX_TEMPFAIL, e.hint) from None
    except RecordBusy:
        raise CliError(_("another recording in this caseload took longer than {seconds} s; nothing was written").format(
            seconds=f"{wait:g}"), EX_TEMPFAIL, _("run the command again")) from None
    except RecordError as e:
        for d in e.diagnostics:
            err(format_diagnostic(d, prefix))
        raise CliError(e.message, 2 if isinstance(e, RecordUsageError) else 1, e.hint) from None
    if result.git == "unchanged":
        err("careerpath: " + _("nothing to change: the file already says that"))
    for d in result.warnings:
        err(format_diagnostic(d, prefix))
    if result.git != "failed":
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

    data: Any = result
    if effect is not None and last and result.git not in ("failed", "unchanged"):
        more_text, more = effect(last[-1])
        data = {**result.to_dict(), **more}
        shown = as_text

        def as_text() -> None:
            shown()
            more_text()
    emit(data, format, as_text)
    if result.git == "failed":
        raise CliError(_("the change was written but not committed: {notes}").format(notes="; ".join(text(n) for n in result.notes)), 1,
                       _("fix what git reports (a pre-commit hook?), then commit the file yourself"))
    return 0


@dataclass(frozen=True)
class _Recording:
    """What every recording command starts from: its caseload, today, the staff member, and how it runs the change."""

    root: Path
    today: Date
    staff: Optional[str]
    dry_run: bool
    no_commit: bool
    format: str
    local_edits: bool
    pairs: list[tuple[str, str]] = field(default_factory=list)   # FIELD VALUE pairs (`set`, `amend`)

    def day(self, given: Optional[str]) -> Date:
        """--date, else today."""
        return parse_date(given, "--date") if given else self.today

    def run(self, plan: Callable[[], Any], *, effect: Optional[Callable[[Any], tuple[Callable[[], None], dict]]] = None) -> int:
        """:func:`_run` with this command's options."""
        return _run(self.root, self.today, plan, dry_run=self.dry_run, no_commit=self.no_commit, format=self.format,
                    effect=effect, local_edits=self.local_edits)


def _recording(ctx: typer.Context, caseload: Optional[Path], today: Optional[str], by: Optional[str], *, dry_run: bool,
               no_commit: bool, format: str, local_edits: bool, field_words: Optional[list[str]] = None) -> _Recording:
    """The shared start of the recording commands, in their order: the format, FIELD VALUE pairs when given,
    the caseload, today, who records."""
    check_format(format, TEXT_JSON)
    pairs = _field_pairs(field_words) if field_words is not None else []
    root = caseload_of(ctx, caseload)
    return _Recording(root, today_of(ctx, today), _staff_id(root, by), dry_run, no_commit, format, local_edits, pairs)


@app.command("log")
def log_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    type: Annotated[Optional[str], typer.Argument(metavar="[TYPE]", show_default=False,
                                                  help="Event type: monthly-review, worksite-monitoring, contact, ... "
                                                       "(with --from-appointment: taken from its kind unless given)")] = None,
    date: DateOpt = None,
    by: ByOpt = None,
    summary: Optional[str] = typer.Option(None, "--summary", metavar="TEXT", help="One line on what happened."),
    from_appointment: Optional[str] = typer.Option(
        None, "--from-appointment", metavar="APPOINTMENT",
        help="Record this planned appointment (its file name in appointments/ without .yaml) as the event: its "
             "date, staff, program and summary unless given; the appointment is marked recorded in the same commit."),
    program: ProgramOpt = None,
    channel: Optional[str] = typer.Option(None, "--channel", metavar="CHANNEL",
                                          help="feedback: in-person, phone, online or suggestion-box."),
    rating: Optional[int] = typer.Option(None, "--rating", metavar="1-5",
                                         help="feedback: 1 very dissatisfied … 5 very satisfied (4 and 5 count as satisfied)."),
    feedback_text: Optional[str] = typer.Option(None, "--text", metavar="TEXT", help="feedback: the person's words."),
    anonymous: bool = typer.Option(False, "--anonymous", help="feedback: given anonymously (the journal names no case)."),
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    include_local_edits: LocalEditsOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Record an event: adds cases/CASE/events/DATE-TYPE.yaml and commits it.

    A `feedback` event takes --channel, --rating, --text and --anonymous (the
    feedback journal: `careerpath report feedback`).

    --from-appointment NAME records a planned appointment (cases/CASE/appointments/NAME.yaml)
    as what happened: an IPP meeting or IPP review becomes an `ipp-meeting` event, an IEP
    meeting an `iep-meeting`, a job interview an `interview`, others a `meeting`.

    The commit message is `CASE: log TYPE DATE` with trailers Case:, Program:,
    Rule: (the obligation the event can satisfy) and Staff:.

    Example:  careerpath log an-nguyen monthly-review --date 2026-11-03 --by jsmith --summary "Reviewed progress"
    """
    rec = _recording(ctx, caseload, today, by, dry_run=dry_run, no_commit=no_commit, format=format,
                     local_edits=include_local_edits)
    day = rec.day(date)
    from ..record import plan_log

    from ..models import FEEDBACK_CHANNELS, RATING_MAX, RATING_MIN

    fields = {k: v for k, v in (("channel", channel), ("rating", rating), ("text", feedback_text),
                                ("anonymous", anonymous or None)) if v is not None}
    if from_appointment is not None:
        if fields:
            raise CliError(_("--channel, --rating, --text and --anonymous describe a `feedback` event"), code=2)
        from ..record import plan_log_appointment

        return rec.run(lambda: plan_log_appointment(
            rec.root, case, from_appointment, event_type=type, day=day if date else None,
            by=rec.staff, summary=summary, program=program))
    if type is None:
        raise CliError(_("say what happened: TYPE, or --from-appointment NAME"), code=2)
    if fields and type != "feedback":
        raise CliError(_("--channel, --rating, --text and --anonymous describe a `feedback` event"), code=2)
    if channel is not None and channel not in FEEDBACK_CHANNELS:
        raise CliError(_("--channel must be one of: {choices}").format(choices=", ".join(FEEDBACK_CHANNELS)), code=2)
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        raise CliError(_("--rating must be a whole number from {low} to {high}").format(low=RATING_MIN, high=RATING_MAX),
                       code=2)
    return rec.run(lambda: plan_log(rec.root, case, type, day, by=rec.staff, summary=summary, program=program,
                                    fields=fields))


@app.command("refer")
def refer_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    referral: Annotated[Optional[str], typer.Argument(metavar="[REFERRAL]", show_default=False,
                                                      help="To close a referral: its file name without .yaml.")] = None,
    to: Optional[str] = typer.Option(None, "--to", metavar="TEXT", help="Who the person is referred to."),
    kind: Optional[str] = typer.Option(None, "--kind", metavar="KIND",
                                       help="dor-application, regional-center, psychological-support, interpreter, "
                                            "benefits-planning or other."),
    reason: Optional[str] = typer.Option(None, "--reason", metavar="TEXT",
                                         help="Why the person is referred (the referral documents print it)."),
    documents: List[str] = typer.Option([], "--documents", metavar="DOC", help="Documents sent (repeat, or comma-separated)."),
    follow_up: Optional[str] = typer.Option(None, "--follow-up", metavar="YYYY-MM-DD", help="When to check back."),
    consent: Optional[str] = typer.Option(None, "--consent", metavar="agreed|declined", help="The person's consent to share."),
    outcome: Optional[str] = typer.Option(None, "--outcome", metavar="TEXT", help="Close REFERRAL with this conclusion."),
    date: DateOpt = None,
    by: ByOpt = None,
    program: ProgramOpt = None,
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    include_local_edits: LocalEditsOpt = False,
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
      careerpath refer an-nguyen --to "WorkAbility benefits" --kind benefits-planning --reason "SSI and work"
      careerpath refer an-nguyen 2026-11-03-other --outcome "Interview scheduled" --date 2026-11-20
    """
    rec = _recording(ctx, caseload, today, by, dry_run=dry_run, no_commit=no_commit, format=format,
                     local_edits=include_local_edits)
    day = rec.day(date)
    from ..record import plan_outcome, plan_refer

    if referral is not None:
        if outcome is None:
            raise CliError(_("closing a referral needs --outcome TEXT"), code=2)
        if to or kind or reason or documents or follow_up or consent:
            raise CliError(_("--to, --kind, --reason, --documents, --follow-up and --consent describe a new referral; "
                             "give them without REFERRAL"), code=2)
        return rec.run(lambda: plan_outcome(rec.root, case, referral, day, outcome=outcome, by=rec.staff))
    if outcome is not None:
        raise CliError(_("--outcome needs the REFERRAL to close (its file name without .yaml)"), code=2)
    if not to or not kind:
        raise CliError(_("a new referral needs --to and --kind"), code=2)
    if consent is not None and consent not in ("agreed", "declined"):
        raise CliError(_("--consent must be agreed or declined"), code=2)
    import typing

    from ..models import Referral

    kinds = typing.get_args(Referral.model_fields["kind"].annotation)  # FORMAT.md's referral kinds
    if kind not in kinds:
        from ..suggest import one

        near = one(kind, kinds)
        raise CliError(_("--kind must be one of: {kinds}").format(kinds=", ".join(kinds)), code=2,
                       hint=_("did you mean `{name}`?").format(name=near) if near else "")
    docs = [d.strip() for item in documents for d in item.split(",") if d.strip()]
    follow = parse_date(follow_up, "--follow-up") if follow_up else None
    return rec.run(lambda: plan_refer(rec.root, case, day, to=to, kind=kind, by=rec.staff, documents=docs,
                                      follow_up=follow, consent=consent, program=program, reason=reason))


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    field: Annotated[str, typer.Argument(metavar="FIELD", help="Dotted path; plan.yaml fields start with `plan.`.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="YYYY-MM-DD, true/false, a number, text, null, or [a, b].")],
    more: Annotated[Optional[List[str]], typer.Argument(metavar="[FIELD VALUE]...", show_default=False,
                                                        help="More fields of the same file, changed in the same commit.")] = None,
    by: ByOpt = None,
    reason: Optional[str] = typer.Option(None, "--reason", metavar="TEXT",
                                         help="Why a key date that already had a value changes (required then); "
                                              "goes into the commit's Reason: trailer."),
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    include_local_edits: LocalEditsOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Change a field of case.yaml or plan.yaml, keeping comments and layout, and commit it.

    FIELD is a dotted path into case.yaml (`enrollments.ca-dor-vr.eligibility.decided`)
    or, starting with `plan.`, into plan.yaml (`plan.goals.0.objectives.1.done`);
    list items are addressed by number from 0, and the next number adds an item
    (a job, a goal) given whole as a flow mapping. An item is also addressed by
    its id (`plan.goals.g1.objectives.g1.o3.done`) or by its employer or name in
    lower case with hyphens (`jobs.sunrise-bakery.end`, `plan.services.discovery.done`). VALUE is read as the field's
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
    rec = _recording(ctx, caseload, today, by, dry_run=dry_run, no_commit=no_commit, format=format,
                     local_edits=include_local_edits, field_words=more or [])
    from ..record import plan_set

    return rec.run(lambda: plan_set(rec.root, case, field, value, by=rec.staff, more=rec.pairs, reason=reason))


@app.command("close")
def close_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    reason: str = typer.Option(..., "--reason", metavar="REASON",
                               help="Why the case closes: employed, ineligible, declined-services, unable-to-locate, "
                                    "moved, deceased, transferred, completed or other (with --note)."),
    note: Optional[str] = typer.Option(None, "--note", metavar="TEXT",
                                       help="What happened, in words: written as closure.note and kept as the audit "
                                            "explanation in the commit's Reason: trailer (required with --reason other, "
                                            "and when a closure date already there changes)."),
    override: Optional[str] = typer.Option(None, "--override", metavar="WHY",
                                           help="Close although a program's condition for the reason does not hold "
                                                "yet (DOR: employed before 90 days in the job), and record why."),
    date: DateOpt = None,
    by: ByOpt = None,
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    include_local_edits: LocalEditsOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Close a case: `status: closed` and `closure: {date, reason}` in case.yaml, then commit.

    The closure ends the case's enrollments: it prints the obligations it ends
    and those that stay open (the review of the final month, the report of the
    final quarter, rules that outlive a closure such as DOR's 12-month
    ineligibility review). Refused when an event or referral is dated after the
    closure date, and when a program's condition for the reason does not hold
    (DOR: `employed` only after 90 days in the job, 34 CFR 361.56) unless
    --override says why. `careerpath audit` flags any later change to a closed case.

    Example:  careerpath close an-nguyen --reason employed --date 2027-02-01
    """
    rec = _recording(ctx, caseload, today, by, dry_run=dry_run, no_commit=no_commit, format=format,
                     local_edits=include_local_edits)
    day = rec.day(date)
    from ..record import plan_close

    return rec.run(lambda: plan_close(rec.root, case, day, reason=reason, by=rec.staff, note=note, override=override),
                   effect=lambda change: _effect(rec.root, change, rec.today))


def _effect(root: Path, change, today) -> tuple[Callable[[], None], dict]:
    """What the closure ends and what stays open: the lines text prints (titles in the CLI's language)
    and the keys JSON adds (``ends``, ``stays_open``: obligations as ``due --format json`` has them)."""
    from ..closing import effect_of_change
    from ..i18n import current, display, display_date

    ended, still = effect_of_change(root, change, today)
    lang = current()

    def line(o) -> str:
        what = o.title_in(lang) + (f" [{o.item}]" if o.item else "")
        return f"  {display('status', o.status):<9} {display_date(o.due)}  {o.rule}  {what}"

    def as_text() -> None:
        print(ngettext("the closure ends {n} obligation:", "the closure ends {n} obligations:", len(ended)).format(
            n=len(ended)) if ended else _("the closure ends no open obligation"))
        for o in ended:
            print(line(o))
        print(ngettext("{n} obligation stays open after the closure:", "{n} obligations stay open after the closure:",
                       len(still)).format(n=len(still)) if still else _("no obligation stays open after the closure"))
        for o in still:
            print(line(o))

    return as_text, {"ends": [o.to_dict() for o in ended], "stays_open": [o.to_dict() for o in still]}


@app.command("attach")
def attach_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The scan or PDF that proves the date.")],
    field: str = typer.Option(..., "--for", metavar="FIELD", help="The key date it proves (enrollments.ca-dor-vr.applied, closure.date, ...)."),
    by: ByOpt = None,
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    include_local_edits: LocalEditsOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Attach the paper behind a key date: copy FILE into cases/CASE/documents/ and record its SHA-256.

    case.yaml gets `evidence: {FIELD: {file: documents/NAME, sha256: ...}}`;
    the copy and case.yaml are committed together. `careerpath validate`
    reports a missing evidence file or one changed since it was attached.

    Example:  careerpath attach an-nguyen 2026-09-01-application-receipt.pdf --for enrollments.ca-dor-vr.applied --by jsmith
    """
    rec = _recording(ctx, caseload, today, by, dry_run=dry_run, no_commit=no_commit, format=format,
                     local_edits=include_local_edits)
    from ..record import plan_attach

    return rec.run(lambda: plan_attach(rec.root, case, file, field, by=rec.staff))


CorrectionReasonOpt = Annotated[Optional[str], typer.Option(
    "--reason", metavar="TEXT", show_default=False,
    help="Why the recording is corrected (required); goes into the commit's Reason: trailer.")]


@app.command("amend")
def amend_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    record: Annotated[str, typer.Argument(metavar="RECORD", help="The event or referral: its file name without "
                                                                 ".yaml (events/NAME or referrals/NAME when both exist).")],
    pairs: Annotated[Optional[List[str]], typer.Argument(metavar="FIELD VALUE...", show_default=False,
                                                         help="The fields to correct and their right values.")] = None,
    reason: CorrectionReasonOpt = None,
    by: ByOpt = None,
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    include_local_edits: LocalEditsOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Correct a recorded event or referral without rewriting history: a new commit that says what it corrects.

    Sets each FIELD of the event's or referral's file to VALUE (as `set` reads
    values), validated first. The commit carries `Corrects: <commit>` (the
    recording it corrects), `Reason:` and `Staff:`; --reason and the staff
    member are required. `careerpath history` shows the correction under what
    it corrects, `careerpath audit` lists every correction.

    \b
    Examples:
      careerpath amend an-nguyen 2026-08-28-monthly-review date 2026-08-29 --reason "the visit was on the 29th" --by jsmith
      careerpath amend an-nguyen referrals/2026-11-03-other follow_up 2026-12-10 --reason "agreed on the phone"
    """
    rec = _recording(ctx, caseload, today, by, dry_run=dry_run, no_commit=no_commit, format=format,
                     local_edits=include_local_edits, field_words=pairs or [])
    from ..record import plan_amend

    return rec.run(lambda: plan_amend(rec.root, case, record, rec.pairs, by=rec.staff, reason=reason))


@app.command("revert")
def revert_cmd(
    ctx: typer.Context,
    commit: Annotated[str, typer.Argument(metavar="COMMIT", help="The recording to undo (a commit id, as `history` shows it).")],
    reason: CorrectionReasonOpt = None,
    by: ByOpt = None,
    no_commit: NoCommitOpt = False,
    dry_run: DryRunOpt = False,
    include_local_edits: LocalEditsOpt = False,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Undo one recording as a new commit: its files go back to what they were before it.

    Like `git revert` of exactly that commit's files, validated first: an event
    or referral it added is removed, a field it changed goes back (kept when a
    later commit changed other lines of the file; refused when the same lines
    changed since). The commit must belong to the current branch and touch one
    case. The new commit carries `Corrects: <commit>`, `Reason:` and `Staff:`;
    --reason and the staff member are required.

    Example:  careerpath revert 3f2a9c1e07 --reason "logged for the wrong person" --by jsmith
    """
    rec = _recording(ctx, caseload, today, by, dry_run=dry_run, no_commit=no_commit, format=format,
                     local_edits=include_local_edits)
    from ..record import plan_revert

    return rec.run(lambda: plan_revert(rec.root, commit, by=rec.staff, reason=reason))
