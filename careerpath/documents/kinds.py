"""Document kinds at work: which fit a case, and what a case still lacks for one.

The kinds are data (``programs/<id>/documents.yaml`` and the shared
``documents/kinds.yaml``, parsed by :mod:`careerpath.programs.kinds`);
:func:`kinds_of` pairs each with the programs whose people get it (their
``documents:`` lists) and the words it shows. :meth:`Kind.missing` reads a
kind's requirements against a :class:`Subject` and names what is missing by
file and path, never by value, so the message is safe to print and to log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .. import models as m
from ..programs import ProgramSet, load_programs
from ..programs.constraints import holds
from ..programs.kinds import KindSpec, Requirement, split
from . import labels as L

STAFF_NOTE = "an id listed under staff in careerpath.yaml"


@dataclass(frozen=True)
class Subject:
    """The typed inputs of one document: one case, its caseload settings and the programs it is read with."""

    case: m.Case
    plan: Optional[m.Plan]
    events: tuple[m.Event, ...]
    referrals: tuple[m.Referral, ...]
    config: m.CaseloadConfig
    programs: ProgramSet = field(default_factory=load_programs)

    def staff_id(self, role: str) -> Optional[str]:
        """The staff id in ``role``: ``staff.<role>`` in case.yaml, else a staff field with ``role:`` in an enrollment."""
        sid = getattr(self.case.staff, role.replace("-", "_"), None)
        if sid is not None:
            return sid
        for pid, data in self.case.enrollments.items():
            program = self.programs.get(pid)
            if program is None:
                continue
            for path, spec in program.walk():
                if spec.type == "staff" and spec.role == role and "*" not in path:
                    value = _walk(data, path)
                    if isinstance(value, str) and value:
                        return value
        return None

    def staff_member(self, role: str) -> Optional[m.Staff]:
        sid = self.staff_id(role)
        return next((s for s in self.config.staff if s.id == sid), None) if sid else None

    def referral(self, kind: str) -> Optional[m.Referral]:
        """The latest referral of ``kind`` (referrals are sorted by date)."""
        found = [r for r in self.referrals if r.kind == kind]
        return found[-1] if found else None


def _step(value: Any, name: str) -> Any:
    """One step down a path: a key of a mapping (Record), a field of a model (by its name in the file)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, m.Model):
        return getattr(value, name.replace("-", "_"), None)
    return None


def _walk(value: Any, parts: tuple) -> Any:
    for part in parts:
        value = _step(value, part)
    return value


def _is_set(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return value not in (None, "", [], {})


@dataclass(frozen=True)
class Kind:
    """A document kind of a caseload's program set: its declaration, the programs it serves, the words it shows."""

    spec: KindSpec
    programs: tuple[str, ...]                    # the programs whose people get it
    label_msgids: frozenset = frozenset()        # the words of its `labels` tables (English msgids)

    name = property(lambda self: self.spec.name)
    title = property(lambda self: self.spec.title)
    owner = property(lambda self: self.spec.owner)
    audience = property(lambda self: self.spec.audience)
    labels = property(lambda self: self.spec.labels)

    @property
    def period(self) -> Optional[str]:
        return self.spec.period or None

    @property
    def template(self) -> str:
        return self.spec.template

    # ------------------------------------------------------------ reading paths

    def value(self, subject: Subject, path: str) -> Any:
        """The value at a path of the kinds' vocabulary (see careerpath.programs.kinds); None when absent."""
        parts = split(path)
        root, rest = parts[0], parts[1:]
        if root == "config":
            base: Any = subject.config
        elif root == "case":
            base = subject.case
        elif root == "plan":
            base = subject.plan
        elif root == "staff":
            return subject.staff_member(rest[0])
        elif root == "referral":
            base, rest = subject.referral(rest[0]), rest[1:]
        elif root == "enrollment":
            base = subject.case.enrollments.get(self.owner) if self.owner else None
        elif root == "enrollments":
            base, rest = subject.case.enrollments.get(rest[0]), rest[1:]
        else:  # pragma: no cover (the program loader refuses other roots)
            return None
        return _walk(base, rest)

    def applies_to(self, case: m.Case) -> bool:
        """The person is in one of the kind's programs."""
        return any(case.enrollments.get(p) is not None for p in self.programs)

    def fits(self, subject: Subject) -> bool:
        """The kind's situation holds (a referral on file, a decision); a kind without one fits everyone."""
        if not self.spec.situation:
            return True
        return any(holds(alt, lambda p: self.value(subject, p)) for alt in self.spec.situation)

    def applies(self, subject: Subject) -> bool:
        """The kind fits this case: one of its programs, and its situation."""
        return self.applies_to(subject.case) and self.fits(subject)

    # ------------------------------------------------------------ requirements

    def missing(self, subject: Subject) -> list[str]:
        """What the document cannot be made without and this case lacks, by file and path (never a value)."""
        out: list[str] = []
        reported: list[str] = []  # single paths reported missing: nothing inside them is reported again
        for req in self.spec.requires:
            if any(all(p.startswith(r + ".") for p in req.paths) for r in reported):
                continue
            found = self._check(req, subject)
            if found and len(req.paths) == 1 and "*" not in split(req.paths[0]):
                reported.append(req.paths[0])
            out.extend(found)
        return out

    def _check(self, req: Requirement, subject: Subject) -> list[str]:
        parts = split(req.paths[0])
        if "*" in parts:  # every (matching) item of a list must have the rest of the path
            star = parts.index("*")
            items = self.value(subject, ".".join(parts[:star]))
            out = []
            for i, item in enumerate(items if isinstance(items, list) else []):
                if req.where and not holds(req.where, lambda p: _walk(item, split(p))):
                    continue
                if not self._holds(req, _walk(item, parts[star + 1:])):
                    shown = ".".join(parts[:star]) + f"[{i}]" + "".join("." + p for p in parts[star + 1:])
                    out.append(self._message(req, (shown,)))
            return out
        for path in req.paths:
            value = self.value(subject, path)
            if req.where:
                value = [v for v in (value if isinstance(value, list) else [])
                         if holds(req.where, lambda p, v=v: _walk(v, split(p)))]
            if self._holds(req, value):
                return []
        return [self._message(req, req.paths)]

    @staticmethod
    def _holds(req: Requirement, value: Any) -> bool:
        if req.has_value:
            return value in req.value if isinstance(req.value, tuple) else value == req.value
        return _is_set(value)

    def _message(self, req: Requirement, paths: tuple[str, ...]) -> str:
        """``case.yaml: person.phone or person.address (why)``; alternatives in other files after ", or "."""
        text = ""
        last_file = None
        for path in paths:
            file, where = self._where(path)
            if file == last_file:
                text += f" or {where}"
            else:
                text += (", or " if text else "") + (f"{file}: {where}" if where else file)
            last_file = file
        why = req.why
        if not why and req.has_value:
            why = " or ".join(str(v) for v in (req.value if isinstance(req.value, tuple) else (req.value,)))
        if not why and all(split(p)[0] == "staff" for p in paths):
            why = STAFF_NOTE
        return f"{text} ({why})" if why else text

    def _where(self, path: str) -> tuple[str, str]:
        """(file, path inside it) as a person editing the caseload reads them."""
        parts = split(path)
        root, rest = parts[0], ".".join(parts[1:])
        if root == "config":
            return "careerpath.yaml", rest
        if root in ("case", "staff"):
            return "case.yaml", rest if root == "case" else path
        if root == "plan":
            return "plan.yaml", rest
        if root == "enrollment":
            return "case.yaml", "enrollments." + self.owner + (f".{rest}" if rest else "")
        if root == "enrollments":
            return "case.yaml", path
        kind, _, inner = rest.partition(".")
        return f"referrals/<date>-<slug>.yaml with kind: {kind}", inner


# ---------------------------------------------------------------- the kinds of a program set

_BY_SET: dict[bytes, dict[str, Kind]] = {}


def kinds_of(programs: ProgramSet) -> dict[str, Kind]:
    """Every document kind the program set declares, by name, with the programs that list it.

    Order: each program's own kinds (programs in their order), then the shared
    ones. A kind no program lists stays known (``render`` makes it for any
    case that has its data) but applies to nobody.
    """
    hit = _BY_SET.get(programs.fingerprint) if programs.fingerprint else None
    if hit is not None:
        return hit
    users = programs.documents()
    out = {name: Kind(spec, users.get(name, ()), frozenset(label_msgids(spec, programs)))
           for name, spec in programs.kinds().items()}
    if programs.fingerprint:
        if len(_BY_SET) > 16:
            _BY_SET.clear()
        _BY_SET[programs.fingerprint] = out
    return out


def label_msgids(spec: KindSpec, programs: ProgramSet) -> set[str]:
    """The English msgids of the label tables a kind shows (``labels:``).

    ``events`` and ``programs`` hold the words of the built-in programs and of
    the programs that list the kind; a caseload's other programs do not make
    every document need their words (the engine adds those a case shows).
    """
    users = set(programs.documents().get(spec.name, ())) | {spec.owner}
    near = [p for p in programs if p.builtin or p.id in users]
    out: set[str] = set()
    for name in spec.labels:
        if name == "events":
            out |= set(L.EVENT_TYPES.values()) | {label for p in near for label in p.events.values()}
        elif name == "programs":
            out |= {p.label for p in near}
        elif name in L.TABLES:
            out |= set(L.TABLES[name].values())
        else:  # a choice field: enrollment.<path> of the owner, enrollments.<id>.<path> of another program
            parts = split(name)
            pid, path = (spec.owner, parts[1:]) if parts[0] == "enrollment" else (parts[1], parts[2:])
            program = programs.get(pid)
            found = program.field(path) if program is not None else None
            out |= {label for _v, label in (found.labels if found is not None else ())}
    return out


def builtin_kinds() -> dict[str, Kind]:
    """The kinds of the programs that ship with careerpath."""
    return kinds_of(load_programs())


def kind_msgids(programs: Optional[ProgramSet] = None) -> set[str]:
    return {k.title for k in kinds_of(programs or load_programs()).values()}


def __getattr__(name: str) -> Any:
    if name == "KINDS":  # the built-in kinds, read when first asked for (a caseload may add its own: kinds_of)
        return builtin_kinds()
    raise AttributeError(name)
