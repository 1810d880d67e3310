"""``careerpath history`` and ``careerpath audit``: who changed what, when, from git."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, List, Optional

import typer

from ..i18n import _, ngettext
from .common import CaseloadOpt, CliError, FormatOpt, RedactOpt, RedactStaffOpt, app, cache_of, caseload_of, parse_date
from .output import TEXT_JSON, check_format, emit


def _line(text: str) -> None:
    """Print one line of history: a file name, author or subject from the repository cannot start another
    line (a newline in an event's file name faked a `key-date-changed` line) nor act on the terminal."""
    from ..textsafe import escaped

    print(escaped(text, one_line=True))


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value).replace("\n", "\\n")  # one change per line


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _who(author: str, email: str, committer: str, committer_email: str) -> str:
    """The author, and the committer when it is someone else (the machine's identity, a server)."""
    who = f"{author} <{email}>"
    if committer and (committer, committer_email) != (author, email):
        who += " " + _("(committed by {who})").format(who=f"{committer} <{committer_email}>")
    return who


ByFilterOpt = Annotated[Optional[str], typer.Option("--by", metavar="STAFF", show_default=False,
                                                    help="Only the commits of this staff member (their Staff: trailer, "
                                                         "or their email as the author's).")]
def _warn_if_cut(root) -> None:
    """A shallow clone: say the history is cut and since which commit (stderr, so JSON stays as it is)."""
    from ..history import cut

    grafts = _from_git(lambda: cut(root))
    if not grafts:
        return
    since = ", ".join(f"{sha[:10]} ({when[:10] or '?'})" for sha, when in grafts)
    print("careerpath: " + _("warning: the history is cut: this clone is shallow and starts at commit {commits}; "
                             "what was done before shows as done in that commit").format(commits=since),
          file=sys.stderr)
    print("  " + _("hint: {hint}").format(hint=_("`git fetch --unshallow` fetches the whole history")), file=sys.stderr)


def _from_git(call: Any) -> Any:
    """Run a history or audit call, turning git's and history's errors into CLI messages."""
    from ..gitio import GitError
    from ..history import HistoryError

    try:
        return call()
    except HistoryError as e:
        raise CliError(e.message, 1, e.hint) from None
    except GitError as e:
        raise CliError(e.message) from None


@app.command("history")
def history_cmd(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    field: Annotated[Optional[str], typer.Argument(metavar="[FIELD]", show_default=False,
                                                   help="Only commits that changed this field (or fields under it).")] = None,
    by: ByFilterOpt = None,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
) -> int:
    """The case's life from git: each commit, newest first, with its field-level changes.

    For each commit: date, author, subject, and for each YAML file the fields
    that changed (`enrollments.ca-dor-vr.applied: 2026-09-01 → 2026-08-28`).
    With FIELD, only the commits that changed it: who set a date, and who
    changed it since. Follows renames of the case folder. The output holds the
    case's own data; it is meant for the staff who may see the case.

    \b
    Examples:
      careerpath history an-nguyen
      careerpath history an-nguyen enrollments.ca-dor-vr.applied --format json
    """
    check_format(format, TEXT_JSON)
    from ..ids import is_case_id

    if not is_case_id(case):  # it becomes a path: cases/<case>/
        raise CliError(_("CASE must be a case id: 1-64 characters of a-z 0-9 - _"), code=2)
    root = caseload_of(ctx, caseload)
    from ..history import history

    entries = _from_git(lambda: history(root, case, field, by=by))
    if not entries and not (root / "cases" / case).is_dir():  # neither here now nor in the history
        from .filters import require

        require("CASE", [case], _case_folders(root))
    _warn_if_cut(root)
    from .redaction import redact_history, redacted_stdout, redactor_for

    red = redactor_for(root, redact, redact_staff, cache=cache_of(ctx))
    if red is not None:
        case = red.placeholder("case_id", case)
    entries = redact_history(red, entries)
    with redacted_stdout(red):
        return _print_history(entries, case, field, format)


def _print_history(entries: list, case: str, field: Optional[str], format: str) -> int:
    if format == "json":
        emit([e.to_dict() for e in entries], format)
        return 0
    if not entries:
        print(_("no commits touch case {case} field {field}").format(case=case, field=field) if field
              else _("no commits touch case {case}").format(case=case), file=sys.stderr)
        return 0
    for e in entries:
        _line(f"{_when(e.date)}  {e.commit[:10]}  {_who(e.author, e.email, e.committer, e.committer_email)}  {e.subject}")
        for reason in e.trailers.get("Reason", []):
            _line("    " + _("reason: {text}").format(text=reason))
        for late in e.trailers.get("Late-entry", []):
            _line("    " + _("late entry: {days}").format(days=late))
        for f in e.files:
            moved = " " + _("(from {path})").format(path=f.old_path) if f.old_path else ""
            if f.status in ("added", "deleted", "renamed") or not f.fields:
                _line(f"    {f.status} {f.path}{moved}"
                      + (" " + _("(a version is not valid YAML; fields not compared)") if f.unreadable else ""))
            if f.status == "added" and f.path.endswith(("/case.yaml", "/plan.yaml")) and not field:
                _line("        " + _("({n} fields; `careerpath history {case} FIELD` shows one)").format(n=len(f.fields), case=case))
                continue
            for c in f.fields:
                _line(f"        {c.field}: {_show(c.old)} → {_show(c.new)}")
    return 0


def _case_folders(root: Path) -> list[str]:
    """The case ids of the folders under cases/ now."""
    try:
        return sorted(p.name for p in (root / "cases").iterdir() if p.is_dir())
    except OSError:
        return []


@app.command("audit")
def audit_cmd(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", metavar="YYYY-MM-DD", help="Only findings from commits on or after this date."),
    by: ByFilterOpt = None,
    case: Optional[List[str]] = typer.Option(None, "--case", metavar="ID", help="Only findings about this case. Repeatable."),
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
) -> int:
    """Audit the caseload's git history: key dates changed after they were set, and changes to closed cases.

    \b
    Findings:
      key-date-changed       ca-dor-vr applied, eligibility.decided, ipe.signed,
                             closure.date, or an event's or referral's date changed
                             (or removed) after it was first set
      changed-after-closure  a commit touched a case after the commit that closed it
      record-deleted         an event or referral file was deleted
      late-entry             a recording dated long before the day it was made

    Each names the commit, its date and author. Exit 0 when there are no
    findings, 1 when there are (so cron or CI can alert), 2 on usage errors.

    Example:  careerpath audit --since 2026-01-01 --format json
    """
    check_format(format, TEXT_JSON)
    root = caseload_of(ctx, caseload)
    day = parse_date(since, "--since") if since else None
    from ..history import audit

    findings = _from_git(lambda: audit(root, day, by=by))
    _warn_if_cut(root)
    if case:  # a case deleted since still has its findings
        from .filters import require

        require("--case", case, set(_case_folders(root)) | {f.case for f in findings})
        findings = [f for f in findings if f.case in case]
    from .redaction import redacted_stdout, redactor_for

    red = redactor_for(root, redact, redact_staff, cache=cache_of(ctx))
    with redacted_stdout(red):
        return _print_audit(findings, format)


def _print_audit(findings: list, format: str) -> int:
    if format == "json":
        emit([f.to_dict() for f in findings], format)
        return 1 if findings else 0
    for f in findings:
        head = f"{_when(f.date)}  {f.commit[:10]}  {_who(f.author, f.email, f.committer, f.committer_email)}  {f.case}  {f.code}"
        if f.code == "key-date-changed":
            first = f.first
            since = (" " + _("(first set to {value} on {date} by {author} in {commit})").format(
                value=_show(first.get("value")), date=first.get("date", "?")[:10], author=first.get("author", "?"),
                commit=first.get("commit", "?")[:10])) if first else ""
            _line(f"{head}: {f.field} {_show(f.old)} → {_show(f.new)}{since}")
            _line("    " + (_("reason: {text}").format(text=f.reason) if f.reason else _("no reason given")))
        elif f.code == "late-entry":
            _line(f"{head}: " + ngettext("{files} entered {n} day after its date", "{files} entered {n} days after its date",
                                         f.late_days or 0).format(files=", ".join(f.files), n=f.late_days if f.late_days is not None else "?"))
            for c in f.cleared:
                _line("    " + _("made an overdue obligation done: {what}").format(what=c))
        elif f.code == "evidence-changed":
            _line(f"{head}: " + _("{files}, the evidence of {field}, changed after it was attached").format(
                files=", ".join(f.files), field=f.field))
        elif f.code == "evidence-not-updated":
            _line(f"{head}: " + _("{field} changed ({old} → {new}) but its evidence did not").format(
                field=f.field, old=_show(f.old), new=_show(f.new)))
        elif f.code == "record-deleted":
            _line(f"{head}: " + _("{files} (dated {date}) was deleted").format(files=", ".join(f.files), date=_show(f.old)))
        else:
            closed = f.closed or {}
            _line(f"{head}: " + _("{files} changed after the case was closed on {date} by {author} in {commit}").format(
                files=", ".join(f.files), date=closed.get("date", "?")[:10], author=closed.get("author", "?"),
                commit=closed.get("commit", "?")[:10]))
    n = len(findings)
    print(ngettext("{n} finding", "{n} findings", n).format(n=n) if n else _("no findings"), file=sys.stderr)
    return 1 if findings else 0
