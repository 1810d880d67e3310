"""Program folders -> :class:`Program` values, and the set every command sees.

A program is a folder: ``careerpath/programs/<id>/`` for the four that ship,
``<caseload>/programs/<id>/`` for a caseload's own. Each holds

``program.yaml``  names, enrollment fields (and which date its start and end),
                  settings, event types, document kinds, dashboard stages,
                  registries (:mod:`.registries`), data checks and their codes
``rules.yaml``    its obligation rules (optional)
``documents.yaml`` the document kinds it owns (optional; see :mod:`.kinds`)
``templates/``    its document templates, ``<kind>.j2`` (optional)
``locale/``       translations of its templates' words (optional)
``checks.py``     checks data cannot express (optional; built-in folders only:
                  a caseload is data, and nothing in it runs)

:func:`load_programs` reads the built-in folders once per process and a
caseload's folders whenever their files change. A broken built-in folder is a
bug in careerpath (:class:`ProgramError`); a broken caseload folder is a
diagnostic at its file and line, and that program is left out.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from ..diagnostics import Diagnostic
from ..i18n.messages import Message
from .ends import Ends, enrollment_end
from .fields import FieldError, FieldSpec, build_model, check_keys, find, parse_fields
from .files import BUILTIN, PROGRAM_FILE, RULES_FILE, builtin_files, digest, fingerprint, folders, program_files
from .kinds import DOCUMENTS_FILE, SHARED_FILE, KindSpec, other_program_paths, read_kinds
from .registries import RegistrySpec, parse_registries
from .services import SERVICES_FILE, ServiceSpec, read_services

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CODE = re.compile(r"^[a-z][a-z0-9-]*$")
_TOP_KEYS = {"id", "names", "reviewed", "label", "agency_language", "calendar", "staff", "start", "enrollment", "settings", "events",
             "documents", "stages", "codes", "checks", "new", "ends", "closure", "registries"}
_ENDS_KEYS = {"fields", "events"}
_CLOSURE_KEYS = {"reasons", "conditions"}
_CONDITION_KEYS = {"reason", "needs", "message", "hint"}
_NEW_KEYS = {"option", "required", "required_when", "value", "when", "comment", "help"}
_CHECK_KEYS = {"code", "when", "require", "require_any", "forbid", "range", "within", "at", "at_missing", "message",
               "hint"}


class ProgramError(Exception):
    """A program folder is malformed (``message`` names the file and line)."""

    def __init__(self, message: str, diagnostic: Optional[Diagnostic] = None):
        super().__init__(message)
        self.message, self.diagnostic = message, diagnostic


@dataclass(frozen=True)
class CheckSpec:
    """One data check of a program (see :mod:`careerpath.programs.constraints`)."""

    code: str
    message: str
    hint: str = ""
    when: tuple = ()                 # ((path, expected), ...) as in rule conditions
    require: tuple[str, ...] = ()
    require_any: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    range: Optional[tuple[str, Optional[float], Optional[float]]] = None
    within: Optional[tuple[str, str, str]] = None
    at: str = ""
    at_missing: str = ""


@dataclass(frozen=True)
class NewField:
    """One enrollment field as ``careerpath new`` writes it: a fixed value, or one asked for by an option."""

    name: str
    option: str = ""                 # `new --<option> VALUE` (without the dashes)
    required: bool = False
    required_when: tuple = ()        # a condition on the other new fields
    value: Any = None                # written when no option is given ("{opened}": the case's opening date)
    has_value: bool = False
    when: tuple = ()                 # written only when this condition holds
    comment: str = ""
    help: str = ""


@dataclass(frozen=True)
class Program:
    """Everything careerpath knows about one program, read from its folder."""

    id: str
    folder: Path
    builtin: bool
    names: dict[str, str]
    label: str
    fields: tuple[FieldSpec, ...]
    settings: tuple[FieldSpec, ...] = ()
    events: dict[str, str] = field(default_factory=dict)        # event type -> English label
    documents: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    start: str = ""
    calendar: str = ""
    reviewed: dict[str, bool] = field(default_factory=dict)
    stages: tuple[tuple[str, tuple], ...] = ()                   # (stage, condition items)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (severity, meaning)
    checks: tuple[CheckSpec, ...] = ()
    code_checks: tuple[Callable, ...] = ()                       # from a built-in folder's checks.py
    rules: tuple = ()                                            # obligation rules (obligations.rules.Rule)
    new: tuple[NewField, ...] = ()                               # what `careerpath new --program ID` writes
    ends: Ends = Ends()                                          # what ends an enrollment (besides closure)
    closure_reasons: tuple[str, ...] = ()                        # closure reasons besides the core ones
    closure_conditions: tuple = ()                               # closing.Condition: what a reason needs first
    source: str = ""                                             # program.yaml as the user names it
    registries: tuple[RegistrySpec, ...] = ()                    # tables for `report registry`
    kinds: tuple[KindSpec, ...] = ()                             # the document kinds it owns (documents.yaml)
    services: tuple[ServiceSpec, ...] = ()                       # its service catalogue (services.yaml)
    agency_language: str = ""                                    # the language its agencies read ("" = the caseload's)

    @cached_property
    def model(self) -> Any:
        """The pydantic model an enrollment in this program is validated with."""
        return build_model(self.fields, "Enrollment_" + self.id.replace("-", "_"))

    def name_in(self, lang: str) -> str:
        base = (lang or "en").split("-")[0].lower()
        return self.names.get(lang) or self.names.get(base) or self.names.get("en") or self.id

    def field(self, path: Iterable) -> Optional[FieldSpec]:
        """The declaration of an enrollment field by its path (``("eligibility", "decided")``)."""
        return find(self.fields, tuple(path))

    def walk(self) -> list[tuple[tuple, FieldSpec]]:
        """(path, spec) of every declared enrollment field, depth first (list items as ``*``)."""
        out: list[tuple[tuple, FieldSpec]] = []
        for f in self.fields:
            out.append(((f.name,), f))
            out.extend(f.walk((f.name,)))
        return out

    def began(self, enrollment: Any) -> Optional[date]:
        """The day an enrollment began: its field named by ``start:`` (None when undeclared or unset)."""
        value = enrollment.get(self.start) if self.start and isinstance(enrollment, dict) else None
        return value if isinstance(value, date) else None

    def ended(self, enrollment: Any, events: Iterable[Any] = (), closed_on: Optional[date] = None) -> Optional[date]:
        """The day an enrollment ends (FORMAT.md, "When an enrollment ends"), or None while nothing ends it.

        The earliest of what ``ends:`` declares (:func:`enrollment_end`: its date fields, the first
        event of its types among ``events``, the case's events as models) and ``closed_on``, the
        case's closure date. The obligations engine stops the program's rules at the same day, so
        reports and ``due`` agree on when an enrollment ended. A date may lie after today (a CCP
        authorization runs until ``authorized_until``).
        """
        dates = [enrollment_end(self.ends, self.id, enrollment, events) if isinstance(enrollment, dict) else None,
                 closed_on]
        dates = [d for d in dates if isinstance(d, date)]
        return min(dates) if dates else None

    def staff_of(self, enrollment: Any) -> list[tuple[str, str]]:
        """(role, staff id) of every ``type: staff`` field set in an enrollment (role "" when undeclared)."""
        out: list[tuple[str, str]] = []
        for path, spec in self.walk():
            if spec.type == "staff":
                out.extend((spec.role, v) for v in _values_at(enrollment, path) if isinstance(v, str) and v)
        return out

    @property
    def key_dates(self) -> tuple[str, ...]:
        """Enrollment-relative dotted paths of the fields declared ``key_date``."""
        return tuple(".".join(p) for p, f in self.walk() if f.key_date and "*" not in p)


@dataclass(frozen=True)
class ProgramSet:
    """The programs a caseload sees (built-in first, then its own, each in id order)."""

    programs: tuple[Program, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    fingerprint: bytes = b""
    shared_kinds: tuple[KindSpec, ...] = ()                      # careerpath/documents/kinds.yaml

    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.programs)

    def get(self, program_id: str) -> Optional[Program]:
        return next((p for p in self.programs if p.id == program_id), None)

    def __contains__(self, program_id: object) -> bool:
        return any(p.id == program_id for p in self.programs)

    def __iter__(self):
        return iter(self.programs)

    def nearest(self, name: str) -> Optional[str]:
        """The program id a misspelled ``name`` most likely means (None when nothing is close)."""
        close = difflib.get_close_matches(name, self.ids(), n=1, cutoff=0.6)
        return close[0] if close else None

    def event_types(self) -> dict[str, str]:
        """Every event type some program counts -> its English label (first declaration wins)."""
        out: dict[str, str] = {}
        for p in self.programs:
            for t, label in p.events.items():
                out.setdefault(t, label)
        return out

    def known_event_types(self) -> tuple[str, ...]:
        """The closed list of event types: those some program counts, then the history-only ones."""
        from ..models import HISTORY_EVENT_TYPES

        counted = tuple(self.event_types())
        return counted + tuple(t for t in HISTORY_EVENT_TYPES if t not in counted)

    def setting_specs(self) -> tuple[FieldSpec, ...]:
        seen: dict[str, FieldSpec] = {}
        for p in self.programs:
            for s in p.settings:
                seen.setdefault(s.name, s)
        return tuple(seen.values())

    def codes(self) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for p in self.programs:
            out.update(p.codes)
        return out

    def new_options(self) -> dict[str, tuple[str, ...]]:
        """Each ``careerpath new`` option a program declares -> the programs that take it."""
        out: dict[str, list[str]] = {}
        for p in self.programs:
            for f in p.new:
                if f.option:
                    out.setdefault(f.option, []).append(p.id)
        return {k: tuple(v) for k, v in out.items()}

    def documents(self) -> dict[str, tuple[str, ...]]:
        """Document kind -> the programs whose people it applies to."""
        out: dict[str, list[str]] = {}
        for p in self.programs:
            for kind in p.documents:
                out.setdefault(kind, []).append(p.id)
        return {k: tuple(v) for k, v in out.items()}

    def kinds(self) -> dict[str, KindSpec]:
        """Every declared document kind by name: each program's (in program order), then the shared ones."""
        out: dict[str, KindSpec] = {}
        for spec in [k for p in self.programs for k in p.kinds] + list(self.shared_kinds):
            out.setdefault(spec.name, spec)
        return out

    def registries(self) -> dict[str, RegistrySpec]:
        """Every registry the programs declare, by name (a name is the program's that declared it first)."""
        out: dict[str, RegistrySpec] = {}
        for p in self.programs:
            for spec in p.registries:
                out.setdefault(spec.name, spec)
        return out

    def rulebook(self) -> Any:
        """Every obligation rule: each program's, then the case-wide ones (a RuleBook)."""
        from ..obligations.rules import PACKAGE_RULES, RuleBook, common_rules

        rules = []
        names = {}
        files = []
        for p in self.programs:
            rules.extend(p.rules)
            names[p.id] = dict(p.names)
            if p.rules:
                files.append(str(p.folder / RULES_FILE))
        rules.extend(common_rules())
        files.append(str(PACKAGE_RULES / "common.yaml"))
        return RuleBook(tuple(rules), names, tuple(files), {p.id: p.ends for p in self.programs},
                        {p.id: p.services for p in self.programs if p.services})


def _values_at(data: Any, path: tuple) -> list:
    """The values at ``path`` inside plain data (``*`` stands for every item of a list)."""
    if not path:
        return [data]
    head, rest = path[0], path[1:]
    if head == "*":
        return [v for item in data for v in _values_at(item, rest)] if isinstance(data, list) else []
    return _values_at(data.get(head), rest) if isinstance(data, dict) else []


# ---------------------------------------------------------------- reading a folder

def _diag(file: str, positions: Any, path: tuple, message: str, code: str = "program-invalid") -> Diagnostic:
    line, col = positions.value(path) if positions is not None else (1, 1)
    return Diagnostic(file, line, col, "error", code, message)


def _agency_language(value) -> str:
    """``agency_language:`` a language tag the documents catalogues know, or nothing (the caseload's setting)."""
    if value is None:
        return ""
    from ..i18n import LANGUAGES

    if not isinstance(value, str) or value not in LANGUAGES:
        raise FieldError(("agency_language",), f"`agency_language` is one of {', '.join(LANGUAGES)}")
    return value


def _texts(value: Any, where: tuple, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(where, f"`{what}` is a list of text")
    return tuple(value)


def _condition(value: Any, where: tuple) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise FieldError(where, "a condition is a mapping of path: expected value")
    return tuple((str(k), tuple(v) if isinstance(v, list) else v) for k, v in value.items())


def _check(raw: Any, i: int, codes: dict) -> CheckSpec:
    where = ("checks", i)
    if not isinstance(raw, dict):
        raise FieldError(where, "a check is a mapping with `code`, `message` and one test")
    check_keys(raw, where, _CHECK_KEYS, "a check")
    code = raw.get("code")
    if not isinstance(code, str) or code not in codes:
        raise FieldError(where + ("code",), "a check's `code` must be declared under `codes`")
    if not isinstance(raw.get("message"), str):
        raise FieldError(where + ("message",), "a check needs a `message`")
    tests = [k for k in ("require", "require_any", "forbid", "range", "within") if k in raw]
    if len(tests) != 1:
        raise FieldError(where, "a check has exactly one of require, require_any, forbid, range, within")
    rng = raw.get("range")
    if rng is not None:
        if not isinstance(rng, dict) or not isinstance(rng.get("field"), str):
            raise FieldError(where + ("range",), "`range` is {field, min, max}")
        rng = (rng["field"], rng.get("min"), rng.get("max"))
    within = raw.get("within")
    if within is not None:
        if not isinstance(within, dict) or not all(isinstance(within.get(k), str) for k in ("field", "from", "to")):
            raise FieldError(where + ("within",), "`within` is {field, from, to} (to may add a duration: start + 2y)")
        within = (within["field"], within["from"], within["to"])
    return CheckSpec(code=code, message=raw["message"], hint=str(raw.get("hint") or ""),
                     when=_condition(raw.get("when"), where + ("when",)),
                     require=_texts(raw.get("require"), where + ("require",), "require"),
                     require_any=_texts(raw.get("require_any"), where + ("require_any",), "require_any"),
                     forbid=_texts(raw.get("forbid"), where + ("forbid",), "forbid"),
                     range=rng, within=within, at=str(raw.get("at") or ""), at_missing=str(raw.get("at_missing") or ""))


def _new_fields(raw: Any, fields: tuple[FieldSpec, ...]) -> tuple[NewField, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise FieldError(("new",), "`new` maps enrollment fields to what `careerpath new` writes")
    out = []
    for name, decl in raw.items():
        where = ("new", name)
        if find(fields, (name,)) is None:
            raise FieldError(where, f"`new: {name}` names no enrollment field")
        if not isinstance(decl, dict):
            decl = {"value": decl}
        unknown = sorted(set(decl) - _NEW_KEYS)
        if unknown:
            raise FieldError(where + (unknown[0],), f"`{unknown[0]}` is not a key here ({', '.join(sorted(_NEW_KEYS))})")
        option = decl.get("option") or ""
        if option and not (isinstance(option, str) and _CODE.match(option)):
            raise FieldError(where + ("option",), "an option is lower-case words joined by hyphens, without the dashes")
        out.append(NewField(name, option, bool(decl.get("required")),
                            _condition(decl.get("required_when"), where + ("required_when",)),
                            decl.get("value"), "value" in decl, _condition(decl.get("when"), where + ("when",)),
                            str(decl.get("comment") or ""), str(decl.get("help") or "")))
    return tuple(out)


def _ends(raw: Any, fields: tuple[FieldSpec, ...], events: dict[str, str]) -> Ends:
    """``ends: {fields: [...], events: [...]}``: date fields of the enrollment, event types the program declares."""
    if raw is None:
        return Ends()
    if not isinstance(raw, dict):
        raise FieldError(("ends",), "`ends` is {fields: [enrollment date fields], events: [event types]}")
    check_keys(raw, ("ends",), _ENDS_KEYS, "`ends`", listed="fields, events")
    names = _texts(raw.get("fields"), ("ends", "fields"), "fields")
    for i, name in enumerate(names):
        spec = find(fields, (name,))
        if spec is None or spec.type != "date":
            raise FieldError(("ends", "fields", i), f"`{name}` is not a date field of the enrollment")
    types = _texts(raw.get("events"), ("ends", "events"), "events")
    for i, t in enumerate(types):
        if t not in events:
            raise FieldError(("ends", "events", i), f"`{t}` is not an event type this program declares under `events`")
    return Ends(names, types)


def _closure(raw: Any, program_id: str) -> tuple[tuple[str, ...], tuple]:
    """``closure: {reasons: [...], conditions: [{reason, needs, message, hint}]}`` (rule ids checked later)."""
    from ..closing import CORE_REASONS, Condition

    if raw is None:
        return (), ()
    if not isinstance(raw, dict):
        raise FieldError(("closure",), "`closure` is {reasons: [...], conditions: [...]}")
    check_keys(raw, ("closure",), _CLOSURE_KEYS, "`closure`", listed="reasons, conditions")
    own = _texts(raw.get("reasons"), ("closure", "reasons"), "reasons")
    for i, r in enumerate(own):
        if not _CODE.match(r):
            raise FieldError(("closure", "reasons", i), "a closure reason is lower-case words joined by hyphens")
    out = []
    for i, c in enumerate(raw.get("conditions") or ()):
        where = ("closure", "conditions", i)
        if not isinstance(c, dict):
            raise FieldError(where, "a closure condition is {reason, needs: <rule id>, message, hint}")
        check_keys(c, where, _CONDITION_KEYS, "a closure condition", listed="")
        if c.get("reason") not in (*CORE_REASONS, *own):
            raise FieldError(where + ("reason",), "`reason` is a closure reason (the core ones or this program's `reasons`)")
        for key in ("needs", "message"):
            if not isinstance(c.get(key), str) or not c[key]:
                raise FieldError(where + (key,), f"a closure condition needs `{key}`")
        out.append(Condition(c["reason"], c["needs"], c["message"], str(c.get("hint") or ""), program_id))
    return own, tuple(out)


def _code_checks(folder: Path, program_id: str) -> tuple[Callable, ...]:
    path = folder / "checks.py"
    if not path.is_file():
        return ()
    name = "careerpath.programs._checks_" + program_id.replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(name)
    if module is None or getattr(module, "__file__", None) != str(path):
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # one module per process: checks_module() finds it again
        spec.loader.exec_module(module)
    return tuple(getattr(module, "CHECKS", ()))


def checks_module(program_id: str) -> Any:
    """The ``checks.py`` module of a built-in program (its helpers, for tests and tools)."""
    _code_checks(BUILTIN / program_id, program_id)
    return sys.modules["careerpath.programs._checks_" + program_id.replace("-", "_")]


def read_program(folder: Path, *, builtin: bool, shown: str) -> tuple[Optional[Program], list[Diagnostic]]:
    """One program folder as a :class:`Program` (None and diagnostics when it is malformed).

    ``shown`` is how messages name the folder (caseload-relative for a caseload's own).
    """
    from ..yamlfile import read_file

    file = f"{shown}/{PROGRAM_FILE}"
    parsed = read_file(folder / PROGRAM_FILE, file)
    errors = [d for d in parsed.diagnostics if d.severity == "error"]
    if errors:
        return None, errors
    data = parsed.data
    pos = parsed.positions
    if not isinstance(data, dict):
        return None, [_diag(file, pos, (), "program.yaml holds a mapping: id, names, enrollment, ...")]
    try:
        check_keys(data, (), _TOP_KEYS, "program.yaml")
        pid = data.get("id")
        if not isinstance(pid, str) or not _ID.match(pid):
            raise FieldError(("id",), "`id` is the program id: lower-case letters, digits and hyphens")
        if pid != folder.name:
            raise FieldError(("id",), f"`id: {pid}` differs from the folder name {folder.name}")
        names = data.get("names") or {}
        if not isinstance(names, dict) or not isinstance(names.get("en"), str):
            raise FieldError(("names",), "`names` maps language codes to the program's name (at least en)")
        fields = parse_fields(data.get("enrollment") or {}, ("enrollment",))
        settings = parse_fields(data.get("settings") or {}, ("settings",)) if data.get("settings") else ()
        for spec in settings:
            if not spec.has_default:
                raise FieldError(("settings", spec.name), "a program setting needs a `default`")
        events_raw = data.get("events") or {}
        if not isinstance(events_raw, dict):
            raise FieldError(("events",), "`events` maps event types to {label: ...}")
        events: dict[str, str] = {}
        for t, decl in events_raw.items():
            if not isinstance(t, str) or not _CODE.match(t):
                raise FieldError(("events", t), f"`{t}` is not an event type (lower-case words joined by hyphens)")
            label = decl.get("label") if isinstance(decl, dict) else decl
            events[t] = str(label or t)
        codes_raw = data.get("codes") or {}
        if not isinstance(codes_raw, dict):
            raise FieldError(("codes",), "`codes` maps diagnostic codes to {severity, meaning}")
        codes: dict[str, tuple[str, str]] = {}
        for code, decl in codes_raw.items():
            if not isinstance(code, str) or not _CODE.match(code) or not isinstance(decl, dict) \
                    or decl.get("severity") not in ("error", "warning") or not isinstance(decl.get("meaning"), str):
                raise FieldError(("codes", code), "a code is declared as {severity: error|warning, meaning: text}")
            codes[code] = (decl["severity"], decl["meaning"])
        checks = tuple(_check(c, i, codes) for i, c in enumerate(data.get("checks") or ()))
        stages = []
        for i, st in enumerate(data.get("stages") or ()):
            if not isinstance(st, dict) or not isinstance(st.get("stage"), str):
                raise FieldError(("stages", i), "a stage is {stage: name, when: condition}")
            stages.append((st["stage"], _condition(st.get("when"), ("stages", i, "when"))))
        start = data.get("start") or ""
        if start and find(fields, (start,)) is None:
            raise FieldError(("start",), f"`start: {start}` names no enrollment field")
        registries = tuple(_replace(r, line=pos.key(("registries", r.name))[0] if pos is not None else 1)
                           for r in parse_registries(data.get("registries"), pid, file))
        for path, spec in _walk(fields):
            if spec.not_before.startswith("^") and find(fields, tuple(spec.not_before[1:].split("."))) is None:
                raise FieldError(("enrollment", *path, "not_before"), f"`not_before: {spec.not_before}` names no field")
        program = Program(
            id=pid, folder=folder, builtin=builtin, names={str(k): str(v) for k, v in names.items()},
            label=str(data.get("label") or names["en"]), fields=fields, settings=settings, events=events,
            documents=_texts(data.get("documents"), ("documents",), "documents"),
            staff=_texts(data.get("staff"), ("staff",), "staff"), start=start, calendar=str(data.get("calendar") or ""),
            reviewed={str(k): bool(v) for k, v in (data.get("reviewed") or {}).items()},
            stages=tuple(stages), codes=codes, checks=checks, new=_new_fields(data.get("new"), fields),
            ends=_ends(data.get("ends"), fields, events), source=file, registries=registries,
            agency_language=_agency_language(data.get("agency_language")))
        reasons, closure_conditions = _closure(data.get("closure"), pid)
        program = _replace(program, closure_reasons=reasons, closure_conditions=closure_conditions)
    except FieldError as e:  # its path is where the mistake is written in program.yaml
        return None, [_diag(file, pos, e.path, e.message)]
    extra: list[Diagnostic] = []
    code_checks: tuple = ()
    if (folder / "checks.py").exists():
        if builtin:
            code_checks = _code_checks(folder, pid)
        else:
            extra.append(Diagnostic(f"{shown}/checks.py", 1, 1, "warning", "program-code-ignored",
                                    Message("a caseload's program folder holds data only; its checks.py is not run")))
    rules: tuple = ()
    if (folder / RULES_FILE).exists():
        from ..obligations.rules import RulesError, load_rule_file

        try:
            rules = tuple(load_rule_file(folder / RULES_FILE, f"{shown}/{RULES_FILE}", program))
        except RulesError as e:
            return None, [e.diagnostic] if e.diagnostic else [Diagnostic(f"{shown}/{RULES_FILE}", 1, 1, "error",
                                                                         "program-invalid", e.message)]
    program = _replace(program, code_checks=code_checks, rules=rules)
    problem = _rule_references(program)
    if problem is not None:
        where, message = problem
        return None, [_diag(file, pos, where, message) if where else
                      Diagnostic(f"{shown}/{RULES_FILE}", 1, 1, "error", "program-invalid", message)]
    kinds: tuple = ()
    if (folder / DOCUMENTS_FILE).exists():
        kinds, errors = read_kinds(folder / DOCUMENTS_FILE, pid, program.fields, f"{shown}/{DOCUMENTS_FILE}")
        if errors:
            return None, errors
    services: tuple = ()
    if (folder / SERVICES_FILE).exists():
        services, errors = read_services(folder / SERVICES_FILE, f"{shown}/{SERVICES_FILE}")
        if errors:
            return None, errors
    program = _replace(program, kinds=kinds, services=services)
    return program, extra


def _rule_references(program: Program) -> Optional[tuple[tuple, str]]:
    """(where in program.yaml, message) when a closure condition names no rule of the program; ((), message)
    when a rule that outlives a closure names a reason that does not exist (in rules.yaml); None when all is well."""
    from ..closing import CORE_REASONS

    ids = {r.id for r in program.rules}
    for i, c in enumerate(program.closure_conditions):
        if c.needs not in ids:
            return ("closure", "conditions", i, "needs"), f"`needs: {c.needs}` is not a rule of this program"
    known = (*CORE_REASONS, *program.closure_reasons)
    for r in program.rules:
        unless = getattr(r.outlives_closure, "unless", ())
        wrong = [x for x in unless if x not in known]
        if wrong:
            return (), f"rule {r.id}: `outlives_closure.unless` names `{wrong[0]}`, not a closure reason"
    return None


def _replace(p: Program, **changes: Any) -> Program:
    import dataclasses

    return dataclasses.replace(p, **changes)


def _walk(fields: tuple[FieldSpec, ...]) -> list[tuple[tuple, FieldSpec]]:
    out = []
    for f in fields:
        out.append(((f.name,), f))
        out.extend(f.walk((f.name,)))
    return out


# ---------------------------------------------------------------- the set

_BUILTIN_CACHE: dict[str, tuple[tuple[Program, ...], bytes, tuple[KindSpec, ...]]] = {}


_folders, _program_files, _digest = folders, program_files, digest


def builtin_programs() -> tuple[tuple[Program, ...], bytes]:
    """The programs that ship with careerpath (read once per process)."""
    programs, digest, _shared = _builtin()
    return programs, digest


def _builtin() -> tuple[tuple[Program, ...], bytes, tuple[KindSpec, ...]]:
    """The built-in programs, the digest of their files and the shared document kinds (read once per process)."""
    key = str(BUILTIN)
    hit = _BUILTIN_CACHE.get(key)
    if hit is None:
        programs = []
        for folder in _folders(BUILTIN):
            program, diags = read_program(folder, builtin=True, shown=f"careerpath/programs/{folder.name}")
            if program is None:
                raise ProgramError("; ".join(d.format() for d in diags), diags[0] if diags else None)
            programs.append(program)
        shared, diags = read_kinds(SHARED_FILE, "", None, "careerpath/documents/kinds.yaml")
        if diags:
            raise ProgramError("; ".join(d.format() for d in diags), diags[0])
        names = [k.name for p in programs for k in p.kinds] + [k.name for k in shared]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ProgramError(f"the document kind {twice[0]} is declared twice among the built-in programs")
        kinds = {k.name: k for k in [k for p in programs for k in p.kinds] + list(shared)}
        by_id = {p.id: p for p in programs}
        for spec in shared:
            problem = _kind_problem(spec, by_id)
            if problem:
                raise ProgramError(f"careerpath/documents/kinds.yaml: {problem}")
        for program in programs:
            problem = _documents_problem(program, kinds, by_id)
            if problem:
                raise ProgramError(f"{program.source}: {problem[2]}")
        hit = _BUILTIN_CACHE[key] = (tuple(programs), _digest(builtin_files()), shared)
    return hit


def _kind_problem(spec: KindSpec, by_id: dict[str, Program]) -> str:
    """What is wrong with the ``enrollments.<id>.<field>`` paths of a kind ("" when nothing)."""
    for pid, path in other_program_paths(spec):
        other = by_id.get(pid)
        if other is None:
            return f"kind {spec.name} reads `enrollments.{pid}`, a program this caseload does not have"
        if path and other.field(tuple(path.split("."))) is None:
            return f"kind {spec.name} reads `enrollments.{pid}.{path}`, which {pid} does not declare"
    return ""


def _documents_problem(program: Program, kinds: dict[str, KindSpec],
                       by_id: dict[str, Program]) -> Optional[tuple[str, tuple, str]]:
    """(file, path in it, message) of the first document kind or field a program names that does not exist."""
    for i, name in enumerate(program.documents):
        if name not in kinds:
            return PROGRAM_FILE, ("documents", i), (f"`documents` lists `{name}`, a kind that neither a program "
                                                    "folder nor careerpath/documents/kinds.yaml declares")
    for spec in program.kinds:
        problem = _kind_problem(spec, by_id)
        if problem:
            return DOCUMENTS_FILE, ("kinds", spec.name), problem
    return None


def _position(folder: Path, name: str, shown: str, path: tuple) -> tuple[int, int]:
    """Where ``path`` is written in ``folder/name`` (read again: only an error needs it)."""
    from ..yamlfile import read_file

    parsed = read_file(folder / name, f"{shown}/{name}")
    if parsed.positions is None:
        return 1, 1
    return parsed.positions.keys.get(tuple(path)) or parsed.positions.value(path)


_CASELOAD_CACHE: dict[tuple, ProgramSet] = {}


def load_programs(root: Optional[Path] = None) -> ProgramSet:
    """The built-in programs plus those in ``<root>/programs/`` (a caseload's own), and their diagnostics.

    A caseload program whose id is already taken is refused with a diagnostic
    (it cannot silently replace a built-in one). Folders are re-read when a
    file in them changes.
    """
    builtin, builtin_fp, shared = _builtin()
    if root is None:
        return ProgramSet(builtin, (), builtin_fp, shared)
    base = Path(root) / "programs"
    if not base.exists():
        return ProgramSet(builtin, (), builtin_fp, shared)
    diags: list[Diagnostic] = []
    if base.is_symlink():
        from ..loader import inside

        if not inside(Path(root), base):
            diags.append(Diagnostic("programs", 1, 1, "error", "symlink-outside",
                                    Message("the programs folder is a link outside the caseload; it is not read"),
                                    Message("copy the program folders into the caseload")))
            return ProgramSet(builtin, tuple(diags), builtin_fp, shared)
    folders = _folders(base)
    files = [f for folder in folders for f in _program_files(folder)]
    try:
        key: Optional[tuple] = (str(Path(root).resolve()),
                                tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))
    except OSError:
        key = None  # read again next time
    hit = _CASELOAD_CACHE.get(key) if key else None
    if hit is not None:
        return hit
    programs = list(builtin)
    taken = {p.id for p in builtin}
    from ..obligations.rules import common_rules

    rule_ids = {r.id for p in builtin for r in p.rules} | {r.id for r in common_rules()}
    kind_names = {k.name for p in builtin for k in p.kinds} | {k.name for k in shared}
    for folder in folders:
        shown = f"programs/{folder.name}"
        if folder.is_symlink():
            from ..loader import inside

            if not inside(Path(root), folder):
                diags.append(Diagnostic(shown, 1, 1, "error", "symlink-outside",
                                        Message("a program folder links outside the caseload; it is not read")))
                continue
        program, more = read_program(folder, builtin=False, shown=shown)
        diags.extend(more)
        if program is None:
            continue
        if program.id in taken:
            diags.append(Diagnostic(f"{shown}/{PROGRAM_FILE}", 1, 1, "error", "program-invalid",
                                    Message("the program id {name} is already taken by a built-in program", name=program.id),
                                    Message("give your program its own id (and folder name)")))
            continue
        clash = next((r.id for r in program.rules if r.id in rule_ids), None)
        if clash is not None:
            diags.append(Diagnostic(f"{shown}/{RULES_FILE}", 1, 1, "error", "program-invalid",
                                    Message("the rule id {name} is already defined by another program", name=clash),
                                    Message("rule ids start with a prefix of the program's own")))
            continue
        twice = next((k.name for k in program.kinds if k.name in kind_names), None)
        if twice is not None:
            line, col = _position(folder, DOCUMENTS_FILE, shown, ("kinds", twice))
            diags.append(Diagnostic(f"{shown}/{DOCUMENTS_FILE}", line, col, "error", "program-invalid",
                                    Message("the document kind {name} is already declared elsewhere", name=twice),
                                    Message("give your kind its own name (to change a built-in document, put "
                                            "its template in the caseload's templates/ folder)")))
            continue
        kept = []
        for spec in program.registries:
            owner = next((p.id for p in programs if any(r.name == spec.name for r in p.registries)), None)
            if owner is None:
                kept.append(spec)
                continue
            diags.append(Diagnostic(f"{shown}/{PROGRAM_FILE}", spec.line, 1, "error", "program-invalid",
                                    f"the registry name {spec.name} is already declared by {owner}; "
                                    "this registry is left out", "give your registry a name of its own"))
        if len(kept) != len(program.registries):
            program = _replace(program, registries=tuple(kept))
        taken.add(program.id)
        rule_ids.update(r.id for r in program.rules)
        kind_names.update(k.name for k in program.kinds)
        programs.append(program)
    # a caseload program may list kinds declared by the others: checked once every folder is read
    kinds = ProgramSet(tuple(programs), (), b"", shared).kinds()
    by_id = {p.id: p for p in programs}
    kept = []
    for program in programs:
        problem = None if program.builtin else _documents_problem(program, kinds, by_id)
        if problem is None:
            kept.append(program)
            continue
        name, path, message = problem
        shown = f"programs/{program.id}"
        line, col = _position(program.folder, name, shown, path)
        diags.append(Diagnostic(f"{shown}/{name}", line, col, "error", "program-invalid", message))
    programs = kept
    found = ProgramSet(tuple(programs), tuple(diags), fingerprint(root), shared)
    if key is not None:
        if len(_CASELOAD_CACHE) > 16:
            _CASELOAD_CACHE.clear()
        _CASELOAD_CACHE[key] = found
    return found
