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

    @property
    def unchanged(self) -> bool:
        """Every file already says this: nothing to write or commit."""
        return all(fc.before == fc.after for fc in self.files)

    def diff(self) -> str:
        return "".join(edit.unified_diff(f.before or b"", f.after, f.rel) for f in self.files)


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

    def to_dict(self) -> dict[str, Any]:
        """What the recording commands print with ``--format json`` (paths relative to the caseload)."""
        return {"files": list(self.paths), "subject": self.message.splitlines()[0] if self.message else "",
                "message": self.message, "git": self.git, "commit": self.commit, "identity": self.identity,
                "drift": self.drift, "warnings": [d.to_dict() for d in self.warnings], "notes": list(self.notes),
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


def _trailers(case_id: str, programs: list[str], rules: list[str], staff: Optional[m.Staff]) -> list[tuple[str, str]]:
    out = [("Case", case_id)]
    out += [("Program", p) for p in programs]
    out += [("Rule", r) for r in rules]
    if staff is not None:
        out.append(("Staff", staff.id))
    return out


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
    for key, value in (fields or {}).items():  # more fields of the event (a feedback's channel, rating...)
        data[key] = edit.free_text(value) if isinstance(value, str) else value
    folder = target.folder / "events"
    name = _unique_name(folder, day, event_type)
    text = edit.new_text(data, modeline("event", 3))
    rules = rulelinks.for_event(target.programs, event_type, program, _case_data(target))
    fc = FileChange(folder / name, f"cases/{case_id}/events/{name}", "event", None, text.encode("utf-8"))
    return Change(target.root, case_id, [fc], f"{case_id}: log {event_type} {day.isoformat()}",
                  _trailers(case_id, _programs_of(target, rules, program), rules, staff), staff)


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
                  _trailers(case_id, [program] if program else [], rules, staff), staff)


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
                  _trailers(case_id, [], rules, staff), staff, drift)


def plan_set(root: Path, case_id: str, field_path: str, value: str, *, by: Optional[str] = None,
             more: list[tuple[str, str]] | None = None) -> Change:
    """Change one field of case.yaml, or of plan.yaml when the path starts with ``plan.``.

    ``more`` holds further (field, value) pairs changed in the same write and
    commit, for fields that must change together (an eligibility ``status`` and
    its ``decided`` date). All pairs address the same file.
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
    rules = rulelinks.for_fields(target.programs, addresses, _case_data(target, fc.after if kind == "case" else None))
    if not programs:
        programs = _programs_of(target, rules, None)
    subject = f"{case_id}: set " + ", ".join(shown_parts)
    return Change(target.root, case_id, [fc], subject, _trailers(case_id, programs, rules, staff), staff, drift)


def plan_close(root: Path, case_id: str, day: date, *, reason: str, by: Optional[str] = None) -> Change:
    """Close a case: ``status: closed`` and ``closure: {date, reason}`` in case.yaml."""
    target = _target(root, case_id)
    staff = _staff(target.config.staff, by)
    current = _case_model(target)
    if current is not None and current.status == "closed":
        raise RecordError(Message("the case {name} is already closed", name=case_id))
    closure = edit.to_yaml({"date": day.isoformat(), "reason": edit.free_text(reason)})
    fc, drift = _edit_file(target, "case.yaml", "case", [(("status",), "closed"), (("closure",), closure)])
    return Change(target.root, case_id, [fc], f"{case_id}: close {day.isoformat()}",
                  _trailers(case_id, [], [], staff), staff, drift)


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


def check_change(change: Change, today: date, *, warnings: bool = False) -> list[Diagnostic]:
    """The errors ``change`` would add to its case (empty: safe to write).

    With ``warnings``, the warnings it would add as well (an unknown event
    type, a future date): they do not refuse a change but are worth showing.
    """
    target = _target(change.root, change.case_id)
    load_diags: list[Diagnostic] = []
    before_cf = load_case(target.root, target.folder, load_diags, programs=target.programs)
    after_cf = copy.copy(before_cf)
    after_cf.events = list(before_cf.events)
    after_cf.referrals = list(before_cf.referrals)
    before_errors: list[Diagnostic] = [d for d in load_diags]
    after_errors: list[Diagnostic] = [d for d in load_diags if d.file not in {f.rel for f in change.files}]
    for fc in change.files:
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
    return Recorded([fc.rel for fc in change.files], gitio.format_message(change.subject, change.trailers), "dry-run",
                    drift=change.drift, warnings=[d for d in found if d.severity == "warning"], diff=change.diff())


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
    message = gitio.format_message(change.subject, change.trailers)
    result = Recorded([fc.rel for fc in change.files], message, "skipped", drift=change.drift,
                      warnings=[d for d in found if d.severity == "warning"])
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
        made = gitio.commit_paths(change.root, [fc.path for fc in change.files], message, fallback=_identity_env(change))
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
              more: list[tuple[str, str]] | None = None, commit: bool = True) -> Recorded:
    """Change one field, or several together (see :func:`plan_set`), and commit it."""
    return apply(plan_set(root, case_id, field_path, value, by=by, more=more), today, commit=commit)


def close_case(root: Path, case_id: str, day: date, today: date, *, reason: str, by: Optional[str] = None,
               commit: bool = True) -> Recorded:
    """Close a case (see :func:`plan_close`) and commit it."""
    return apply(plan_close(root, case_id, day, reason=reason, by=by), today, commit=commit)
