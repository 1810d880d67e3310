"""A case's life from git, and the audit findings a state auditor looks for.

:func:`history` lists the commits that touched a case folder, newest first,
each with the field-level changes of its YAML files: both versions of each
file are read from git (one ``git cat-file --batch`` process), parsed with
:mod:`careerpath.yamlfile` (safe, dates as text) and compared as flattened
dotted paths. It follows renames of the case folder (``git log --follow`` on
``case.yaml`` finds the old folder names).

:func:`audit` walks the whole caseload's history oldest first and reports
key dates changed after they were first set (the fields each program marks
``key_date: true`` in its program.yaml, and the closure) with who, when and
why (the ``Reason:`` trailer), any commit touching a case after the commit
that closed it, and the late entries the recording commands marked
(``Late-entry:``, with the overdue obligations they made done, ``Cleared:``).

Who: each entry and finding names the commit's author (the staff member who
recorded it) and, separately, its committer (the machine's git identity);
``by`` keeps the commits of one staff member (their ``Staff:`` trailer, or
their email from careerpath.yaml as the author's).

Field addresses match ``careerpath set``: case.yaml fields as they are
(``enrollments.<program>.<field>``), plan.yaml fields under ``plan.``, events
and referrals as ``events/<file stem>.<field>``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field as dc_field
from datetime import date
from pathlib import Path
from typing import Any, Optional

from . import gitio
from .i18n.messages import Message
from .yamlfile import read_bytes

from .ids import CASE_ID as _CASE_ID

#: Key dates no program owns; each program marks its own (``key_date: true`` in its program.yaml).
CORE_KEY_DATES = ("closure.date",)


def key_dates(programs: Any) -> frozenset[str]:
    """Every key date's address in case.yaml: the core ones and those the programs mark."""
    return frozenset(CORE_KEY_DATES) | {f"enrollments.{p.id}.{path}" for p in programs for path in p.key_dates}


class HistoryError(Exception):
    """History cannot be read (no git, not a repository)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass
class FieldChange:
    field: str
    old: Any          # None when absent or null
    new: Any


@dataclass
class FileChange:
    status: str       # added | modified | deleted | renamed
    path: str         # caseload-relative, after the commit (before it, when deleted)
    old_path: Optional[str]
    fields: list[FieldChange] = dc_field(default_factory=list)
    unreadable: bool = False   # a version could not be parsed; its fields are not compared


@dataclass
class Entry:
    commit: str
    date: str         # author date, ISO 8601
    author: str
    email: str
    subject: str
    trailers: dict[str, list[str]]
    files: list[FileChange]
    committer: str = ""
    committer_email: str = ""
    corrects: Optional[str] = None     # the commit this one corrects (its ``Corrects:`` trailer)
    corrected_by: list[dict] = dc_field(default_factory=list)   # {commit, date, author, subject, reason} of each correction

    def to_dict(self) -> dict:
        return asdict(self)


def _correction_of(e: Any) -> dict:
    reason = e.trailers.get("Reason")
    return {"commit": e.sha if hasattr(e, "sha") else e.commit, "date": e.date, "author": e.author,
            "subject": e.subject, "reason": reason[-1] if reason else None}


def link_corrections(entries: list[Entry]) -> None:
    """Fill ``corrects`` and ``corrected_by``: each correction named under the commit it corrects."""
    by_sha = {e.commit: e for e in entries}
    for e in entries:
        named = e.trailers.get("Corrects")
        if not named:
            continue
        e.corrects = named[-1]
        target = by_sha.get(named[-1])
        if target is not None:
            target.corrected_by.append(_correction_of(e))


# ---------------------------------------------------------------- flattening and diffs

def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted path -> leaf value. Lists of mappings are indexed; lists of plain values are one leaf."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(data, list) and any(isinstance(v, (dict, list)) for v in data):
        for i, v in enumerate(data):
            out.update(flatten(v, f"{prefix}.{i}" if prefix else str(i)))
    elif prefix:
        out[prefix] = data
    return out


def diff_fields(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Changed leaves, in the order of the new file then the removed ones; null and absent are the same."""
    changes = []
    for key in list(new) + [k for k in old if k not in new]:
        a, b = old.get(key), new.get(key)
        if a != b or type(a) is not type(b):
            changes.append(FieldChange(key, a, b))
    return changes


def _address_prefix(rel_in_case: str) -> Optional[str]:
    """How fields of a file inside the case folder are addressed ('' for case.yaml; None: not YAML)."""
    if rel_in_case == "case.yaml":
        return ""
    if rel_in_case == "plan.yaml":
        return "plan"
    if rel_in_case.endswith(".yaml") and rel_in_case.count("/") == 1:
        return rel_in_case[:-5]
    return None


def _parse(blob: Optional[bytes], name: str) -> Optional[dict[str, Any]]:
    """Flattened fields of one version; {} when absent, None when it cannot be parsed."""
    if blob is None:
        return {}
    parsed = read_bytes(blob, name)
    return flatten(parsed.data) if isinstance(parsed.data, dict) else None


def _case_part(path: str, prefix: str) -> Optional[tuple[str, str]]:
    """(case folder name, path inside it) for a top-level-relative path under <prefix>cases/."""
    if not path.startswith(prefix + "cases/"):
        return None
    rest = path[len(prefix) + len("cases/"):]
    if "/" not in rest:
        return None
    folder, inner = rest.split("/", 1)
    return folder, inner


def _qualify(address: str, key: str) -> str:
    return f"{address}.{key}" if address else key


def _file_changes(entry: gitio.LogEntry, blobs: gitio.BlobReader, prefix: str, folders: Optional[set[str]]) -> list[FileChange]:
    out = []
    for status, old, new in entry.changes:
        path = new or old
        assert path is not None
        part = _case_part(path, prefix)
        if part is None or (folders is not None and part[0] not in folders and
                            (old is None or (_case_part(old, prefix) or ("",))[0] not in folders)):
            continue
        word = {"A": "added", "D": "deleted", "R": "renamed", "C": "added"}.get(status, "modified")
        fc = FileChange(word, path[len(prefix):], old[len(prefix):] if (old and status == "R") else None)
        address = _address_prefix(part[1])
        if address is not None:
            before = blobs.read(f"{entry.parents[0]}:{old}") if (old and entry.parents and status != "A") else None
            after = blobs.read(f"{entry.sha}:{new}") if new else None
            old_fields, new_fields = _parse(before, path), _parse(after, path)
            if old_fields is None or new_fields is None:
                fc.unreadable = True  # a hand edit with a YAML error: comparing would report every field
            else:
                fc.fields = [FieldChange(_qualify(address, c.field), c.old, c.new)
                             for c in diff_fields(old_fields, new_fields)]
        out.append(fc)
    return out


def _work_tree(root: Path) -> str:
    if not gitio.available():
        raise HistoryError(Message("git is not installed; history comes from git"))
    if gitio.toplevel(root) is None:
        raise HistoryError(Message("the caseload is not in a git repository; history comes from git"),
                           Message("commit the caseload to git (careerpath init sets one up)"))
    return gitio.show_prefix(root)


def cut(root: Path) -> list[tuple[str, str]]:
    """Where a shallow clone's history starts: ``(commit, author date)`` of each graft commit; [] when whole.

    ``git clone --depth N`` keeps no parents of its oldest commits: git shows
    them as made from nothing, so every field they hold would seem to be set
    there. ``history`` and ``audit`` say so instead of attributing silently.
    """
    shas = gitio.shallow(root)
    out = []
    for sha in shas:
        proc = gitio.run(["show", "-s", "--format=%aI", sha], root, check=False)
        out.append((sha, proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""))
    return out


def case_folders(root: Path, case_id: str) -> list[str]:
    """Every folder name the case has had (its id now first), found with ``git log --follow`` on case.yaml."""
    prefix = _work_tree(root)
    names = [case_id]
    for entry in gitio.log(root, [f"cases/{case_id}/case.yaml"], follow=True):
        for _status, old, new in entry.changes:
            for p in (old, new):
                part = _case_part(p, prefix) if p else None
                if part and part[1] == "case.yaml" and part[0] not in names:
                    names.append(part[0])
    return names


def history(root: Path, case_id: str, field_filter: Optional[str] = None, by: Optional[str] = None) -> list[Entry]:
    """The commits that touched the case, newest first, with field-level changes.

    With ``field_filter`` (a field address or a prefix of one, e.g.
    ``enrollments.<program>``), only the commits that changed it, and only
    those field changes. With ``by`` (a staff id), only that person's commits
    (see :func:`by_staff`).
    """
    root = Path(root)
    if not _CASE_ID.match(case_id):
        raise HistoryError(Message("CASE must be a case id: 1-64 characters of a-z 0-9 - _"))
    prefix = _work_tree(root)
    folders = case_folders(root, case_id)
    log = gitio.log(root, [f"cases/{name}/" for name in folders])
    if by:
        mine = by_staff(root, by)
        log = [e for e in log if mine(e.trailers, e.email)]
    out = []
    with gitio.BlobReader(root) as blobs:
        for e in log:
            files = _file_changes(e, blobs, prefix, set(folders))
            if field_filter:
                for fc in files:
                    fc.fields = [c for c in fc.fields if c.field == field_filter or c.field.startswith(field_filter + ".")]
                files = [fc for fc in files if fc.fields]
                if not files:
                    continue
            out.append(Entry(e.sha, e.date, e.author, e.email, e.subject, e.trailers, files, e.committer, e.committer_email))
    link_corrections(out)
    return out


def _staff_emails(root: Path, staff_id: str) -> set[str]:
    """The emails a staff member's commits may carry: theirs in careerpath.yaml and ``<id>@careerpath.invalid``."""
    from .yamlfile import read_file

    emails = {f"{staff_id}@{gitio.FALLBACK_DOMAIN}".lower()}
    parsed = read_file(root / "careerpath.yaml", "careerpath.yaml")
    staff = parsed.data.get("staff") if isinstance(parsed.data, dict) else None
    for s in staff if isinstance(staff, list) else []:
        if isinstance(s, dict) and s.get("id") == staff_id and isinstance(s.get("email"), str):
            emails.add(s["email"].strip().lower())
    return emails


def by_staff(root: Path, staff_id: str) -> Any:
    """A test for commits of one staff member: their ``Staff:`` trailer, or (no trailer) their email as the author's."""
    emails = _staff_emails(Path(root), staff_id)

    def matches(trailers: dict[str, list[str]], email: str) -> bool:
        named = trailers.get("Staff")
        return staff_id in named if named else email.strip().lower() in emails
    return matches


# ---------------------------------------------------------------- audit

@dataclass
class Finding:
    code: str          # key-date-changed | changed-after-closure | record-deleted | late-entry | evidence-*
    case: str
    commit: str
    date: str
    author: str
    email: str
    subject: str
    field: Optional[str] = None
    old: Any = None
    new: Any = None
    files: list[str] = dc_field(default_factory=list)
    first: Optional[dict] = None   # key-date-changed: {commit, date, author, value} of the first setting
    closed: Optional[dict] = None  # changed-after-closure: {commit, date, author} of the closing commit
    committer: str = ""
    committer_email: str = ""
    staff: Optional[str] = None    # the Staff: trailer
    reason: Optional[str] = None   # the Reason: trailer (why a key date changed)
    late_days: Optional[int] = None   # late-entry: days between the entry's date and its recording
    cleared: list[str] = dc_field(default_factory=list)   # late-entry: the overdue obligations it made done
    marked: Optional[bool] = None  # late-entry: True when the commit said so (Late-entry:), False when read from its diff
    corrects: Optional[dict] = None   # correction: {commit, date, author, subject} of the commit it corrects
    clock: Optional[dict] = None      # clock-set-back: {parent, parent_date, date} or {record, record_date, commit_date}
    signature: Optional[dict] = None  # unsigned | bad-signature | unknown-signer | signer-not-author: {status, principal, key}

    def to_dict(self) -> dict:
        return asdict(self)


def _finding(code: str, case: str, e: gitio.LogEntry, **kw: Any) -> Finding:
    """A finding about commit ``e``: who authored it, who committed it, which staff member and why."""
    staff = e.trailers.get("Staff")
    reason = e.trailers.get("Reason")
    return Finding(code, case, e.sha, e.date, e.author, e.email, e.subject, committer=e.committer,
                   committer_email=e.committer_email, staff=staff[-1] if staff else None,
                   reason=reason[-1] if reason else None, **kw)


def _late_entry(e: gitio.LogEntry, case: str, files: list[str]) -> Optional[Finding]:
    """The late entry a recording command marked in its commit (``Late-entry: N days``, ``Cleared: …``)."""
    late = e.trailers.get("Late-entry")
    if not late:
        return None
    try:
        days: Optional[int] = int(late[-1].split()[0])
    except (ValueError, IndexError):
        days = None
    return _finding("late-entry", case, e, files=sorted(files), late_days=days, cleared=list(e.trailers.get("Cleared", [])),
                    marked=True)


def _evidence_changed(e: gitio.LogEntry, case: str, touched: list[str], prev: dict[str, Any],
                      now: Optional[dict[str, Any]]) -> list[Finding]:
    """Evidence files (``evidence.<field>.file`` of the case as it was) this commit changed or deleted,
    unless the same commit attached them again (a new ``sha256``)."""
    out = []
    for path in touched:
        parts = path.split("/", 2)
        if len(parts) < 3 or not parts[2].startswith("documents/"):
            continue
        for key, value in prev.items():
            if key.startswith("evidence.") and key.endswith(".file") and value == parts[2]:
                field = key[len("evidence."):-len(".file")]
                sha = f"evidence.{field}.sha256"
                if now is not None and now.get(sha) != prev.get(sha):
                    continue  # attached again
                out.append(_finding("evidence-changed", case, e, field=field, files=[path]))
    return out


def _record_finding(e: gitio.LogEntry, blobs: gitio.BlobReader, prefix: str, case: str, status: str,
                    old: str, new: Optional[str]) -> list[Finding]:
    """An event or referral deleted, or its ``date`` changed (back- or forward-dating)."""
    before = _parse(blobs.read(f"{e.parents[0]}:{old}"), old) or {}
    if status == "D":
        return [_finding("record-deleted", case, e, field=None, old=before.get("date"), files=[old[len(prefix):]])]
    after = _parse(blobs.read(f"{e.sha}:{new}"), new or old)
    if after is None or not before or before.get("date") == after.get("date"):
        return []
    inner = (new or old)[len(prefix):].split("/", 2)[2]
    return [_finding("key-date-changed", case, e, field=f"{inner[:-5] if inner.endswith('.yaml') else inner}.date",
                     old=before.get("date"), new=after.get("date"), files=[(new or old)[len(prefix):]])]


def _stamp(e: gitio.LogEntry) -> dict:
    return {"commit": e.sha, "date": e.date, "author": e.author}


def _late_entry_days(root: Path) -> int:
    """``settings.late_entry_days`` of careerpath.yaml as it is now (default 7)."""
    from .yamlfile import read_file

    parsed = read_file(root / "careerpath.yaml", "careerpath.yaml")
    settings = parsed.data.get("settings") if isinstance(parsed.data, dict) else None
    value = settings.get("late_entry_days") if isinstance(settings, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 7


def _day(value: Any) -> Optional[date]:
    text = value.isoformat() if isinstance(value, date) else value
    if not isinstance(text, str) or len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _entered_dates(e: gitio.LogEntry, blobs: gitio.BlobReader, status: str, old: Optional[str],
                   new: str) -> list[tuple[str, date]]:
    """(field, date) of the dates a commit enters into an event or referral: ``date`` of a new one, and any
    date field (``outcome.date``, ``follow_up``) whose value changed."""
    after = _parse(blobs.read(f"{e.sha}:{new}"), new)
    before = _parse(blobs.read(f"{e.parents[0]}:{old}"), old) if (old and e.parents and status != "A") else {}
    if not after:
        return []
    out = []
    for key, value in after.items():
        if (before or {}).get(key) != value and (key == "date" or key.endswith(".date")):
            d = _day(value)
            if d is not None:
                out.append((key, d))
    return out


_SIGNATURE_FINDINGS = {"N": "unsigned", "B": "bad-signature", "X": "bad-signature", "Y": "bad-signature",
                       "R": "bad-signature", "U": "unknown-signer", "E": "unknown-signer"}


def _signature_finding(e: gitio.LogEntry, case: str, files: list[str], sig: Optional[gitio.Signature]) -> Optional[Finding]:
    """What a commit's signature says, when it is not a good one by the commit's author."""
    sig = sig or gitio.Signature("N", "", "")
    code = _SIGNATURE_FINDINGS.get(sig.status)
    if code is None and sig.status == "G" and sig.principal.strip().lower() != e.email.strip().lower():
        code = "signer-not-author"
    if code is None:
        return None
    return _finding(code, case, e, files=sorted(files),
                    signature={"status": sig.status, "principal": sig.principal or None, "key": sig.key or None})


def _timeline_item(e: gitio.LogEntry, case: str, c: FieldChange, fields: dict[str, Any], evidence: bool = False) -> dict:
    """One step of a key date's life for the audit export: its value set or changed (``kind: date``) or its
    evidence attached (``kind: evidence``, old and new are SHA-256), who did it, when, why, and the evidence then."""
    field = c.field[len("evidence."):-len(".sha256")] if evidence else c.field
    staff, reason = e.trailers.get("Staff"), e.trailers.get("Reason")
    proof = ({"file": fields.get(f"evidence.{field}.file"), "sha256": fields.get(f"evidence.{field}.sha256")}
             if fields.get(f"evidence.{field}.file") is not None else None)
    return {"case": case, "kind": "evidence" if evidence else "date", "field": field, "old": c.old, "new": c.new,
            "commit": e.sha, "date": e.date,
            "author": e.author, "email": e.email, "committer": e.committer, "committer_email": e.committer_email,
            "staff": staff[-1] if staff else None, "reason": reason[-1] if reason else None, "evidence": proof}


def _unmarked_late_entries(e: gitio.LogEntry, case: str, entered: list[tuple[str, str, date]],
                           limit: int) -> list[Finding]:
    """Late entries a commit careerpath did not make (no ``Case:`` trailer, so no ``Late-entry:`` either)
    enters: a date more than ``limit`` days before the day it was committed, read from the diff.

    Not a late entry: what the repository's first commit holds (it imports the caseload as it was), and the
    events of a case folder added whole (its case.yaml added by the same commit: a case brought in with its past).
    """
    if "Case" in e.trailers or "Late-entry" in e.trailers or not entered or not e.parents:
        return []   # careerpath's own commits say so themselves; a first commit imports what was there before
    day = _day(e.committer_date[:10])
    if day is None:
        return []
    out: dict[str, int] = {}
    for file, _field, d in entered:
        if (day - d).days > limit:
            out[file] = max(out.get(file, 0), (day - d).days)
    return [_finding("late-entry", case, e, files=[file], late_days=days, marked=False) for file, days in sorted(out.items())]


def _clock_set_back(e: gitio.LogEntry, case: str, touched: list[str], entered: list[tuple[str, str, date]],
                    dates: dict[str, str]) -> list[Finding]:
    """A commit dated before its parent (committer dates), or entering a date after the day it was committed."""
    from datetime import datetime

    out = []
    try:
        when = datetime.fromisoformat(e.committer_date)
    except ValueError:
        return []
    for parent in e.parents:
        try:
            then = datetime.fromisoformat(dates.get(parent, ""))
        except ValueError:
            continue
        if when < then:
            out.append(_finding("clock-set-back", case, e, files=sorted(touched),
                                clock={"parent": parent, "parent_date": dates[parent], "date": e.committer_date}))
    day = when.date()
    for file, field, d in entered:
        if d > day:
            out.append(_finding("clock-set-back", case, e, files=[file], field=field,
                                clock={"record": file, "record_date": d.isoformat(), "commit_date": day.isoformat()}))
    return out


def audit(root: Path, since: Optional[date] = None, by: Optional[str] = None,
          allowed_signers: Optional[Path] = None, until: Optional[date] = None,
          timeline: Optional[list[dict]] = None) -> list[Finding]:
    """Key dates changed after first set, changes to closed cases, late entries, corrections and clocks, oldest first.

    Late entries are those the recording commands marked (``Late-entry:``), and
    those found in the diff of a commit careerpath did not make (no ``Case:``
    trailer) that enters an event's or referral's date more than
    ``settings.late_entry_days`` before the commit's committer date
    (``marked: false``). A clock set back (``clock-set-back``) is a commit whose
    committer date is earlier than one of its parents' (author dates are not
    compared: a rebase keeps them, and ``careerpath sync`` rebases), or that
    enters a date after the day it was committed. Corrections (``Corrects:``)
    are listed with what they correct. With ``allowed_signers`` (a file in
    git's allowed signers format), every commit's SSH signature is checked by
    git against it: unsigned, bad, unknown and someone else's signatures are
    findings.

    Each case.yaml version is compared with the case's last readable version
    (a commit with a YAML error in between hides nothing). The case is followed
    across folder renames. ``since`` keeps findings from commits dated (author
    date) on or after it; the whole history is still read to know when each
    date was first set. ``by`` (a staff id) keeps the findings of that person's
    commits (see :func:`by_staff`).
    """
    from .programs import load_programs

    root = Path(root)
    prefix = _work_tree(root)
    keys = key_dates(load_programs(root))
    entries = gitio.log(root, ["cases/"], reverse=True)
    by_sha = {e.sha: e for e in entries}
    dates = gitio.commit_dates(root)
    late_limit = _late_entry_days(root)
    sigs = gitio.signatures(root, allowed_signers, ["cases/"]) if allowed_signers is not None else None
    identity: dict[str, str] = {}              # current folder name -> case (its first folder name)
    state: dict[str, dict[str, Any]] = {}      # case -> fields of its last readable case.yaml
    first: dict[tuple[str, str], dict] = {}    # (case, key field) -> first setting
    closed: dict[str, dict] = {}               # case -> closing commit
    latest: dict[str, str] = {}                # case -> its folder name now
    findings: list[Finding] = []
    with gitio.BlobReader(root) as blobs:
        for e in entries:
            touched: dict[str, list[str]] = {}
            versions: dict[str, Optional[dict[str, Any]]] = {}   # case -> new case.yaml fields (None: unreadable)
            case_files: dict[str, str] = {}
            record_findings: list[tuple[str, str, str, Optional[str]]] = []
            entered: dict[str, list[tuple[str, str, date]]] = {}   # case -> (file, field, date) this commit enters
            brought: set[str] = set()   # cases whose case.yaml this commit adds: a case brought in whole
            for status, old, new in e.changes:
                old_part = _case_part(old, prefix) if old else None
                new_part = _case_part(new, prefix) if new else None
                if new_part and old_part and old_part[0] != new_part[0]:
                    identity[new_part[0]] = identity.get(old_part[0], old_part[0])
                part = new_part or old_part
                if part is None:
                    continue
                case = identity.setdefault(part[0], part[0])
                latest[case] = part[0]
                touched.setdefault(case, []).append((new or old)[len(prefix):])
                if new_part and new_part[1] == "case.yaml":
                    versions[case] = _parse(blobs.read(f"{e.sha}:{new}"), new)
                    case_files[case] = new[len(prefix):]
                elif old_part and old_part[1] == "case.yaml" and case not in versions:
                    versions[case] = {}   # deleted (or renamed away without a new case.yaml)
                    case_files[case] = old[len(prefix):]
                if status != "A" and old_part and old_part[1].startswith(("events/", "referrals/")) and e.parents:
                    record_findings.append((case, status, old, new))
                if status == "A" and new_part and new_part[1] == "case.yaml":
                    brought.add(case)
                if new_part and new and new_part[1].startswith(("events/", "referrals/")) and new.endswith(".yaml"):
                    entered.setdefault(case, []).extend(
                        (new[len(prefix):], f, d) for f, d in _entered_dates(e, blobs, status, old, new))
            for case, status, old, new in record_findings:
                findings.extend(_record_finding(e, blobs, prefix, case, status, old, new))
            for case in sorted(touched):
                was_closed = closed.get(case)
                if was_closed is not None:
                    findings.append(_finding("changed-after-closure", case, e, files=sorted(touched[case]), closed=was_closed))
                late = _late_entry(e, case, touched[case])
                if late is not None:
                    findings.append(late)
                if case not in brought:
                    findings.extend(_unmarked_late_entries(e, case, entered.get(case, []), late_limit))
                findings.extend(_clock_set_back(e, case, touched[case], entered.get(case, []), dates))
                if "Corrects" in e.trailers:
                    fixed = by_sha.get(e.trailers["Corrects"][-1])
                    findings.append(_finding("correction", case, e, files=sorted(touched[case]), corrects=(
                        {**_stamp(fixed), "subject": fixed.subject} if fixed is not None else
                        {"commit": e.trailers["Corrects"][-1], "date": None, "author": None, "subject": None})))
                if sigs is not None:
                    signed = _signature_finding(e, case, touched[case], sigs.get(e.sha))
                    if signed is not None:
                        findings.append(signed)
                prev = state.get(case, {})
                fields = versions.get(case)
                findings.extend(_evidence_changed(e, case, touched[case], prev, fields))
                if fields is None:
                    continue  # case.yaml untouched, or this version is unreadable
                case_file = case_files[case]
                for c in diff_fields(prev, fields):
                    if timeline is not None and c.field in keys:
                        timeline.append(_timeline_item(e, case, c, fields))
                    elif (timeline is not None and c.field.startswith("evidence.") and c.field.endswith(".sha256")
                          and c.field[len("evidence."):-len(".sha256")] in keys):
                        timeline.append(_timeline_item(e, case, c, fields, evidence=True))
                    if c.field in keys:
                        key = (case, c.field)
                        if key not in first:
                            if c.new is not None:
                                first[key] = {**_stamp(e), "value": c.new}
                        elif c.old is not None:
                            findings.append(_finding("key-date-changed", case, e, field=c.field, old=c.old, new=c.new,
                                                     files=[case_file], first=first[key]))
                            sha = f"evidence.{c.field}.sha256"
                            if prev.get(sha) is not None and fields.get(sha) == prev.get(sha):
                                findings.append(_finding("evidence-not-updated", case, e, field=c.field, old=c.old,
                                                         new=c.new, files=[case_file]))
                    if c.field == "status":
                        if c.new == "closed":
                            closed[case] = _stamp(e)
                        elif c.old == "closed":
                            closed.pop(case, None)
                state[case] = fields
    for f in findings:
        f.case = latest.get(f.case, f.case)   # report a renamed case by its current id
    if timeline is not None:
        for item in timeline:
            item["case"] = latest.get(item["case"], item["case"])
        timeline[:] = [t for t in timeline if (since is None or t["date"][:10] >= since.isoformat())
                       and (until is None or t["date"][:10] <= until.isoformat())]
    if since is not None:
        findings = [f for f in findings if f.date[:10] >= since.isoformat()]
    if until is not None:
        findings = [f for f in findings if f.date[:10] <= until.isoformat()]
    if by:
        mine = by_staff(root, by)
        findings = [f for f in findings if mine({"Staff": [f.staff]} if f.staff else {}, f.email)]
    return findings
