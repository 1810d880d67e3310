"""Recording work: add events and referrals, set one field, close a case — and commit it.

Each recording is planned first (:func:`plan_log`, :func:`plan_refer`,
:func:`plan_outcome`, :func:`plan_set`, :func:`plan_close` return a
:class:`Change`: the new bytes of each file and the commit message), then
:func:`apply` validates, writes atomically and commits. Nothing is written
when the new content would add an error: the schema of the edited file and the
cheap checks of the case (references, closure, date order, program rules) run
on the new content first, and only errors that were not there before refuse
the edit (so a case with an old problem can still be worked on).

The public one-call functions (:func:`log_event`, :func:`refer`,
:func:`referral_outcome`, :func:`set_field`, :func:`close_case`) plan and apply.
"""

from __future__ import annotations

import copy
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Optional

from . import edit, gitio, rulelinks
from . import models as m
from .diagnostics import Diagnostic, sort_key
from .fsio import LockBusy, WriteError, atomic_write, caseload_lock
from .i18n.messages import Message, message_of
from .loader import CONFIG_FILE, CaseFolder, Caseload, SourceFile, empty_config, file_models, inside, load_case, validate_data
from .programs import ProgramSet, load_programs
from .schema import modeline
from .yamlfile import read_bytes, read_file

from .ids import CASE_ID as _CASE_ID
_STEM = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9_-]*$")

# fields whose value never goes into a commit subject (personal data)
_PRIVATE_PREFIXES = ("person", "identifiers")


class RecordError(Exception):
    """A recording that cannot be made; nothing was written. ``diagnostics`` say why."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None, hint: str = ""):
        super().__init__(message)
        self.message, self.diagnostics, self.hint = message, diagnostics or [], hint


class RecordUsageError(RecordError):
    """The request itself is wrong or incomplete (a key date changed without a reason): exit 2, nothing written."""


class RecordBusy(RecordError):
    """Another recording held the caseload's recording lock for longer than we waited; nothing was written."""


RECORD_LOCK = "record.lock"  # in .careerpath/
_STAFF_HINT = Message("or set CAREERPATH_STAFF, or `git config careerpath.staff ID`")
RECORD_WAIT = 60.0  # seconds; a commit runs the pre-commit hook, which validates the whole caseload


@dataclass
class FileChange:
    path: Path            # absolute
    rel: str              # relative to the caseload root
    kind: str             # case | plan | event | referral
    before: Optional[bytes]
    after: bytes

    @property
    def new(self) -> bool:
        return self.before is None


@dataclass
class Change:
    """What a recording will do: the files' new bytes and the commit message."""

    root: Path
    case_id: str
    files: list[FileChange]
    subject: str
    trailers: list[tuple[str, str]] = field(default_factory=list)
    staff: Optional[m.Staff] = None
    drift: int = 0        # lines outside the edit the YAML writer reformats (0 when exact)
    dates: list[date] = field(default_factory=list)   # the dates the recording enters (late-entry check)
    key_dates: list[tuple[str, Any, Any]] = field(default_factory=list)   # (field, old, new) of key dates it changes

    @property
    def unchanged(self) -> bool:
        """Every file already says this: nothing to write or commit."""
        return all(fc.before == fc.after for fc in self.files)

    def diff(self) -> str:
        return "".join(edit.unified_diff(f.before or b"", f.after, f.rel) if f.kind != "document" else
                       (f"Binary file b/{f.rel} ({len(f.after)} bytes)\n" if f.before != f.after else "")
                       for f in self.files)


@dataclass
class Recorded:
    """What a recording did."""

    paths: list[str]
    message: str
    git: str               # committed | skipped | unchanged | not-a-repository | no-git | failed | dry-run
    commit: Optional[str] = None
    identity: Optional[str] = None   # user | fallback
    notes: list[str] = field(default_factory=list)
    drift: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)   # new warnings the change brings (not refusing it)
    diff: str = ""         # a dry run's unified diff (see preview)
    late_entry: Optional[int] = None   # days between the entry's date and the day it was recorded, when late
    cleared: list[dict[str, Any]] = field(default_factory=list)   # overdue obligations a late entry made done

    def to_dict(self) -> dict[str, Any]:
        """What the recording commands print with ``--format json`` (paths relative to the caseload)."""
        return {"files": list(self.paths), "subject": self.message.splitlines()[0] if self.message else "",
                "message": self.message, "git": self.git, "commit": self.commit, "identity": self.identity,
                "drift": self.drift, "warnings": [d.to_dict() for d in self.warnings], "notes": list(self.notes),
                "late_entry": self.late_entry, "cleared": [dict(c) for c in self.cleared],
                **({"diff": self.diff} if self.git == "dry-run" else {})}


# ---------------------------------------------------------------- context

@dataclass
class _Target:
    root: Path
    case_id: str
    folder: Path
    config: m.CaseloadConfig
    config_file: Optional[SourceFile]
    programs: ProgramSet


def _target(root: Path, case_id: str) -> _Target:
    root = Path(root)
    if not _CASE_ID.match(case_id):
        raise RecordError(Message("CASE must be a case id: 1-64 characters of a-z 0-9 - _"))
    folder = root / "cases" / case_id
    for p in (folder, folder / "case.yaml"):
        if p.is_symlink() and not inside(root, p):
            raise RecordError(Message("cases/{name} links outside the caseload; careerpath does not write through it",
                                      name=case_id))
    if not (folder / "case.yaml").is_file():
        raise RecordError(Message("there is no case {name} in this caseload (no cases/{path}/case.yaml)", name=case_id,
                                  path=case_id), hint=Message("`careerpath new` makes a case"))
    programs = load_programs(root)
    parsed = read_file(root / CONFIG_FILE, CONFIG_FILE)
    doc, _ = validate_data(CONFIG_FILE, "careerpath", parsed, programs)
    config = doc.model if doc.model is not None else empty_config(programs)
    return _Target(root, case_id, folder, config, doc, programs)


def _known_program(target: _Target, program: Optional[str]) -> None:
    if program is not None and program not in target.programs:
        raise RecordError(Message("--program must be one of: {list}", list=", ".join(target.programs.ids())))


def _staff(staff: list[m.Staff], staff_id: Optional[str]) -> Optional[m.Staff]:
    if staff_id is None:
        return None
    for s in staff:
        if s.id == staff_id:
            return s
    # the value is not echoed: a name typed where an id belongs is personal data
    import difflib

    close = difflib.get_close_matches(staff_id, [s.id for s in staff], n=1)
    raise RecordError(Message("--by (or $CAREERPATH_STAFF, or git config careerpath.staff) is not a staff id in careerpath.yaml"),
                      hint=Message("did you mean `{name}`?", name=close[0]) if close else
                      Message("use an id from `staff:` in careerpath.yaml, or add the person there"))


def _case_model(target: _Target) -> Optional[m.Case]:
    rel = f"cases/{target.case_id}/case.yaml"
    doc, _ = validate_data(rel, "case", read_file(target.folder / "case.yaml", rel), target.programs)
    return doc.model


def _case_data(target: _Target, raw: Optional[bytes] = None) -> dict:
    """case.yaml as plain data (dates as text), for the rule links' conditions."""
    rel = f"cases/{target.case_id}/case.yaml"
    parsed = read_bytes(raw, rel) if raw is not None else read_file(target.folder / "case.yaml", rel)
    return parsed.data if isinstance(parsed.data, dict) else {}


def _programs_of(target: _Target, rules: list[str], program: Optional[str]) -> list[str]:
    if program:
        return [program]
    return sorted({p for p in (rulelinks.program_of(target.programs, r) for r in rules) if p})


def _trailers(case_id: str, programs: list[str], rules: list[str], staff: Optional[m.Staff],
              reason: Optional[str] = None) -> list[tuple[str, str]]:
    out = [("Case", case_id)]
    out += [("Program", p) for p in programs]
    out += [("Rule", r) for r in rules]
    if staff is not None:
        out.append(("Staff", staff.id))
    if reason:
        out.append(("Reason", one_line(reason)))
    return out


def one_line(text: str) -> str:
    """Text as one trailer line: git's trailers end at a line break."""
    return " ".join(text.split())


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _as_date(value: Any) -> Optional[date]:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _flat(raw: Optional[bytes], rel: str) -> dict[str, Any]:
    from .history import flatten

    if raw is None:
        return {}
    parsed = read_bytes(raw, rel)
    return flatten(parsed.data) if isinstance(parsed.data, dict) else {}


def _changed_dates(fc: "FileChange") -> list[date]:
    """The date values an edit writes (changed leaves that are dates): what a late-entry check compares."""
    before, after = _flat(fc.before, fc.rel), _flat(fc.after, fc.rel)
    out = []
    for key, value in after.items():
        if before.get(key) != value:
            d = _as_date(value)
            if d is not None:
                out.append(d)
    return out


def _key_date_changes(target: _Target, fc: "FileChange") -> list[tuple[str, Any, Any]]:
    """(field, old, new) for each key date (see :func:`careerpath.history.key_dates`) an edit of case.yaml changes."""
    from .history import key_dates

    if fc.kind != "case":
        return []
    before, after = _flat(fc.before, fc.rel), _flat(fc.after, fc.rel)
    return [(k, before.get(k), after.get(k)) for k in sorted(key_dates(target.programs))
            if before.get(k) != after.get(k)]


def _who_and_why(changes: list[tuple[str, Any, Any]], staff: Optional[m.Staff], reason: Optional[str],
                 option: str) -> None:
    """A key date changes only with a known staff member, and a date that had a value only with a reason.

    Refused as usage errors (exit 2, nothing written); fields are named by path, never by value.
    """
    if not changes:
        return
    if staff is None:
        raise RecordUsageError(Message("say who changes the key date {fields}: --by STAFF",
                                       fields=", ".join(c[0] for c in changes)), hint=_STAFF_HINT)
    rewritten = [c[0] for c in changes if c[1] is not None]
    if rewritten and not (reason or "").strip():
        raise RecordUsageError(Message("{fields} already had a value: say why it changes with {option} TEXT",
                                       fields=", ".join(rewritten), option=option),
                               hint=Message("the reason goes into the commit (a `Reason:` trailer) and "
                                            "`careerpath audit` shows it"))


def _unique_name(folder: Path, day: date, slug: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", slug.lower()).strip("-") or "entry"
    base = f"{day.isoformat()}-{slug}"
    name, n = f"{base}.yaml", 2
    while (folder / name).exists():
        name, n = f"{base}-{n}.yaml", n + 1
    return name


# ---------------------------------------------------------------- planning

def plan_log(root: Path, case_id: str, event_type: str, day: date, *, by: Optional[str],
             summary: Optional[str] = None, program: Optional[str] = None) -> Change:
    """An event file ``cases/<id>/events/<date>-<type>.yaml`` (``-2``, ``-3`` … when taken)."""
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    if staff is None:
        raise RecordError(Message("say who recorded this: --by STAFF"), hint=_STAFF_HINT)
    if not re.match(r"^[a-z][a-z0-9-]*$", event_type):
        raise RecordError(Message("TYPE must be lower-case words joined by hyphens, e.g. monthly-review"))
    _known_program(target, program)
    data: dict[str, Any] = {"date": day.isoformat(), "type": event_type, "by": staff.id}
    if program:
        data["program"] = program
    if summary:
        data["summary"] = edit.free_text(summary)
    folder = target.folder / "events"
    name = _unique_name(folder, day, event_type)
    text = edit.new_text(data, modeline("event", 3))
    rules = rulelinks.for_event(target.programs, event_type, program, _case_data(target))
    fc = FileChange(folder / name, f"cases/{case_id}/events/{name}", "event", None, text.encode("utf-8"))
    return Change(target.root, case_id, [fc], f"{case_id}: log {event_type} {day.isoformat()}",
                  _trailers(case_id, _programs_of(target, rules, program), rules, staff), staff, dates=[day])


def plan_refer(root: Path, case_id: str, day: date, *, to: str, kind: str, by: Optional[str],
               documents: list[str] | None = None, follow_up: Optional[date] = None,
               consent: Optional[str] = None, program: Optional[str] = None) -> Change:
    """A referral file ``cases/<id>/referrals/<date>-<kind>.yaml``."""
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    if staff is None:
        raise RecordError(Message("say who made the referral: --by STAFF"), hint=_STAFF_HINT)
    _known_program(target, program)
    data: dict[str, Any] = {"date": day.isoformat(), "to": edit.free_text(to), "kind": kind}
    if program:
        data["program"] = program
    data["by"] = staff.id
    data["documents"] = [edit.free_text(d) for d in documents or []]
    data["consent"] = consent
    data["follow_up"] = follow_up.isoformat() if follow_up else None
    data["outcome"] = None
    folder = target.folder / "referrals"
    name = _unique_name(folder, day, kind)
    text = edit.new_text(data, modeline("referral", 3))
    rules = rulelinks.for_fields(target.programs, [f"referral.{k}" for k, v in data.items() if v is not None], _case_data(target))
    fc = FileChange(folder / name, f"cases/{case_id}/referrals/{name}", "referral", None, text.encode("utf-8"))
    return Change(target.root, case_id, [fc], f"{case_id}: refer {kind} {day.isoformat()}",
                  _trailers(case_id, [program] if program else [], rules, staff), staff, dates=[day])


def _edit_file(target: _Target, rel_in_case: str, kind: str, edits: list[tuple[tuple, Any]]) -> tuple[FileChange, int]:
    path = target.folder / rel_in_case
    rel = f"cases/{target.case_id}/{rel_in_case}"
    if path.is_symlink():
        raise RecordError(Message("{path} is a symbolic link; careerpath edits only plain files", path=rel))
    try:
        before = path.read_bytes()
    except OSError as e:
        raise RecordError(Message("cannot read {path} ({reason})", path=rel, reason=e.strerror or type(e).__name__)) from None
    try:
        doc = edit.load(before, rel)
        if not isinstance(doc.data, dict):
            raise RecordError(Message("{path} does not hold a mapping; fix it by hand first", path=rel))
        for path_, value in edits:
            edit.set_value(doc.data, path_, value, file_models(target.programs)[kind])
    except edit.EditError as e:
        raise RecordError(e.message, [d for d in e.diagnostics if d.file]) from None
    return FileChange(path, rel, kind, before, edit.dump(doc)), doc.drift


def plan_outcome(root: Path, case_id: str, referral: str, day: date, *, outcome: str, by: Optional[str] = None) -> Change:
    """Close a referral: set ``outcome: {date, conclusion}`` in ``referrals/<REFERRAL>.yaml``."""
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    stem = referral[:-5] if referral.endswith(".yaml") else referral
    if not _STEM.match(stem) or not (target.folder / "referrals" / f"{stem}.yaml").is_file():
        raise RecordError(Message("case {name} has no referral {stem}", name=case_id, stem=stem),
                          hint=Message("referral names are the file names in cases/{name}/referrals/ without .yaml",
                                       name=case_id))
    current = read_file(target.folder / "referrals" / f"{stem}.yaml", stem)
    if isinstance(current.data, dict) and current.data.get("outcome") is not None:
        raise RecordError(Message("the referral {stem} already has an outcome; change it by hand if it is wrong", stem=stem))
    outcome_map = edit.to_yaml({"date": day.isoformat(), "conclusion": edit.free_text(outcome)})
    fc, drift = _edit_file(target, f"referrals/{stem}.yaml", "referral", [(("outcome",), outcome_map)])
    rules = rulelinks.for_fields(target.programs, ["referral.outcome.date"], _case_data(target))
    return Change(target.root, case_id, [fc], f"{case_id}: referral {stem} outcome {day.isoformat()}",
                  _trailers(case_id, [], rules, staff), staff, drift, dates=[day])


def plan_set(root: Path, case_id: str, field_path: str, value: str, *, by: Optional[str] = None,
             more: list[tuple[str, str]] | None = None, reason: Optional[str] = None) -> Change:
    """Change one field of case.yaml, or of plan.yaml when the path starts with ``plan.``.

    ``more`` holds further (field, value) pairs changed in the same write and
    commit, for fields that must change together (an eligibility ``status`` and
    its ``decided`` date). All pairs address the same file. A change of a key
    date needs a known staff member (``by``), and a key date that already had a
    value changes only with a ``reason`` (RecordUsageError otherwise); the
    reason goes into a ``Reason:`` trailer.
    """
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    pairs = [(field_path, value), *(more or [])]
    kind = None
    edits: list[tuple[tuple, Any]] = []
    shown_parts: list[str] = []
    addresses: list[str] = []
    programs: list[str] = []
    for fpath, fvalue in pairs:
        try:
            path = edit.parse_path(fpath)
        except edit.EditError as e:
            raise RecordError(e.message) from None
        this_kind, model_path = ("plan", path[1:]) if path[0] == "plan" else ("case", path)
        if kind is not None and this_kind != kind:
            raise RecordError(Message("one `set` changes one file: give case.yaml and plan.yaml fields in separate commands"))
        kind = this_kind
        if kind == "plan" and not model_path:
            raise RecordError(Message("name a field of plan.yaml after `plan.`, e.g. plan.goals.0.objectives.1.done"))
        if model_path == ("id",):
            raise RecordError(Message("the case id is the folder name; rename the folder and `id` together by hand (git mv)"))
        try:
            typed = edit.typed_value(file_models(target.programs)[kind], model_path, fvalue)
        except edit.EditError as e:
            raise RecordError(e.message, [], e.diagnostics[0].hint if e.diagnostics else "") from None
        edits.append((model_path, typed))
        shown = edit.show_path(path)
        private = model_path[0] in _PRIVATE_PREFIXES
        shown_value = fvalue.strip() or "null"
        if len(shown_value) > 40:
            shown_value = shown_value[:39] + "…"
        shown_parts.append(shown + ("" if private else f" {shown_value}"))
        addresses.append(shown)
        if kind == "case" and model_path[0] == "enrollments" and len(model_path) > 1 and str(model_path[1]) not in programs:
            programs.append(str(model_path[1]))
    assert kind is not None
    rel_in_case = "plan.yaml" if kind == "plan" else "case.yaml"
    if kind == "plan" and not (target.folder / "plan.yaml").is_file():
        raise RecordError(Message("case {name} has no plan.yaml yet; write one by hand first (FORMAT.md shows the form)",
                                  name=case_id))
    fc, drift = _edit_file(target, rel_in_case, kind, edits)
    key_changes = _key_date_changes(target, fc)
    _who_and_why(key_changes, staff, reason, "--reason")
    rules = rulelinks.for_fields(target.programs, addresses, _case_data(target, fc.after if kind == "case" else None))
    if not programs:
        programs = _programs_of(target, rules, None)
    subject = f"{case_id}: set " + ", ".join(shown_parts)
    return Change(target.root, case_id, [fc], subject, _trailers(case_id, programs, rules, staff, reason), staff, drift,
                  dates=_changed_dates(fc), key_dates=key_changes)


def plan_close(root: Path, case_id: str, day: date, *, reason: str, by: Optional[str] = None,
               note: Optional[str] = None) -> Change:
    """Close a case: ``status: closed`` and ``closure: {date, reason}`` in case.yaml.

    ``reason`` is the closure's reason (written in the file); ``note`` is the
    audit explanation (a ``Reason:`` trailer), required when a closure date
    that was already there changes. The closure date is a key date: closing
    needs a known staff member (``by``).
    """
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    current = _case_model(target)
    if current is not None and current.status == "closed":
        raise RecordError(Message("the case {name} is already closed", name=case_id))
    closure = edit.to_yaml({"date": day.isoformat(), "reason": edit.free_text(reason)})
    fc, drift = _edit_file(target, "case.yaml", "case", [(("status",), "closed"), (("closure",), closure)])
    key_changes = _key_date_changes(target, fc)
    _who_and_why(key_changes, staff, note, "--note")
    return Change(target.root, case_id, [fc], f"{case_id}: close {day.isoformat()}",
                  _trailers(case_id, [], [], staff, note), staff, drift, dates=[day], key_dates=key_changes)


_DOC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def plan_attach(root: Path, case_id: str, source: Path, field_path: str, *, by: Optional[str]) -> Change:
    """Attach the scan that proves a key date: copy ``source`` into ``cases/<id>/documents/`` and record it.

    case.yaml gets ``evidence: {<field>: {file: documents/<name>, sha256: …}}``;
    the copy and case.yaml are committed together. ``field_path`` must be a key
    date (see :func:`careerpath.history.key_dates`). The copy keeps the file's
    name; a different file of that name already in documents/ is never
    replaced (rename the scan). Needs the staff member (``by``).
    """
    from .evidence import inside_documents
    from .history import key_dates

    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    if staff is None:
        raise RecordUsageError(Message("say who attaches this: --by STAFF"), hint=_STAFF_HINT)
    keys = key_dates(target.programs)
    if field_path not in keys:
        raise RecordUsageError(Message("--for must name a key date: {list}", list=", ".join(sorted(keys))))
    source = Path(source)
    if not source.is_file():
        raise RecordUsageError(Message("FILE is not a readable file"))  # not echoed: a scan's name may be a person's
    name = source.name
    if not _DOC_NAME.match(name):
        raise RecordUsageError(Message("FILE's name must be letters, digits, '.', '-' and '_' (rename the scan, "
                                       "e.g. 2026-09-01-application-receipt.pdf)"))
    folder = target.folder / "documents"
    rel_doc = f"documents/{name}"
    if folder.exists() and not inside_documents(target.folder, rel_doc):
        raise RecordError(Message("cases/{name}/documents links outside the case; careerpath does not write through it",
                                  name=case_id))
    try:
        content = source.read_bytes()
    except OSError as e:
        raise RecordError(Message("cannot read FILE ({reason})", reason=e.strerror or type(e).__name__)) from None
    dest = folder / name
    existing = dest.read_bytes() if dest.is_file() else None
    if dest.exists() and existing is None or (existing is not None and existing != content):
        raise RecordUsageError(Message("cases/{case}/{path} already holds another file; rename the scan", case=case_id,
                                       path=rel_doc))
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    entry = edit.to_yaml({"file": rel_doc, "sha256": edit.free_text(digest)})  # quoted when YAML would read a number
    fc, drift = _edit_file(target, "case.yaml", "case", [(("evidence", field_path), entry)])
    doc = FileChange(dest, f"cases/{case_id}/{rel_doc}", "document", existing, content)
    return Change(target.root, case_id, [doc, fc], f"{case_id}: attach evidence for {field_path}",
                  [*_trailers(case_id, [], [], staff), ("Evidence", f"{field_path} {rel_doc} sha256:{digest}")], staff, drift)


# ---------------------------------------------------------------- validation

def _error_keys(diags: list[Diagnostic]) -> set[tuple[str, str, str]]:
    return {(d.file, d.code, d.message) for d in diags if d.severity == "error"}


def _file_from_bytes(rel: str, kind: str, raw: bytes, programs: ProgramSet) -> tuple[SourceFile, list[Diagnostic]]:
    parsed = read_bytes(raw, rel)
    doc, diags = validate_data(rel, kind, parsed, programs)
    return doc, parsed.diagnostics + diags


def _case_checks(target: _Target, case_folder: CaseFolder, today: date) -> list[Diagnostic]:
    from .checks import run_checks

    caseload = Caseload(target.root, target.config, target.config_file, {case_folder.id: case_folder}, [], target.programs)
    # the caseload-wide checks of careerpath.yaml are not this edit's business
    return [d for d in run_checks(caseload, today) if d.file != CONFIG_FILE]


def _before_after(target: _Target, change: Change) -> tuple[CaseFolder, CaseFolder, list[Diagnostic], list[Diagnostic]]:
    """The case folder as it is and as the change would leave it, with the load diagnostics of each."""
    load_diags: list[Diagnostic] = []
    before_cf = load_case(target.root, target.folder, load_diags, programs=target.programs)
    after_cf = copy.copy(before_cf)
    after_cf.events = list(before_cf.events)
    after_cf.referrals = list(before_cf.referrals)
    before_errors: list[Diagnostic] = [d for d in load_diags]
    after_errors: list[Diagnostic] = [d for d in load_diags if d.file not in {f.rel for f in change.files}]
    for fc in change.files:
        if fc.kind == "document":
            continue  # a scan: never parsed
        doc, diags = _file_from_bytes(fc.rel, fc.kind, fc.after, target.programs)
        after_errors += diags
        if fc.kind == "case":
            after_cf.case = doc
            if doc.model is not None and doc.model.id != change.case_id:
                after_errors.append(doc.diagnostic(("id",), "error", "case-id-mismatch", "`id` differs from the folder name"))
        elif fc.kind == "plan":
            after_cf.plan = doc
        else:
            dated = after_cf.events if fc.kind == "event" else after_cf.referrals
            dated[:] = [d for d in dated if d.file != fc.rel] + [doc]
    return before_cf, after_cf, before_errors, after_errors


def late_entry(change: Change, today: date) -> tuple[Optional[int], list[dict[str, Any]]]:
    """How late the change enters its dates, and the overdue obligations it turns into done.

    A recording whose (oldest) date lies more than ``settings.late_entry_days``
    (default 7) before ``today`` is a late entry: (days, cleared), where each
    cleared obligation is ``{rule, due, item, overdue_days}`` — overdue on
    ``today`` before the change, done after it. (None, []) when not late.
    """
    target = _target(change.root, change.case_id)
    limit = getattr(target.config.settings, "late_entry_days", None)
    limit = 7 if limit is None else int(limit)
    late = max(((today - d).days for d in change.dates), default=0)
    if late <= limit:
        return None, []
    from .obligations.engine import case_obligations
    from .obligations.rules import load_rules

    before_cf, after_cf, _b, _a = _before_after(target, change)
    book = load_rules(target.programs)
    settings = target.config.settings

    def key(o: Any) -> tuple:
        return (o.rule, o.due, o.item)

    before = {key(o): o for o in case_obligations(before_cf, book, settings, today, target.config_file)
              if o.past_due and not o.history}
    cleared = [{"rule": o.rule, "due": o.due.isoformat(), "item": o.item, "overdue_days": (today - o.due).days}
               for o in case_obligations(after_cf, book, settings, today, target.config_file)
               if o.status == "done" and key(o) in before]
    return late, sorted(cleared, key=lambda c: (c["due"], c["rule"], c["item"]))


def _with_late_entry(change: Change, today: date) -> tuple[list[tuple[str, str]], Optional[int], list[dict], list[str]]:
    """The change's trailers with ``Late-entry:`` and ``Cleared:`` added when it is late, and the notes that say so."""
    late, cleared = late_entry(change, today)
    if late is None:
        return list(change.trailers), None, [], []
    trailers = [*change.trailers, ("Late-entry", f"{late} days")]
    trailers += [("Cleared", f"{c['rule']} due {c['due']}{' ' + c['item'] if c['item'] else ''}, "
                             f"{c['overdue_days']} days overdue") for c in cleared]
    notes = [Message("late entry: the date is {n} days before today; the commit says so (`Late-entry:`) and "
                     "`careerpath audit` lists it", n=late)]
    notes += [Message("this late entry makes {rule} (due {due}, {n} days overdue) done", rule=c["rule"], due=c["due"],
                      n=c["overdue_days"]) for c in cleared]
    return trailers, late, cleared, notes


def check_change(change: Change, today: date, *, warnings: bool = False) -> list[Diagnostic]:
    """The errors ``change`` would add to its case (empty: safe to write).

    With ``warnings``, the warnings it would add as well (an unknown event
    type, a future date): they do not refuse a change but are worth showing.
    """
    target = _target(change.root, change.case_id)
    before_cf, after_cf, before_errors, after_errors = _before_after(target, change)
    before_errors += _case_checks(target, before_cf, today)
    after_errors += _case_checks(target, after_cf, today)
    old = _error_keys(before_errors)
    old_all = {(d.file, d.code, d.message) for d in before_errors}
    added = [d for d in after_errors if (d.file, d.code, d.message) not in (old if d.severity == "error" else old_all)
             and (warnings or d.severity == "error")]
    return sorted(set(added), key=sort_key)


# ---------------------------------------------------------------- applying

def _identity_env(change: Change) -> dict[str, str]:
    s = change.staff
    return gitio.fallback_identity(s.id if s else None, s.name if s else None, s.email if s else None)


@contextmanager
def recording_lock(root: Path, wait: float = RECORD_WAIT, on_wait: Any = None) -> Iterator[None]:
    """Take the caseload's recording lock (``.careerpath/record.lock``) for the block.

    Recordings in one caseload take turns: planned, checked, written and
    committed under this lock, two people recording in one clone at once never
    commit each other's files, never pick the same new file name and never trip
    over git's index lock. The second waits up to ``wait`` seconds
    (``on_wait()`` is called once if it has to wait), then gets
    :class:`RecordBusy`, nothing written.
    """
    try:
        with caseload_lock(root, wait, RECORD_LOCK, on_wait):
            yield
    except LockBusy:
        raise RecordBusy(Message("another recording in this caseload held .careerpath/{name} for {seconds} s; "
                                 "nothing was written", name=RECORD_LOCK, seconds=format(wait, "g")),
                         hint=Message("run the command again")) from None
    except WriteError as e:  # the lock file cannot be made (a read-only caseload)
        raise RecordError(Message("{error}; nothing was written", error=message_of(e))) from None


def preview(change: Change, today: date) -> Recorded:
    """What :func:`apply` would do, written nowhere: ``git='dry-run'``, the diff and the warnings.

    Raises RecordError (as :func:`apply` would) when the change adds errors.
    """
    found = check_change(change, today, warnings=True)
    errors = [d for d in found if d.severity == "error"]
    if errors:
        raise RecordError("the change would make the case invalid", errors)
    trailers, late, cleared, notes = _with_late_entry(change, today)
    return Recorded([fc.rel for fc in change.files], gitio.format_message(change.subject, trailers), "dry-run",
                    drift=change.drift, warnings=[d for d in found if d.severity == "warning"], diff=change.diff(),
                    notes=notes, late_entry=late, cleared=cleared)


def apply(change: Change, today: date, *, commit: bool = True, locked: bool = False) -> Recorded:
    """Validate, write every file atomically, then commit exactly those files (inside git).

    Raises RecordError (nothing written) when the change adds errors, or when a
    file could not be written. A failed commit does not undo the write: the
    result says ``git='failed'`` and why. Takes the :func:`recording_lock` unless
    the caller holds it (``locked``: it planned ``change`` under the lock).
    """
    if change.unchanged:
        return Recorded([], gitio.format_message(change.subject, change.trailers), "unchanged")
    if locked:
        return _apply(change, today, commit)
    with recording_lock(change.root):
        return _apply(change, today, commit)


def _apply(change: Change, today: date, commit: bool) -> Recorded:
    found = check_change(change, today, warnings=True)
    added = [d for d in found if d.severity == "error"]
    if added:
        raise RecordError(Message("the change would make the case invalid; nothing was written"), added)
    # read before writing: what the case owed before this entry
    trailers, late, cleared, notes = _with_late_entry(change, today)
    before_case = _case_model(_target(change.root, change.case_id))
    was_closed = before_case is not None and before_case.status == "closed"
    # a file changed on disk since it was read is not overwritten
    for fc in change.files:
        if fc.before is not None and fc.path.read_bytes() != fc.before:
            raise RecordError(Message("{path} changed while it was being edited; nothing was written, run the command again",
                                      path=fc.rel))
    written: list[FileChange] = []
    try:
        for fc in change.files:
            atomic_write(fc.path, fc.after, exclusive=fc.new)
            written.append(fc)
    except WriteError as e:
        raise RecordError(message_of(e) if not written else
                          Message("{error} ({n} file(s) were written before)", error=message_of(e), n=len(written))) from None
    message = gitio.format_message(change.subject, trailers)
    result = Recorded([fc.rel for fc in change.files], message, "skipped", drift=change.drift,
                      warnings=[d for d in found if d.severity == "warning"], notes=notes, late_entry=late,
                      cleared=cleared)
    if was_closed:
        result.notes.append(Message("the case is closed; `careerpath audit` reports changes made after the closure"))
    if not commit:
        return result
    if not gitio.available():
        result.git = "no-git"
        return result
    try:
        if gitio.toplevel(change.root) is None:
            result.git = "not-a-repository"
            return result
        s = change.staff
        author = gitio.staff_identity(s.id, s.name, s.email) if s is not None else None
        made = gitio.commit_paths(change.root, [fc.path for fc in change.files], message, fallback=_identity_env(change),
                                  author=author)
    except gitio.GitError as e:
        result.git = "failed"
        result.notes.append(e.message)
        return result
    if made is None:  # the files already held this content in git
        result.git = "unchanged"
        return result
    result.git, result.commit, result.identity = "committed", made.sha, made.identity
    return result


def log_event(root: Path, case_id: str, event_type: str, day: date, today: date, *, by: Optional[str],
              summary: Optional[str] = None, program: Optional[str] = None, commit: bool = True) -> Recorded:
    """Record an event (see :func:`plan_log`) and commit it."""
    return apply(plan_log(root, case_id, event_type, day, by=by, summary=summary, program=program), today, commit=commit)


def refer(root: Path, case_id: str, day: date, today: date, *, to: str, kind: str, by: Optional[str],
          documents: list[str] | None = None, follow_up: Optional[date] = None, consent: Optional[str] = None,
          program: Optional[str] = None, commit: bool = True) -> Recorded:
    """Record a referral (see :func:`plan_refer`) and commit it."""
    return apply(plan_refer(root, case_id, day, to=to, kind=kind, by=by, documents=documents, follow_up=follow_up,
                            consent=consent, program=program), today, commit=commit)


def referral_outcome(root: Path, case_id: str, referral: str, day: date, today: date, *, outcome: str,
                     by: Optional[str] = None, commit: bool = True) -> Recorded:
    """Record a referral's outcome (see :func:`plan_outcome`) and commit it."""
    return apply(plan_outcome(root, case_id, referral, day, outcome=outcome, by=by), today, commit=commit)


def set_field(root: Path, case_id: str, field_path: str, value: str, today: date, *, by: Optional[str] = None,
              more: list[tuple[str, str]] | None = None, reason: Optional[str] = None, commit: bool = True) -> Recorded:
    """Change one field, or several together (see :func:`plan_set`), and commit it."""
    return apply(plan_set(root, case_id, field_path, value, by=by, more=more, reason=reason), today, commit=commit)


def attach(root: Path, case_id: str, source: Path, field_path: str, today: date, *, by: Optional[str],
           commit: bool = True) -> Recorded:
    """Attach a key date's evidence (see :func:`plan_attach`) and commit both files."""
    return apply(plan_attach(root, case_id, source, field_path, by=by), today, commit=commit)


def close_case(root: Path, case_id: str, day: date, today: date, *, reason: str, by: Optional[str] = None,
               note: Optional[str] = None, commit: bool = True) -> Recorded:
    """Close a case (see :func:`plan_close`) and commit it."""
    return apply(plan_close(root, case_id, day, reason=reason, by=by, note=note), today, commit=commit)
