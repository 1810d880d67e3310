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
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Optional

from . import edit, gitio, rulelinks
from . import models as m
from .diagnostics import Diagnostic, sort_key
from .fsio import COMMIT_LOCK, LockBusy, ReadRefused, WriteError, atomic_write, caseload_lock, read_regular
from .i18n.messages import Message, message_of
from .loader import CONFIG_FILE, CaseFolder, Caseload, SourceFile, empty_config, file_models, inside, load_case, validate_data
from .programs import ProgramSet, load_programs
from .schema import modeline
from .yamlfile import read_bytes, read_file

from .ids import CASE_ID as _CASE_ID
_STEM = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9][a-z0-9_-]*$")



class RecordError(Exception):
    """A recording that cannot be made; nothing was written. ``diagnostics`` say why."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None, hint: str = ""):
        super().__init__(message)
        self.message, self.diagnostics, self.hint = message, diagnostics or [], hint


class RecordUsageError(RecordError):
    """The request itself is wrong or incomplete (an unknown type or reason, a key date changed without a reason):
    a usage error (exit 2), nothing was written."""


class RecordBusy(RecordError):
    """Another recording held the caseload's recording lock for longer than we waited; nothing was written."""


RECORD_LOCK = COMMIT_LOCK  # in .careerpath/: shared with `report --commit`
_STAFF_HINT = Message("or set CAREERPATH_STAFF, or `git config careerpath.staff ID`")
RECORD_WAIT = 60.0  # seconds; a commit runs the pre-commit hook, which validates the whole caseload


@dataclass
class FileChange:
    path: Path            # absolute
    rel: str              # relative to the caseload root
    kind: str             # case | plan | event | referral | document
    before: Optional[bytes]
    after: bytes          # b"" when ``deleted``
    deleted: bool = False  # the recording removes the file (``careerpath revert`` of the recording that added it)

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
        from .suggest import hint

        raise RecordUsageError(Message("--program must be one of: {list}", list=", ".join(target.programs.ids())),
                               hint=hint(program, target.programs.ids()))


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
             summary: Optional[str] = None, program: Optional[str] = None,
             fields: Optional[dict[str, Any]] = None) -> Change:
    """An event file ``cases/<id>/events/<date>-<type>.yaml`` (``-2``, ``-3`` … when taken)."""
    target = _target(root, case_id)
    if not re.match(r"^[a-z][a-z0-9-]*$", event_type):
        raise RecordUsageError(Message("TYPE must be lower-case words joined by hyphens, e.g. monthly-review"))
    known = target.programs.known_event_types()
    if event_type not in known:
        from .suggest import hint

        raise RecordUsageError(Message("TYPE is not a known event type"),  # not echoed: swapped arguments may be a name
                               hint=hint(event_type, known) or Message("event types: {list}", list=", ".join(known)))
    _known_program(target, program)
    staff = _staff(target.config.staff, by)
    if staff is None:
        raise RecordError(Message("say who recorded this: --by STAFF"), hint=_STAFF_HINT)
    data: dict[str, Any] = {"date": day.isoformat(), "type": event_type, "by": staff.id}
    if program:
        data["program"] = program
    if summary:
        data["summary"] = edit.free_text(summary)
    for key, value in (fields or {}).items():  # more fields of the event (a feedback's channel, rating...)
        data[key] = edit.free_text(value) if isinstance(value, str) else value
    folder = target.folder / "events"
    name = _unique_name(folder, day, event_type)
    text = edit.new_text(data, modeline("event", 3))
    rules = rulelinks.for_event(target.programs, event_type, program, _case_data(target))
    fc = FileChange(folder / name, f"cases/{case_id}/events/{name}", "event", None, text.encode("utf-8"))
    return Change(target.root, case_id, [fc], f"{case_id}: log {event_type} {day.isoformat()}",
                  _trailers(case_id, _programs_of(target, rules, program), rules, staff), staff, dates=[day])


#: the event an appointment becomes when it is recorded (an IPP review is held at an IPP meeting)
APPOINTMENT_EVENTS = {"ipp-meeting": "ipp-meeting", "iep-meeting": "iep-meeting", "ipp-review": "ipp-meeting",
                      "interpreter": "meeting", "job-interview": "interview", "other": "meeting"}


def plan_log_appointment(root: Path, case_id: str, appointment: str, *, event_type: Optional[str] = None,
                         day: Optional[date] = None, by: Optional[str] = None, summary: Optional[str] = None,
                         program: Optional[str] = None) -> Change:
    """Record a planned appointment as what happened: an event (its type from the appointment's kind unless
    given, its date, staff, program and summary from the appointment unless given) and, in the same
    commit, ``recorded: events/<file>.yaml`` in ``appointments/<APPOINTMENT>.yaml`` so it is no longer
    listed as scheduled."""
    target = _target(root, case_id)
    stem = appointment.removesuffix(".yaml")
    rel = f"appointments/{stem}.yaml"
    if not _STEM.match(stem) or not (target.folder / rel).is_file():
        raise RecordUsageError(Message("there is no such appointment in this case"),
                               hint=Message("appointment names are the file names in cases/{name}/appointments/ "
                                            "without .yaml", name=case_id))
    parsed = read_file(target.folder / rel, f"cases/{case_id}/{rel}")
    doc, diags = validate_data(f"cases/{case_id}/{rel}", "appointment", parsed, target.programs)
    if doc.model is None or any(d.severity == "error" for d in parsed.diagnostics + diags):
        raise RecordError(Message("{path} has errors; run `careerpath validate` and fix it first",
                                  path=f"cases/{case_id}/{rel}"))
    planned = doc.model
    if planned.recorded:
        raise RecordUsageError(Message("this appointment is already recorded as {file}", file=planned.recorded))
    change = plan_log(root, case_id, event_type or APPOINTMENT_EVENTS[planned.kind], day or planned.date,
                      by=by or (planned.staff[0] if planned.staff else None), summary=summary or planned.summary,
                      program=program or planned.program)
    event_file = change.files[0].rel.split("/", 2)[2]  # events/<name>.yaml
    fc, drift = _edit_file(target, rel, "appointment", [(("recorded",), event_file)])
    change.files.append(fc)
    change.drift += drift
    change.subject += f" (appointment {stem})"
    return change


def plan_refer(root: Path, case_id: str, day: date, *, to: str, kind: str, by: Optional[str],
               documents: list[str] | None = None, follow_up: Optional[date] = None,
               consent: Optional[str] = None, program: Optional[str] = None,
               reason: Optional[str] = None) -> Change:
    """A referral file ``cases/<id>/referrals/<date>-<kind>.yaml``; ``reason`` (why) is printed by the
    referral documents."""
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    if staff is None:
        raise RecordError(Message("say who made the referral: --by STAFF"), hint=_STAFF_HINT)
    _known_program(target, program)
    data: dict[str, Any] = {"date": day.isoformat(), "to": edit.free_text(to), "kind": kind}
    if program:
        data["program"] = program
    data["by"] = staff.id
    if reason:
        data["reason"] = edit.free_text(reason)
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


def read_case_bytes(path: Path, rel: str, root: Path, *, limit: Optional[int] = None) -> bytes:
    """A file of the caseload through the safe reader (regular, inside the caseload, bounded); refused:
    a RecordError naming the file by its path. ``limit`` None: the reader's (1 MiB, as the loader's)."""
    try:
        return read_regular(path, root=root, **({} if limit is None else {"limit": limit}))
    except ReadRefused as e:
        raise RecordError(Message("cannot read {path} ({reason})", path=rel, reason=e.message)) from None


def _current(fc: FileChange, root: Path) -> Optional[bytes]:
    try:
        return read_regular(fc.path, root=root)
    except ReadRefused:
        return None


def _edit_file(target: _Target, rel_in_case: str, kind: str, edits: list[tuple[tuple, Any]],
               drop_comments: list[tuple] = (), keep_comment: Any = None) -> tuple[FileChange, int]:
    path = target.folder / rel_in_case
    rel = f"cases/{target.case_id}/{rel_in_case}"
    if path.is_symlink():
        raise RecordError(Message("{path} is a symbolic link; careerpath edits only plain files", path=rel))
    before = read_case_bytes(path, rel, target.root)
    try:
        doc = edit.load(before, rel)
        if not isinstance(doc.data, dict):
            raise RecordError(Message("{path} does not hold a mapping; fix it by hand first", path=rel))
        for path_, value in edits:
            edit.set_value(doc.data, path_, value, file_models(target.programs)[kind])
        for path_ in drop_comments:
            edit.drop_line_comment(doc.data, path_, keep_comment)
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


def is_personal(programs: ProgramSet, kind: str, path: tuple) -> bool:
    """Whether the value at ``path`` of a ``case`` or ``plan`` file may identify the person.

    A commit subject (``git log``, seen by everyone with the repository) shows
    a value only for a field declared non-personal: an enrollment field as its
    program's program.yaml says (``personal:``; text is personal unless it
    says otherwise), a core field as :func:`careerpath.models.core_personal`
    says (dates, statuses, flags, staff and program ids are not). Anything
    else, and a path nothing declares, shows as its path alone.
    """
    if kind == "case" and path[:1] == ("enrollments",):
        program = programs.get(str(path[1])) if len(path) > 2 else None
        spec = program.field(path[2:]) if program is not None else None
        return spec is None or spec.personal
    return m.core_personal(kind, path)


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
        model_path = _by_position(target, this_kind, model_path)  # the subject keeps the path as given
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
        private = is_personal(target.programs, kind, model_path)
        shown_value = fvalue.strip() or "null"
        if len(shown_value) > 40:
            shown_value = shown_value[:39] + "…"
        shown_parts.append(shown + ("" if private else f" {shown_value}"))
        addresses.append(edit.show_path(("plan", *model_path) if kind == "plan" else model_path))
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
               note: Optional[str] = None, override: Optional[str] = None) -> Change:
    """Close a case: ``status: closed`` and ``closure: {date, reason[, note][, override]}`` in case.yaml.

    ``reason`` is one of :func:`careerpath.closing.reasons` (``other`` needs a
    ``note``). ``note`` is written as ``closure.note`` and is also the audit
    explanation (the commit's ``Reason:`` trailer), required when a closure date
    that was already there changes. The closure date is a key date: closing
    needs a known staff member (``by``). Refused when an event or referral is
    dated after ``day``, and when a program's closure condition for ``reason``
    does not hold on ``day`` (DOR's ``employed`` before 90 days in the job)
    unless ``override`` says why. A rest-of-line comment on ``status`` or
    ``closure`` that does not name ``closed`` described the case as it was
    (``# kept open until the review``) and is removed; one that does
    (FORMAT.md's ``# active | closed``) describes the field and stays.
    """
    from . import closing

    target = _target(root, case_id)
    try:
        closing.check_reason(reason, note, target.programs)
    except closing.ClosureError as e:
        raise RecordUsageError(e.message, hint=e.hint) from None
    staff = _staff(target.config.staff, by)
    current = _case_model(target)
    if current is not None and current.status == "closed":
        raise RecordError(Message("the case {name} is already closed", name=case_id))
    case_folder = load_case(target.root, target.folder, [], programs=target.programs)
    later = closing.later_records(case_folder, day)
    if later:
        raise RecordError(Message("the closure date {date} is before {n} recorded event(s) or referral(s): {list}",
                                  date=day, n=len(later), list=", ".join(later)),
                          hint=Message("close on or after the last recorded date (--date)"))
    missing = closing.unmet(case_folder, target.programs, target.config.settings, target.config_file, reason, day)
    if missing and not (override or "").strip():
        first = missing[0]
        raise RecordError(first.message, hint=Message("{text}; --override \"why\" closes it anyway and records why",
                                                      text=first.hint) if first.hint else
                          Message("--override \"why\" closes it anyway and records why"))
    fields: dict[str, Any] = {"date": day.isoformat(), "reason": reason}
    if note:
        fields["note"] = edit.free_text(note)
    if missing and override:
        fields["override"] = edit.free_text(override)
    closure = edit.to_yaml(fields)
    # a comment naming `closed` describes the field (FORMAT.md's `# active | closed`); any other spoke of the open case
    fc, drift = _edit_file(target, "case.yaml", "case", [(("status",), "closed"), (("closure",), closure)],
                           drop_comments=[("status",), ("closure",)], keep_comment=lambda text: "closed" in text)
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
    existing = None
    if dest.exists() or dest.is_symlink():  # the same scan attached again is fine; anything else is refused
        try:
            existing = read_regular(dest, root=target.root, limit=len(content))
        except ReadRefused:   # a link outside, a FIFO, a folder, or larger than this scan: not the same file
            existing = None
    if (dest.exists() or dest.is_symlink()) and existing is None or (existing is not None and existing != content):
        raise RecordUsageError(Message("cases/{case}/{path} already holds another file; rename the scan", case=case_id,
                                       path=rel_doc))
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    entry = edit.to_yaml({"file": rel_doc, "sha256": edit.free_text(digest)})  # quoted when YAML would read a number
    fc, drift = _edit_file(target, "case.yaml", "case", [(("evidence", field_path), entry)])
    doc = FileChange(dest, f"cases/{case_id}/{rel_doc}", "document", existing, content)
    return Change(target.root, case_id, [doc, fc], f"{case_id}: attach evidence for {field_path}",
                  [*_trailers(case_id, [], [], staff), ("Evidence", f"{field_path} {rel_doc} sha256:{digest}")], staff, drift)


# ---------------------------------------------------------------- corrections (`careerpath amend`, `careerpath revert`)

def _correction_staff_and_reason(target: _Target, by: Optional[str], reason: Optional[str], what: str) -> m.Staff:
    """A correction names who makes it and why (usage errors otherwise, nothing written)."""
    staff = _staff(target.config.staff, by)
    if staff is None:
        raise RecordUsageError(Message("say who makes this correction: --by STAFF"), hint=_STAFF_HINT)
    if not (reason or "").strip():
        raise RecordUsageError(Message("say why {what} is corrected: --reason TEXT", what=what),
                               hint=Message("the reason goes into the commit (a `Reason:` trailer) and "
                                            "`careerpath history` and `careerpath audit` show it"))
    return staff


def _record_file(target: _Target, record: str) -> tuple[str, str]:
    """(path inside the case folder, kind) of an event or referral named ``events/<stem>``, ``referrals/<stem>``
    or just ``<stem>`` (``.yaml`` may be given)."""
    name = record.strip().strip("/")
    name = name[:-5] if name.endswith(".yaml") else name
    folder, _sep, stem = name.rpartition("/")
    places = [folder] if folder else ["events", "referrals"]
    found = [f"{p}/{stem}.yaml" for p in places if p in ("events", "referrals") and _STEM.match(stem)
             and (target.folder / p / f"{stem}.yaml").is_file()]
    if len(found) != 1:
        raise RecordUsageError(Message("case {name} has no event or referral {stem}", name=target.case_id, stem=name)
                               if not found else
                               Message("both an event and a referral are named {stem}: say which (events/{stem} or "
                                       "referrals/{stem})", stem=stem),
                               hint=Message("the names are the file names in cases/{name}/events/ and referrals/ "
                                            "without .yaml", name=target.case_id))
    rel = found[0]
    if (target.folder / rel).is_symlink():
        raise RecordError(Message("{path} is a symbolic link; careerpath edits only plain files",
                                  path=f"cases/{target.case_id}/{rel}"))
    return rel, rel.split("/")[0][:-1]


def plan_amend(root: Path, case_id: str, record: str, pairs: list[tuple[str, str]], *, by: Optional[str],
               reason: Optional[str]) -> Change:
    """Correct a recorded event or referral: set FIELD VALUE pairs in its file, as a new commit.

    The commit carries ``Corrects: <commit>`` (the newest commit that changed
    the file: the recording being corrected) and ``Reason:``; both the staff
    member (``by``) and the reason are required. History is never rewritten:
    the recording stays in git, and ``history``/``audit`` show the correction
    under it. The file keeps its name (the date in a file name is where it was
    first recorded; the ``date`` inside is the event's).
    """
    target = _target(root, case_id)
    rel_in_case, kind = _record_file(target, record)
    stem = rel_in_case[:-5]
    staff = _correction_staff_and_reason(target, by, reason, stem)
    if not pairs:
        raise RecordUsageError(Message("name what to correct: FIELD VALUE (e.g. date 2026-08-29)"))
    path = target.folder / rel_in_case
    corrected = gitio.last_commit(target.root, path) if gitio.available() and gitio.toplevel(target.root) else None
    if corrected is None:
        raise RecordUsageError(Message("{path} has no commit to correct; change it with `careerpath edit`",
                                       path=f"cases/{case_id}/{rel_in_case}"))
    edits: list[tuple[tuple, Any]] = []
    shown: list[str] = []
    for fpath, fvalue in pairs:
        try:
            model_path = edit.parse_path(fpath)
            typed = edit.typed_value(file_models(target.programs)[kind], model_path, fvalue)
        except edit.EditError as e:
            raise RecordError(e.message, [], e.diagnostics[0].hint if e.diagnostics else "") from None
        edits.append((model_path, typed))
        private = m.core_personal(kind, model_path)
        value = fvalue.strip() or "null"
        shown.append(edit.show_path(model_path) + ("" if private else f" {value[:39] + '…' if len(value) > 40 else value}"))
    fc, drift = _edit_file(target, rel_in_case, kind, edits)
    trailers = [*_trailers(case_id, [], [], staff, reason), ("Corrects", corrected)]
    return Change(target.root, case_id, [fc], f"{case_id}: amend {stem}: " + ", ".join(shown), trailers, staff, drift,
                  dates=_changed_dates(fc))


_KINDS_IN_CASE = {"case.yaml": "case", "plan.yaml": "plan"}


def _kind_in_case(rel_in_case: str) -> Optional[str]:
    if rel_in_case in _KINDS_IN_CASE:
        return _KINDS_IN_CASE[rel_in_case]
    folder, _sep, name = rel_in_case.partition("/")
    if folder in ("events", "referrals") and "/" not in name and name.endswith(".yaml"):
        return folder[:-1]
    if folder == "documents" and name:
        return "document"
    return None


def plan_revert(root: Path, commit: str, *, by: Optional[str], reason: Optional[str]) -> Change:
    """Undo one recording as a new commit: each file it changed goes back to what it was before it.

    Like ``git revert`` of exactly that commit's files, planned here so it is
    validated like any recording before anything is written: a file the
    recording added is removed (when nobody changed it since), one it changed
    gets the reverse of its change merged in (``git merge-file``; refused when
    later commits changed the same lines), one it deleted comes back. The
    commit must be in the current branch, not a merge, and touch the files of
    one case only. The new commit carries ``Corrects: <commit>`` and
    ``Reason:``; both the staff member and the reason are required.
    """
    root = Path(root)
    if not gitio.available() or gitio.toplevel(root) is None:
        raise RecordUsageError(Message("careerpath revert works on a caseload in git"))
    sha = gitio.resolve_commit(root, commit)
    if sha is None:  # not echoed: text typed in place of a commit id could be anything
        raise RecordUsageError(Message("COMMIT is not a commit of the current branch"),
                               hint=Message("`careerpath history CASE` shows the commits of a case"))
    prefix = gitio.show_prefix(root)
    info = gitio.run(["show", "-s", "--format=%P", sha], root).stdout.decode("ascii", "replace").split()
    if len(info) != 1:
        raise RecordUsageError(Message("commit {commit} is a merge or has no parent: revert undoes one recording",
                                       commit=sha[:10]))
    parent = info[0]
    proc = gitio.run(["diff-tree", "-r", "--no-commit-id", "--no-renames", "--name-status", "-z", parent, sha, "--"],
                     root)
    items = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    changed = [(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2) if items[i]]
    cases, inner = set(), []
    for status, path in changed:
        if not path.startswith(prefix + "cases/") or path[len(prefix) + 6:].count("/") < 1:
            raise RecordUsageError(Message("commit {commit} changes files outside the case folders (such as {path}); "
                                           "revert it with git", commit=sha[:10], path=path[len(prefix):]))
        case_id, _sep, rest = path[len(prefix) + 6:].partition("/")
        cases.add(case_id)
        inner.append((status, path, rest))
    if len(cases) != 1:
        raise RecordUsageError(Message("commit {commit} changes {n} cases; careerpath revert undoes the recording of "
                                       "one case", commit=sha[:10], n=len(cases)))
    case_id = cases.pop()
    target = _target(root, case_id)
    staff = _correction_staff_and_reason(target, by, reason, sha[:10])
    files: list[FileChange] = []
    with gitio.BlobReader(root) as blobs:
        for status, path, rest in inner:
            kind = _kind_in_case(rest)
            if kind is None or rest == "case.yaml" and status in ("A", "D"):
                raise RecordUsageError(Message("commit {commit} adds, removes or changes cases/{case}/{path}, which "
                                               "careerpath revert does not undo; revert it with git", commit=sha[:10],
                                               case=case_id, path=rest))
            here = target.folder / rest
            if here.is_symlink():
                raise RecordError(Message("{path} is a symbolic link; careerpath edits only plain files",
                                          path=f"cases/{case_id}/{rest}"))
            now = read_case_bytes(here, f"cases/{case_id}/{rest}", root) if here.is_file() else None
            before = blobs.read(f"{parent}:{path}")
            at = blobs.read(f"{sha}:{path}")
            rel = f"cases/{case_id}/{rest}"
            if before is None:   # the recording added it
                if now != at:
                    raise RecordUsageError(Message("{path} changed since commit {commit} added it; correct it with "
                                                   "`careerpath amend` instead", path=rel, commit=sha[:10]))
                files.append(FileChange(here, rel, kind, now, b"", deleted=True))
            elif at is None:     # the recording deleted it
                if now is not None:
                    raise RecordUsageError(Message("{path} exists again since commit {commit} deleted it", path=rel,
                                                   commit=sha[:10]))
                files.append(FileChange(here, rel, kind, None, before))
            else:
                if now is None:
                    raise RecordUsageError(Message("{path} was deleted since commit {commit}", path=rel, commit=sha[:10]))
                merged = before if now == at else gitio.merge_file(now, at, before)
                if merged is None:
                    raise RecordUsageError(Message("{path} changed since commit {commit} in the same lines; correct it "
                                                   "with `careerpath set` or `careerpath amend` instead", path=rel,
                                                   commit=sha[:10]))
                files.append(FileChange(here, rel, kind, now, merged))
    change = Change(target.root, case_id, files, f"{case_id}: revert {sha[:10]}",
                    [*_trailers(case_id, [], [], staff, reason), ("Corrects", sha)], staff)
    change.key_dates = [k for fc in files if fc.kind == "case" for k in _key_date_changes(target, fc)]
    return change


def _by_position(target: _Target, kind: str, path: tuple) -> tuple:
    """``path`` with list items named by id (or employer/name slug) turned into positions (:func:`edit.resolve_path`)."""
    file = target.folder / ("plan.yaml" if kind == "plan" else "case.yaml")
    if not file.is_file():
        return path
    data = read_file(file, file.name).data
    try:
        return edit.resolve_path(data, path)
    except edit.EditError as e:
        raise RecordError(e.message) from None


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
    after_cf.appointments = list(before_cf.appointments)
    before_errors: list[Diagnostic] = [d for d in load_diags]
    after_errors: list[Diagnostic] = [d for d in load_diags if d.file not in {f.rel for f in change.files}]
    for fc in change.files:
        if fc.kind == "document":
            continue  # a scan: never parsed
        if fc.deleted:
            if fc.kind in ("event", "referral"):
                dated = after_cf.events if fc.kind == "event" else after_cf.referrals
                dated[:] = [d for d in dated if d.file != fc.rel]
            elif fc.kind == "plan":
                after_cf.plan = None
            continue
        doc, diags = _file_from_bytes(fc.rel, fc.kind, fc.after, target.programs)
        after_errors += diags
        if fc.kind == "case":
            after_cf.case = doc
            if doc.model is not None and doc.model.id != change.case_id:
                after_errors.append(doc.diagnostic(("id",), "error", "case-id-mismatch", "`id` differs from the folder name"))
        elif fc.kind == "plan":
            after_cf.plan = doc
        else:
            dated = {"event": after_cf.events, "appointment": after_cf.appointments}.get(fc.kind, after_cf.referrals)
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

def _signing_key(change: Change) -> Optional[str]:
    """The SSH key the commit is signed with when the caseload signs (``settings.sign_commits: ssh``), else None.

    Refuses (nothing written yet) when the caseload signs and no key is known
    for the staff member, or the key file named is not there.
    """
    from .signing import key_file_missing, sign_mode, signing_key

    target = _target(change.root, change.case_id)
    if sign_mode(target.config.settings) != "ssh":
        return None
    key = signing_key(change.root, change.staff)
    who = change.staff.id if change.staff is not None else None
    if key is None:
        raise RecordUsageError(
            Message("this caseload signs its commits (`settings.sign_commits: ssh`) and no SSH key is known for {who}; "
                    "nothing was written", who=who or Message("the machine's git identity")),
            hint=Message("`git config careerpath.{id}.signingKey ~/.ssh/KEY` names the key file, or add the public key "
                         "as `signing_key` to the person in careerpath.yaml and load it into ssh-agent; "
                         "`careerpath doctor` checks it", id=who or "STAFF"))
    if key_file_missing(key):
        raise RecordError(Message("the SSH key file configured for {who} is not there; nothing was written",
                                  who=who or Message("the machine's git identity")),
                          hint=Message("`careerpath doctor` shows which key is used"))
    return key


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


class GitBusy(RecordBusy):
    """git itself is working in the repository (its ``index.lock`` is held by a live process); nothing was written."""


def apply(change: Change, today: date, *, commit: bool = True, locked: bool = False,
          include_local_edits: bool = False, wait: float = RECORD_WAIT, on_wait: Any = None) -> Recorded:
    """Validate, write every file atomically, then commit exactly those files (inside git).

    Raises RecordError (nothing written) when the change adds errors, when a
    file could not be written, or when a file it changes holds changes no
    commit has (a hand edit, a staged change, an interrupted recording: they
    would be committed under this recording's name) unless
    ``include_local_edits``, which commits them too and names them in the
    message. Raises :class:`GitBusy` when git's ``index.lock`` stays held by a
    live git process for ``wait`` seconds, and RecordError naming the file when
    a dead process left it. A failed commit does not undo the write (the result
    says ``git='failed'`` and why), except when git's lock made it fail: then
    the files are put back as they were. Takes the :func:`recording_lock`
    unless the caller holds it (``locked``: it planned ``change`` under the lock).
    """
    if change.unchanged:
        return Recorded([], gitio.format_message(change.subject, change.trailers), "unchanged")
    if locked:
        return _apply(change, today, commit, include_local_edits, wait, on_wait)
    with recording_lock(change.root):
        return _apply(change, today, commit, include_local_edits, wait, on_wait)


# ---------------------------------------------------------------- what a killed recording leaves

JOURNAL = "recording-{pid}.json"  # in .careerpath/: written before a recording writes, removed once it committed


def _journals(root: Path) -> list[Path]:
    from .fsio import PRIVATE_DIR

    folder = Path(root) / PRIVATE_DIR
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("recording-*.json") if p.is_file() and not p.is_symlink())


def interrupted(root: Path) -> list[dict]:
    """The journals recordings left: ``{"path", "pid", "started", "files"}`` each.

    A recording writes one before it writes any case file and removes it once
    it has committed, so under the recording lock every journal found is a
    recording that was killed. ``files`` are caseload-relative paths (never a
    value); the caller checks which are still uncommitted.
    """
    import json

    found = []
    for path in _journals(root):
        try:
            data = json.loads(read_regular(path, root=root, limit=64 * 1024).decode("utf-8"))
        except (ReadRefused, ValueError):
            data = {}
        data = data if isinstance(data, dict) else {}
        files = data.get("files") if isinstance(data.get("files"), list) else []
        found.append({"path": path, "pid": data.get("pid"), "started": data.get("started"),
                      "files": [f for f in files if isinstance(f, str) and ".." not in Path(f).parts
                                and not Path(f).is_absolute()]})
    return found


def leftovers(root: Path, case_id: Optional[str] = None, journals: Optional[list[dict]] = None
              ) -> tuple[list[str], list[str]]:
    """(files interrupted recordings wrote and nobody committed yet, temporary files of interrupted writes).

    ``journals`` defaults to every journal (:func:`interrupted`). Temporary
    files are looked for in one case's folder (``case_id``) or in every case
    folder. Paths are caseload-relative.
    """
    root = Path(root)
    journals = interrupted(root) if journals is None else journals
    files = sorted({f for j in journals for f in j["files"]})
    pending: list[str] = []
    if files and gitio.available() and gitio.toplevel(root) is not None:
        dirty = gitio.uncommitted(root, [root / f for f in files])
        pending = [f for f in files if root / f in dirty]
    cases = root / "cases"
    folders = [cases / case_id] if case_id else sorted(cases.glob("*")) if cases.is_dir() and not cases.is_symlink() else []
    temps = []
    for folder in folders:
        for sub in (folder, folder / "events", folder / "referrals"):
            if sub.is_dir() and not sub.is_symlink():
                temps += [p.relative_to(root).as_posix() for p in sub.glob(".*.tmp") if p.is_file()]
    return pending, sorted(temps)


def _write_journal(root: Path, rels: list[str]) -> Path:
    import json
    import time

    from .fsio import PRIVATE_DIR

    path = Path(root) / PRIVATE_DIR / JOURNAL.format(pid=os.getpid())
    record = {"pid": os.getpid(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": rels}
    atomic_write(path, json.dumps(record, indent=1) + "\n")
    return path


def _drop_journal(path: Optional[Path]) -> None:
    if path is None:
        return
    try:
        path.unlink()
    except OSError:
        pass  # reported by the next recording and by doctor


def _leftover_notes(change: Change) -> list[Message]:
    """What killed recordings left (we hold the recording lock: no journal here is a live one's)."""
    journals = [j for j in interrupted(change.root) if j["pid"] != os.getpid()]
    pending, temps = leftovers(change.root, change.case_id, journals)
    notes = []
    if pending:
        notes.append(Message("an earlier recording was interrupted before its commit: {list} (check with "
                             "`git status`, then commit or discard)", list=", ".join(pending)))
    for j in journals:
        if not set(j["files"]) & set(pending):
            _drop_journal(j["path"])  # what it wrote was committed or discarded since: nothing left to say
    for t in temps:
        notes.append(Message("a temporary file of an interrupted write is left: {path} (the real file is intact; "
                             "delete it)", path=t))
    return notes


# ---------------------------------------------------------------- git's state before writing

def _git_ready(change: Change, include_local_edits: bool, wait: float, on_wait: Any) -> list[str]:
    """Refuse (nothing written yet) what would make the commit wrong; return the files with local edits to include."""
    import time

    lock = gitio.index_lock(change.root)
    if lock is not None and lock.live:
        deadline = time.monotonic() + wait
        if on_wait is not None:
            on_wait()
        while lock is not None and lock.live and time.monotonic() < deadline:
            time.sleep(0.2)
            lock = gitio.index_lock(change.root)
    if lock is not None:
        _refuse_lock(lock)
    dirty = gitio.uncommitted(change.root, [fc.path for fc in change.files])
    local = [(fc.rel, dirty[fc.path]) for fc in change.files if fc.path in dirty]
    if local and not include_local_edits:
        rel, state = local[0]
        pending, _ = leftovers(change.root, change.case_id, [j for j in interrupted(change.root) if j["pid"] != os.getpid()])
        if rel in pending:
            message = Message("{path} holds an earlier recording that was interrupted before its commit; nothing was "
                              "written", path=rel)
        elif state == "untracked":
            message = Message("{path} is not committed yet; nothing was written", path=rel)
        elif state == "staged":
            message = Message("{path} has staged changes that are not committed; nothing was written", path=rel)
        else:
            message = Message("{path} has changes that are not committed; nothing was written", path=rel)
        hint = (Message("commit them first (`git add` and `git commit`) or discard them (`git checkout -- {path}`), or "
                        "run again with --include-local-edits to commit them with this change", path=rel)
                if state != "untracked" else
                Message("commit it first (`git add` and `git commit`), or run again with --include-local-edits to "
                        "commit it with this change"))
        raise RecordError(message, hint=hint)
    return [rel for rel, _state in local]


def _refuse_lock(lock: "gitio.IndexLock") -> None:
    if lock.live:
        raise GitBusy(Message("git is working in this repository: {path} is held by process {pids}; nothing was "
                              "written", path=lock.path, pids=", ".join(map(str, lock.holders))),
                      hint=Message("run the command again later"))
    raise RecordError(Message("{path} was left by a git process that is no longer running; nothing was written",
                              path=lock.path),
                      hint=Message("no git process is using it: remove it (rm {path}) and run the command again",
                                   path=lock.path))


def _roll_back(change: Change, written: list[FileChange]) -> list[str]:
    """Put the files back as they were before this recording; returns those that could not be."""
    failed = []
    for fc in written:
        try:
            if fc.new:
                fc.path.unlink()
                gitio.run(["reset", "-q", "--", os.path.relpath(fc.path, change.root)], change.root, check=False)
            else:
                atomic_write(fc.path, fc.before or b"")
        except (OSError, WriteError, gitio.GitError):
            failed.append(fc.rel)
    return failed


def _apply(change: Change, today: date, commit: bool, include_local_edits: bool = False,
           wait: float = RECORD_WAIT, on_wait: Any = None) -> Recorded:
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
        if fc.before is not None and _current(fc, change.root) != fc.before:
            raise RecordError(Message("{path} changed while it was being edited; nothing was written, run the command again",
                                      path=fc.rel))
    notes = notes + _leftover_notes(change)
    top = None
    if commit and gitio.available():
        try:
            top = gitio.toplevel(change.root)
        except gitio.GitError as e:
            raise RecordError(Message("{error}; nothing was written", error=message_of(e))) from None
    included: list[str] = []
    trailers = list(trailers)  # with the late-entry trailers
    journal = None
    sign: Optional[str] = None
    if top is not None:
        try:
            included = _git_ready(change, include_local_edits, wait, on_wait)
        except gitio.GitError as e:
            raise RecordError(Message("{error}; nothing was written", error=message_of(e))) from None
        trailers += [("Local-edits", rel) for rel in included]
        sign = _signing_key(change)
        journal = _write_journal(change.root, [fc.rel for fc in change.files])
    written: list[FileChange] = []
    try:
        for fc in change.files:
            if fc.deleted:
                try:
                    fc.path.unlink()
                except OSError as e:
                    raise WriteError(Message("cannot remove {path} ({reason})", path=fc.rel,
                                             reason=e.strerror or type(e).__name__)) from None
            else:
                atomic_write(fc.path, fc.after, exclusive=fc.new)
            written.append(fc)
    except WriteError as e:
        _drop_journal(journal)
        raise RecordError(message_of(e) if not written else
                          Message("{error} ({n} file(s) were written before)", error=message_of(e), n=len(written))) from None
    message = gitio.format_message(change.subject, trailers)
    result = Recorded([fc.rel for fc in change.files], message, "skipped", drift=change.drift,
                      warnings=[d for d in found if d.severity == "warning"], notes=notes, late_entry=late,
                      cleared=cleared)
    if included:
        result.notes.append(Message("committed with the changes that were not committed in: {list}",
                                    list=", ".join(included)))
    if was_closed:
        result.notes.append(Message("the case is closed; `careerpath audit` reports changes made after the closure"))
    if not commit:
        return result
    if not gitio.available():
        result.git = "no-git"
        return result
    if top is None:
        result.git = "not-a-repository"
        return result
    try:
        s = change.staff
        author = gitio.staff_identity(s.id, s.name, s.email) if s is not None else None
        made = gitio.commit_paths(change.root, [fc.path for fc in change.files], message, fallback=_identity_env(change),
                                  author=author, sign=sign)
    except gitio.GitError as e:
        if e.lock is not None:  # another git took its lock after the check: put the files back, nothing half-done
            stuck = _roll_back(change, written)
            _drop_journal(journal)
            if stuck:
                result.git = "failed"
                result.notes.append(e.message)
                return result
            lock = gitio.index_lock(change.root)
            if lock is None or lock.live:
                raise GitBusy(Message("git was working in this repository ({path}) when the commit ran; the files "
                                      "are back as they were, nothing was written", path=e.lock),
                              hint=Message("run the command again"))
            _refuse_lock(lock)
        _drop_journal(journal)
        result.git = "failed"
        result.notes.append(e.message)
        return result
    _drop_journal(journal)
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


def amend(root: Path, case_id: str, record: str, pairs: list[tuple[str, str]], today: date, *, by: Optional[str],
          reason: Optional[str], commit: bool = True) -> Recorded:
    """Correct a recorded event or referral (see :func:`plan_amend`) and commit it."""
    return apply(plan_amend(root, case_id, record, pairs, by=by, reason=reason), today, commit=commit)


def revert(root: Path, commit_id: str, today: date, *, by: Optional[str], reason: Optional[str],
           commit: bool = True) -> Recorded:
    """Undo one recording (see :func:`plan_revert`) and commit it."""
    return apply(plan_revert(root, commit_id, by=by, reason=reason), today, commit=commit)


def close_case(root: Path, case_id: str, day: date, today: date, *, reason: str, by: Optional[str] = None,
               note: Optional[str] = None, override: Optional[str] = None, commit: bool = True) -> Recorded:
    """Close a case (see :func:`plan_close`) and commit it."""
    return apply(plan_close(root, case_id, day, reason=reason, by=by, note=note, override=override), today,
                 commit=commit)


# ---------------------------------------------------------------- common plan edits (`careerpath plan CASE …`)

def _plan_target(root: Path, case_id: str, by: Optional[str]) -> tuple[_Target, Optional[m.Staff], dict]:
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    if not (target.folder / "plan.yaml").is_file():
        raise RecordError(Message("case {name} has no plan.yaml yet; write one by hand first (FORMAT.md shows the form)",
                                  name=case_id))
    data = read_file(target.folder / "plan.yaml", "plan.yaml").data
    return target, staff, data if isinstance(data, dict) else {}


def _plan_change(target: _Target, staff: Optional[m.Staff], edits: list[tuple[tuple, Any]], subject: str,
                 programs: list[str] | None = None) -> Change:
    fc, drift = _edit_file(target, "plan.yaml", "plan", edits)
    addresses = [edit.show_path(("plan", *p)) for p, _ in edits]
    rules = rulelinks.for_fields(target.programs, addresses, _case_data(target))
    return Change(target.root, target.case_id, [fc], f"{target.case_id}: {subject}",
                  _trailers(target.case_id, programs or _programs_of(target, rules, None), rules, staff), staff, drift)


def _next_id(taken: list[str], prefix: str) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def plan_add_goal(root: Path, case_id: str, *, area: str, statement: str, own_words: Optional[str] = None,
                  by: Optional[str] = None) -> Change:
    """Append a goal to plan.yaml with the next free id (``g4``) and no objectives yet."""
    target, staff, data = _plan_target(root, case_id, by)
    goals = data.get("goals") if isinstance(data.get("goals"), list) else []
    gid = _next_id([g.get("id") for g in goals if isinstance(g, dict)], "g")
    goal: dict[str, Any] = {"id": gid, "area": area, "statement": edit.free_text(statement)}
    if own_words:
        goal["own_words"] = edit.free_text(own_words)
    goal["objectives"] = []
    # the person's words stay out of the subject: it names the goal by id
    return _plan_change(target, staff, [(("goals", len(goals)), edit.to_yaml(goal, flow=False))], f"plan add goal {gid}")


def plan_add_objective(root: Path, case_id: str, goal: str, *, text: str, due: Optional[date] = None,
                       by: Optional[str] = None) -> Change:
    """Append an objective to goal ``goal`` (by id) with the next free id (``g1.o4``)."""
    target, staff, data = _plan_target(root, case_id, by)
    try:
        (_, gi) = edit.resolve_path(data, ("goals", goal))
    except edit.EditError as e:
        raise RecordError(e.message) from None
    objectives = data["goals"][gi].get("objectives") or []
    oid = _next_id([o.get("id") for o in objectives if isinstance(o, dict)], f"{goal}.o")
    value = edit.to_yaml({"id": oid, "text": edit.free_text(text), "due": due.isoformat() if due else None, "done": None})
    return _plan_change(target, staff, [(("goals", gi, "objectives", len(objectives)), value)],
                        f"plan add objective {oid}")


def plan_done(root: Path, case_id: str, item: str, day: date, *, by: Optional[str] = None) -> Change:
    """Mark an objective (by id: ``g1.o3``) or a service (by the slug of its name: ``discovery``) done on ``day``."""
    target, staff, data = _plan_target(root, case_id, by)
    path: Optional[tuple] = None
    for gi, g in enumerate(data.get("goals") or []):
        for oi, o in enumerate((g or {}).get("objectives") or [] if isinstance(g, dict) else []):
            if item in edit.item_names(o):
                path = ("goals", gi, "objectives", oi, "done")
    if path is None:
        hits = [si for si, s in enumerate(data.get("services") or []) if item in edit.item_names(s)]
        if len(hits) == 1:
            path = ("services", hits[0], "done")
    if path is None:
        known = [n for g in data.get("goals") or [] if isinstance(g, dict) for o in g.get("objectives") or []
                 for n in edit.item_names(o)[:1]]
        known += [n for s in data.get("services") or [] for n in edit.item_names(s)[:1]]
        raise RecordError(Message("the plan has no objective or service `{name}` ({list})", name=item,
                                  list=", ".join(known) or "-"))
    if edit.get_value(data, path) is not None:
        raise RecordError(Message("`{name}` is already done; `careerpath set` changes its date", name=item))
    return _plan_change(target, staff, [(path, day.isoformat())], f"plan done {item} {day.isoformat()}")


def plan_add_service(root: Path, case_id: str, *, name: str, program: str, provider: Optional[str], start: date,
                     due: Optional[date] = None, by: Optional[str] = None) -> Change:
    """Append a service to plan.yaml (named, under a program, with a provider from careerpath.yaml's staff)."""
    target, staff, data = _plan_target(root, case_id, by)
    _known_program(target, program)
    services = data.get("services") if isinstance(data.get("services"), list) else []
    value = edit.to_yaml({"name": edit.free_text(name), "program": program, "provider": provider,
                          "start": start.isoformat(), "due": due.isoformat() if due else None, "done": None})
    return _plan_change(target, staff, [(("services", len(services)), value)],
                        f"plan add service {len(services) + 1} {program}", [program])


# ---------------------------------------------------------------- a whole file edited by hand (`careerpath edit`)

def case_file(root: Path, case_id: str, name: Optional[str]) -> tuple[Path, str, str]:
    """(path, path inside the case folder, kind) of the file ``careerpath edit CASE [FILE]`` opens:
    case.yaml, plan.yaml, events/<file>.yaml or referrals/<file>.yaml (``.yaml`` may be left off)."""
    target = _target(root, case_id)
    rel = (name or "case.yaml").strip().strip("/")
    if not rel.endswith(".yaml"):
        rel += ".yaml"
    parts = rel.split("/")
    kinds = {"case.yaml": "case", "plan.yaml": "plan"}
    if len(parts) == 1 and rel in kinds:
        kind = kinds[rel]
    elif len(parts) == 2 and parts[0] in ("events", "referrals") and _STEM.match(parts[1][:-5]):
        kind = parts[0][:-1]
    else:
        raise RecordError(Message("FILE must be `case.yaml`, `plan.yaml`, `events/<file>.yaml` or `referrals/<file>.yaml`"))
    path = target.folder / rel
    if path.is_symlink():
        raise RecordError(Message("{path} is a symbolic link; careerpath edits only plain files", path=f"cases/{case_id}/{rel}"))
    if not path.is_file() and kind != "plan":
        raise RecordError(Message("case {name} has no {path}", name=case_id, path=rel))
    return path, rel, kind


def plan_edit(root: Path, case_id: str, rel_in_case: str, kind: str, after: bytes, *, by: Optional[str] = None,
              before: Optional[bytes] = None) -> Change:
    """A whole new content for one file of a case (``careerpath edit``): checked and committed like any recording.

    ``before``: the bytes the editor started from (None for a new plan.yaml); :func:`apply` refuses to
    write when the file changed on disk meanwhile.
    """
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    path = target.folder / rel_in_case
    fc = FileChange(path, f"cases/{case_id}/{rel_in_case}", kind, before, after)
    return Change(target.root, case_id, [fc], f"{case_id}: edit {rel_in_case}", _trailers(case_id, [], [], staff), staff)
