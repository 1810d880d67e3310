"""``careerpath history`` and ``careerpath audit``: who changed what, when, from git."""

from __future__ import annotations

import os
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
        if e.corrects:
            _line("    " + _("corrects {commit}").format(commit=e.corrects[:10]))
        for reason in e.trailers.get("Reason", []):
            _line("    " + _("reason: {text}").format(text=reason))
        for c in e.corrected_by:
            _line("    " + _("corrected by {commit} on {date} by {author}: {reason}").format(
                commit=c["commit"][:10], date=c["date"][:10], author=c["author"], reason=c["reason"] or _("no reason given")))
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


audit_app = typer.Typer(rich_markup_mode=None)
app.add_typer(audit_app, name="audit")

VerifyOpt = Annotated[bool, typer.Option(
    "--verify", help="Also check every commit's SSH signature with git against the allowed signers (from "
                     "careerpath.yaml's staff signing_key, or --allowed-signers, or git's gpg.ssh.allowedSignersFile).")]
AllowedSignersOpt = Annotated[Optional[Path], typer.Option(
    "--allowed-signers", metavar="FILE", show_default=False,
    help="The allowed signers file to verify against (git's format), instead of the one derived from careerpath.yaml.")]
SinceOpt = Annotated[Optional[str], typer.Option("--since", metavar="YYYY-MM-DD", show_default=False,
                                                 help="Only commits on or after this date.")]
UntilOpt = Annotated[Optional[str], typer.Option("--until", metavar="YYYY-MM-DD", show_default=False,
                                                 help="Only commits on or before this date.")]
AuditCaseOpt = Annotated[Optional[List[str]], typer.Option("--case", metavar="ID", show_default=False,
                                                           help="Only this case. Repeatable.")]


@audit_app.callback(invoke_without_command=True)
def audit_cmd(
    ctx: typer.Context,
    since: SinceOpt = None,
    until: UntilOpt = None,
    by: ByFilterOpt = None,
    case: AuditCaseOpt = None,
    verify: VerifyOpt = False,
    allowed_signers: AllowedSignersOpt = None,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
) -> int:
    """Audit the caseload's git history: who changed what, when and why, and what an auditor should look at.

    \b
    Findings:
      key-date-changed       a key date (each program marks its own; closure.date)
                             or an event's or referral's date changed (or removed)
                             after it was first set
      changed-after-closure  a commit touched a case after the commit that closed it
      record-deleted         an event or referral file was deleted
      late-entry             a recording dated long before the day it was made
                             (marked by careerpath, or read from a hand commit's diff)
      evidence-changed       an evidence file changed after it was attached
      evidence-not-updated   a key date changed but its evidence did not
      correction             an `amend` or `revert`: what it corrects and why
      clock-set-back         a commit dated before its parent, or entering a date
                             after the day it was committed
      unsigned, bad-signature, unknown-signer, signer-not-author
                             with --verify: a commit's SSH signature

    Each names the commit, its date and author. Exit 0 when there are no
    findings, 1 when there are (so cron or CI can alert), 2 on usage errors.
    `careerpath audit export` writes the same for an auditor's visit.

    \b
    Examples:
      careerpath audit --since 2026-01-01 --format json
      careerpath audit --verify
    """
    if ctx.invoked_subcommand is not None:
        return 0
    check_format(format, TEXT_JSON)
    root = caseload_of(ctx, caseload)
    day = parse_date(since, "--since") if since else None
    last = parse_date(until, "--until") if until else None
    signers = _allowed_signers(root, verify, allowed_signers)
    from ..history import audit

    try:
        findings = _from_git(lambda: audit(root, day, by=by, allowed_signers=signers, until=last))
    finally:
        _drop_signers(signers, allowed_signers)
    _warn_if_cut(root)
    if case:  # a case deleted since still has its findings
        from .filters import require

        require("--case", case, set(_case_folders(root)) | {f.case for f in findings})
        findings = [f for f in findings if f.case in case]
    from .redaction import redacted_stdout, redactor_for

    red = redactor_for(root, redact, redact_staff, cache=cache_of(ctx))
    with redacted_stdout(red):
        return _print_audit(findings, format)


def _allowed_signers(root: Path, verify: bool, given: Optional[Path]) -> Optional[Path]:
    """The allowed signers file ``--verify`` checks against: --allowed-signers, else git's
    gpg.ssh.allowedSignersFile, else one derived from careerpath.yaml (a temporary file); None without --verify."""
    if given is not None and not verify:
        raise CliError(_("--allowed-signers goes with --verify"), code=2)
    if not verify:
        return None
    if given is not None:
        if not given.is_file():
            raise CliError(_("--allowed-signers: {path} is not a readable file").format(path=given), code=2)
        return given
    from .. import gitio

    configured = gitio.config(root, "gpg.ssh.allowedSignersFile")
    if configured:
        path = Path(os.path.expanduser(configured))
        if not path.is_absolute():
            path = Path(root) / path
        if not path.is_file():
            raise CliError(_("git's gpg.ssh.allowedSignersFile names {path}, which is not a readable file").format(
                path=configured), code=2)
        return path
    from ..loader import CONFIG_FILE, validate_data
    from ..programs import load_programs
    from ..signing import allowed_signers
    from ..yamlfile import read_file

    doc, _diags = validate_data(CONFIG_FILE, "careerpath", read_file(root / CONFIG_FILE, CONFIG_FILE), load_programs(root))
    text = allowed_signers(doc.model.staff) if doc.model is not None else ""
    if not text:
        raise CliError(_("--verify needs the staff's public keys: add `signing_key` to each staff member in "
                         "careerpath.yaml, or name a file with --allowed-signers"), code=2)
    import tempfile

    handle, name = tempfile.mkstemp(prefix="careerpath-allowed-signers-")
    with os.fdopen(handle, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(name)


def _drop_signers(path: Optional[Path], given: Optional[Path]) -> None:
    """Remove the derived allowed signers file (never one the user or git config named)."""
    if path is None or path == given or not path.name.startswith("careerpath-allowed-signers-"):
        return
    try:
        path.unlink()
    except OSError:
        pass


@audit_app.command("export")
def audit_export_cmd(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="json, csv or html.")] = "json",
    since: SinceOpt = None,
    until: UntilOpt = None,
    case: AuditCaseOpt = None,
    verify: VerifyOpt = False,
    allowed_signers: AllowedSignersOpt = None,
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="Write to FILE (atomically; a regular file only) instead of standard "
                                              "output; - is standard output."),
    caseload: CaseloadOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
) -> int:
    """The audit trail for an auditor's visit: per case, the timeline of its key dates and its findings.

    For each case: every time a key date was set or changed and every time its
    evidence was attached, with the commit, the person (author, committer,
    Staff:), the reason and the evidence's SHA-256; then the findings of
    `careerpath audit` about the case. json, csv (one row per item and per
    finding) or html (one self-contained page). The same history and options
    give the same bytes. Exit 0 (findings are in the export, not the exit code).

    \b
    Examples:
      careerpath audit export --format html --since 2026-01-01 --until 2026-12-31 -o audit.html
      careerpath audit export --format csv --case an-nguyen --redact
    """
    check_format(format, ("json", "csv", "html"))
    from .common import output_of

    target = output_of(output, "--output")
    root = caseload_of(ctx, caseload)
    day = parse_date(since, "--since") if since else None
    last = parse_date(until, "--until") if until else None
    signers = _allowed_signers(root, verify, allowed_signers)
    if case:
        from .filters import require
        from ..history import audit

        known = set(_case_folders(root))
        if not set(case) <= known:  # a case deleted since is known to its history
            known |= {f.case for f in _from_git(lambda: audit(root))}
        require("--case", case, known)
    from ..auditexport import COLUMNS, as_html, export, redacted, rows

    try:
        data = _from_git(lambda: export(root, since=day, until=last, cases=case, allowed_signers=signers))
    finally:
        _drop_signers(signers, allowed_signers)
    _warn_if_cut(root)
    from .redaction import redactor_for

    red = redactor_for(root, redact, redact_staff, cache=cache_of(ctx))
    if red is not None:
        data = redacted(data, red.text)
    from .output import csv_text, json_text, write

    if format == "json":
        content = json_text(data)
    elif format == "csv":
        content = csv_text(rows(data), COLUMNS)
    else:
        from ..i18n import current

        content = as_html(data, _export_words(), current())
    write(content, target)
    return 0


def _export_words() -> dict[str, str]:
    """The HTML export's headings and column names, in the CLI's language."""
    return {"title": _("Audit trail"), "range": _("Commits"), "verified": _("Signatures were verified."),
            "not_verified": _("Signatures were not verified (--verify)."), "timeline": _("Key dates"),
            "findings": _("Findings"), "none": _("none"), "case": _("Case"), "field": _("Field"), "old": _("Before"),
            "new": _("After"), "date": _("Date"), "commit": _("Commit"), "author": _("Author"),
            "committer": _("Committer"), "staff": _("Staff"), "reason": _("Reason"), "evidence": _("evidence"),
            "code": _("Finding"), "files": _("Files"), "detail": _("Detail")}


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
            if f.marked is False:
                _line(f"{head}: " + ngettext("{files} entered {n} day after its date, by a commit careerpath did not make "
                                             "(read from its diff)",
                                             "{files} entered {n} days after its date, by a commit careerpath did not "
                                             "make (read from its diff)", f.late_days or 0).format(
                    files=", ".join(f.files), n=f.late_days))
                continue
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
        elif f.code == "correction":
            c = f.corrects or {}
            _line(f"{head}: " + _("corrects {commit} ({subject}) of {date} by {author}").format(
                commit=(c.get("commit") or "?")[:10], subject=c.get("subject") or "?", date=(c.get("date") or "?")[:10],
                author=c.get("author") or "?"))
            _line("    " + (_("reason: {text}").format(text=f.reason) if f.reason else _("no reason given")))
        elif f.code == "clock-set-back":
            c = f.clock or {}
            if "parent" in c:
                _line(f"{head}: " + _("committed at {date}, before its parent {commit} ({parent_date})").format(
                    date=c.get("date"), commit=str(c.get("parent"))[:10], parent_date=c.get("parent_date")))
            else:
                _line(f"{head}: " + _("{file} enters {date}, after the day it was committed ({day})").format(
                    file=c.get("record"), date=c.get("record_date"), day=c.get("commit_date")))
        elif f.code in ("unsigned", "bad-signature", "unknown-signer", "signer-not-author"):
            sig = f.signature or {}
            words = {"unsigned": _("the commit is not signed"),
                     "bad-signature": _("the signature does not verify (status {status})").format(status=sig.get("status")),
                     "unknown-signer": _("signed with a key that is not an allowed signer ({key})").format(key=sig.get("key")),
                     "signer-not-author": _("signed by {principal}, not by the author").format(principal=sig.get("principal"))}
            _line(f"{head}: {words[f.code]} ({', '.join(f.files)})")
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
