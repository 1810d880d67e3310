"""Load a caseload folder into parsed files (:class:`SourceFile`: a model and positions) and load-time diagnostics.

``load(root)`` reads ``careerpath.yaml`` and every case folder, and never
raises for anything inside the files: each problem becomes a
:class:`~careerpath.diagnostics.Diagnostic`. A file with schema errors is still
loaded as far as it can be (the fields in error are dropped), so the checks
that follow can report their own problems in the same run; such a file is
marked ``valid=False`` and later stages know not to trust it blindly.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from pydantic import BaseModel, ValidationError

from . import models as m
from .diagnostics import Diagnostic, Severity, sort_key
from .fsio import inside  # (also asked of the loader by record and the cache)
from .i18n.messages import Message
from .programs import ProgramSet, load_programs
from .textsafe import code_of, unsafe_char
from .values import Record, record
from .yamlfile import Positions, YamlFile, read_file

CONFIG_FILE = "careerpath.yaml"
_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9][a-z0-9_-]*\.yaml$")
from .ids import CASE_ID as _CASE_ID


class CaseloadNotFound(Exception):
    """The caseload folder itself is missing or not a folder (a usage error)."""


@dataclass
class SourceFile:
    """One parsed YAML file of the caseload: its model (None if unusable) and where each value is.

    Not a "document": in careerpath that word means a letter or plan rendered
    for a person (:mod:`careerpath.documents`).
    """

    file: str
    kind: str
    model: Any
    positions: Positions
    valid: bool
    # data paths the schema rejected and the loader dropped (their model value is a default)
    dropped: frozenset = frozenset()

    def trusted(self, *path: Any) -> bool:
        """False when ``path`` or a field above it was rejected: its value is a stand-in default."""
        return not any(path[:i] in self.dropped for i in range(len(path) + 1))

    def at(self, *path: Any) -> tuple[int, int]:
        return self.positions.value(path)

    def diagnostic(self, path: tuple, severity: Severity, code: str, message: str, hint: str = "", *, key: bool = False) -> Diagnostic:
        """A diagnostic pointing at the value (or with ``key=True`` the key) at ``path``."""
        line, col = self.positions.key(path) if key else self.positions.value(path)
        return Diagnostic(self.file, line, col, severity, code, message, hint)


@dataclass
class CaseFolder:
    id: str
    folder: str
    case: Optional[SourceFile] = None
    plan: Optional[SourceFile] = None
    events: list[SourceFile] = field(default_factory=list)
    referrals: list[SourceFile] = field(default_factory=list)
    appointments: list[SourceFile] = field(default_factory=list)  # planned meetings (issue 20)

    @property
    def model(self) -> Optional[m.Case]:
        return self.case.model if self.case else None

    @property
    def plan_model(self) -> Optional[m.Plan]:
        return self.plan.model if self.plan else None

    def files(self) -> Iterator[SourceFile]:
        for d in (self.case, self.plan, *self.events, *self.referrals, *self.appointments):
            if d is not None:
                yield d


@dataclass
class Caseload:
    root: Path
    config: m.CaseloadConfig
    config_file: Optional[SourceFile]
    cases: dict[str, CaseFolder]
    diagnostics: list[Diagnostic]
    programs: ProgramSet = field(default_factory=load_programs)
    surveys: list[SourceFile] = field(default_factory=list)  # surveys/<date>-<slug>.yaml (optional)

    @property
    def settings(self) -> Record:
        return self.config.settings

    def staff_ids(self) -> set[str]:
        return {s.id for s in self.config.staff}


# ---------------------------------------------------------------- schema validation

def _unwrap(annotation: Any) -> Any:
    """Strip Annotated/Optional to the core type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


_FIELD_TABLES: dict[type, dict[str, tuple[Any, Any]]] = {}


def _field_table(model: type[BaseModel]) -> dict[str, tuple[Any, Any]]:
    """key -> (nested model or None, model of list items or mapping values or None), computed once per model."""
    table = _FIELD_TABLES.get(model)
    if table is None:
        table = {}
        for name, f in model.model_fields.items():
            t = _unwrap(f.annotation)
            sub = t if _is_model(t) else None
            item = None
            if typing.get_origin(t) is list:
                inner = _unwrap(typing.get_args(t)[0])
                item = inner if _is_model(inner) else None
            elif typing.get_origin(t) is dict:  # `translations: {vi: {...}}`: each value is the model
                inner = _unwrap(typing.get_args(t)[1])
                item = inner if _is_model(inner) else None
            table[f.alias or name] = (sub, item)
        _FIELD_TABLES[model] = table
    return table


def _unknown_fields(data: Any, model: type[BaseModel], path: tuple) -> Iterator[tuple[tuple, str, list[str]]]:
    """Yield (path, key, valid names) for each key the model does not define."""
    if not isinstance(data, dict):
        return
    fields = _field_table(model)
    for key, value in data.items():
        f = fields.get(key)
        if f is None:
            yield path + (key,), key, list(fields)
            continue
        sub, item = f
        if sub is not None:
            yield from _unknown_fields(value, sub, path + (key,))
        elif item is not None and isinstance(value, list):
            for i, element in enumerate(value):
                yield from _unknown_fields(element, item, path + (key, i))
        elif item is not None and isinstance(value, dict):
            for name, element in value.items():
                yield from _unknown_fields(element, item, path + (key, str(name)))


def display_path(loc: tuple) -> str:
    """A data path as users write it: ``goals[0].objectives[1].due``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or Message("(the file)")


_WHOLE, _NUMBER, _BOOL, _MAPPING = (Message("a whole number"), Message("a number"), Message("true or false"),
                                    Message("a mapping (key: value lines)"))
_TYPE_WORDS = {
    "string_type": Message("text"), "int_type": _WHOLE, "int_parsing": _WHOLE, "int_from_float": _WHOLE,
    "float_type": _NUMBER, "float_parsing": _NUMBER, "bool_type": _BOOL, "bool_parsing": _BOOL,
    "list_type": Message("a list"), "dict_type": _MAPPING, "model_type": _MAPPING, "model_attributes_type": _MAPPING,
}


def _data_path(data: Any, loc: tuple) -> tuple:
    """Follow a pydantic loc through the data, skipping union/tag markers."""
    path: list = []
    cur = data
    for part in loc:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
            path.append(part)
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
            path.append(part)
        elif isinstance(cur, dict) and isinstance(part, str):
            path.append(part)  # a missing key
            break
    return tuple(path)


def _error_diagnostic(doc_file: str, positions: Positions, data: Any, err: dict, prefix: tuple = ()) -> Diagnostic:
    loc = prefix + _data_path(data, err["loc"])
    name = display_path(loc)
    etype = err["type"]
    if etype == "missing":
        parent = loc[:-1]
        line, col = positions.key(parent) if parent else (1, 1)
        hint = (Message("add `{key}:` under `{parent}`", key=str(loc[-1]), parent=display_path(parent)) if parent
                else Message("add `{key}:`", key=str(loc[-1])))
        return Diagnostic(doc_file, line, col, "error", "missing-field", Message("`{path}` is required", path=name), hint)
    line, col = positions.value(loc)
    if etype == "invalid_date":
        message = (Message("`{path}` is not a real calendar date", path=name) if err["msg"] == "is not a real calendar date"
                   else Message("`{path}` must be a date written YYYY-MM-DD", path=name))
        return Diagnostic(doc_file, line, col, "error", "invalid-date", message,
                          Message("write dates as YYYY-MM-DD, e.g. 2026-03-02"))
    if etype == "date_range":
        ctx = err.get("ctx", {})
        return Diagnostic(doc_file, line, col, "error", "invalid-date",
                          Message("`{path}` must be from {first} to {last}", path=name, first=str(ctx.get("first")),
                                  last=str(ctx.get("last"))),
                          Message("check the year: careerpath handles dates from 1900 to 2200"))
    if etype in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        ctx = err.get("ctx", {})
        bound = next((v for v in ctx.values() if isinstance(v, (int, float))), None)
        shown = str(int(bound)) if isinstance(bound, (int, float)) and float(bound).is_integer() else str(bound)
        message = (Message("`{path}` must be at most {max}", path=name, max=shown) if etype.startswith("less")
                   else Message("`{path}` must be at least {min}", path=name, min=shown))
        return Diagnostic(doc_file, line, col, "error", "invalid-value", message)
    if etype == "finite_number":
        return Diagnostic(doc_file, line, col, "error", "invalid-value",
                          Message("`{path}` must be a finite number", path=name),
                          Message("write the number itself (.inf and .nan are not amounts)"))
    if etype in _TYPE_WORDS:
        hint = ""
        if etype == "string_type" and isinstance(err.get("input"), (int, float, bool)):
            hint = Message("put the value in quotes so it is read as text (YAML reads 0042 as 42 and no/yes literally)")
        return Diagnostic(doc_file, line, col, "error", "wrong-type",
                          Message("`{path}` should be {what}", path=name, what=_TYPE_WORDS[etype]), hint)
    if etype == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        allowed = re.findall(r"'([^']*)'|\b(\d+)\b", expected)
        allowed = [a or b for a, b in allowed]
        hint = ""
        given = err.get("input")
        if isinstance(given, str):
            close = difflib.get_close_matches(given, allowed, n=1)
            if close:
                hint = did_you_mean(close[0])
        return Diagnostic(doc_file, line, col, "error", "invalid-value",
                          Message("`{path}` must be one of: {list}", path=name, list=", ".join(allowed)), hint)
    if etype == "string_pattern_mismatch":
        return Diagnostic(doc_file, line, col, "error", "invalid-value",
                          Message("`{path}` does not have the expected form", path=name),
                          _PATTERN_HINTS.get(str(loc[-1]) if loc else "", _SEE_FORMAT))
    # pydantic's own words (a bound, a length): English, shown with the code's translated meaning
    msg = err.get("msg", "is not valid").replace("Input should", "should").replace("String should", "should")
    return Diagnostic(doc_file, line, col, "error", "invalid-value", f"`{name}` {msg}")


def did_you_mean(name: str) -> Message:
    return Message("did you mean `{name}`?", name=name)


_DURATION = Message("a count and a unit: 30d, 2w, 6m, 1y")
_SEE_FORMAT = Message("see FORMAT.md for the form of this field")
_PATTERN_HINTS = {
    "id": Message("ids are 1-64 characters of a-z 0-9 - _, starting with a letter or digit"),
    "language": Message("a language tag such as en, es, vi, hy, hmn, ru"),
    "languages": Message("language tags such as en, es, vi, hy, hmn, ru"),
    "phone": Message("digits, spaces, + ( ) - . only, e.g. \"+1 408 555 0142\""),
    "snils": Message("write it as \"NNN-NNN-NNN NN\", in quotes"),
    "ssn": Message("write it as \"NNN-NN-NNNN\", in quotes"),
    "uci": Message("digits only, in quotes"),
    "currency": Message("a three-letter ISO 4217 code such as USD or RUB"),
    "retention_checks": _DURATION,
    "czn_ipra_report_before": _DURATION,
    "type": Message("lower-case words joined by hyphens, e.g. monthly-review"),
}


def _drop(data: Any, loc: tuple, missing: bool) -> bool:
    """Remove the deepest mapping key on ``loc`` so validation can go on.

    Only mapping keys are removed, never list items (positions rely on list
    indices); a field missing inside a list item drops the whole list.
    """
    if missing:
        loc = loc[:-1]
    containers = []
    cur = data
    for part in loc:
        containers.append(cur)
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            break
    for i in range(len(containers) - 1, -1, -1):
        if isinstance(containers[i], dict) and loc[i] in containers[i]:
            del containers[i][loc[i]]
            return True
    return False


def _unknown_diagnostics(file: str, positions: Positions, data: dict, model_cls: type[BaseModel],
                         prefix: tuple) -> tuple[dict, list[Diagnostic]]:
    """Report the keys ``model_cls`` does not define (``unknown-field``, with did-you-mean) and drop them."""
    unknown = list(_unknown_fields(data, model_cls, ()))
    if not unknown:
        return data, []
    diags = []
    data = copy.deepcopy(data)
    for path, key, names in unknown:
        parent = data
        for p in path[:-1]:
            parent = parent[p]
        del parent[key]
        line, col = positions.key(prefix + path)
        close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
        diags.append(Diagnostic(file, line, col, "warning", "unknown-field",
                                Message("`{path}` is not a field of this file; it is ignored",
                                        path=display_path(prefix + path)),
                                did_you_mean(close[0]) if close else ""))
    return data, diags


def _validate(file: str, positions: Positions, model_cls: type[BaseModel], data: dict,
              prefix: tuple = ()) -> tuple[Any, list[Diagnostic], set[tuple], bool]:
    """Validate ``data`` (found at ``prefix`` in the file) with ``model_cls``, going on past errors.

    Returns (model or None, diagnostics, the data paths dropped so validation could go on, valid).
    Fields in error are dropped one mapping key at a time and validation is tried again, so a
    file with one bad date still loads everything else.
    """
    data, diags = _unknown_diagnostics(file, positions, data, model_cls, prefix)
    valid = True
    model = None
    work = data
    dropped: set[tuple] = set()
    for _round in range(4):
        try:
            model = model_cls.model_validate(work)
            break
        except ValidationError as e:
            errors = e.errors(include_url=False)
            if _round == 0:
                valid = False
                diags.extend(_error_diagnostic(file, positions, data, err, prefix) for err in errors)
                work = copy.deepcopy(work) if work is data else work
            progressed = False
            for err in errors:
                loc = _data_path(work, err["loc"])
                missing = err["type"] == "missing"
                dropped.add(prefix + (loc[:-1] if missing else loc))
                progressed |= _drop(work, loc, missing)
            if not progressed:
                break
    return model, diags, dropped, valid and model is not None


def settings_model(programs: ProgramSet) -> type[BaseModel]:
    """The model of careerpath.yaml's ``settings``: the core ones and every setting a program declares."""
    from .programs.fields import build_model, parse_fields

    specs = parse_fields(m.CORE_SETTINGS) + programs.setting_specs()
    return build_model(specs, "Settings", nullable=False)  # (an empty setting: an error, and its default)


_FILE_MODELS: dict[bytes, dict[str, type[BaseModel]]] = {}


def file_models(programs: ProgramSet) -> dict[str, type[BaseModel]]:
    """Each file kind's whole model, enrollments and settings included: for JSON Schema and typed edits.

    The loader itself validates in two steps (the file, then each enrollment or
    the settings with its own model), so one broken enrollment cannot hide the
    rest of the file; these composite models describe the same format in one piece.
    """
    found = _FILE_MODELS.get(programs.fingerprint)
    if found is None:
        from pydantic import Field, create_model

        enrollments = create_model(
            "Enrollments", __config__=None, __base__=m.Model,
            **{pid.replace("-", "_"): (Optional[p.model], Field(None, alias=pid, description=p.names.get("en")))
               for pid, p in ((p.id, p) for p in programs)})
        found = dict(m.FILE_MODELS)
        found["case"] = create_model("Case", __base__=m.Case, enrollments=(enrollments, Field(default_factory=enrollments)))
        found["careerpath"] = create_model("CaseloadConfig", __base__=m.CaseloadConfig,
                                           settings=(settings_model(programs), Field(default_factory=settings_model(programs))))
        if len(_FILE_MODELS) > 8:
            _FILE_MODELS.clear()
        _FILE_MODELS[programs.fingerprint] = found
    return found


def default_settings(programs: ProgramSet) -> Record:
    """Every setting at its default (careerpath.yaml missing or broken)."""
    return record(settings_model(programs)().model_dump(by_alias=True))


def _enrollments(file: str, positions: Positions, data: dict, programs: ProgramSet,
                 base: tuple = ("enrollments",)) -> tuple[Record, list[Diagnostic], set[tuple], bool]:
    """case.yaml's ``enrollments``: each validated with its program's model, in the file's order.

    A key no program declares is an ``unknown-program`` error (with did-you-mean); its
    block is still checked against the nearest program's fields, so one run shows every
    problem. The enrollment itself is then left out.
    """
    diags: list[Diagnostic] = []
    dropped: set[tuple] = set()
    valid = True
    out = Record()
    for pid, block in data.items():
        prefix = (*base, pid)
        program = programs.get(pid) if isinstance(pid, str) else None
        if program is None:
            valid = False
            line, col = positions.key(prefix)
            near = programs.nearest(str(pid))
            diags.append(Diagnostic(file, line, col, "error", "unknown-program",
                                    Message("`{path}` is not a known program", path=str(pid)),
                                    did_you_mean(near) if near else Message("programs: {list}", list=", ".join(programs.ids()))))
            dropped.add(prefix)
            if near is not None and isinstance(block, dict):  # still report what is wrong inside it
                _, more, _, _ = _validate(file, positions, programs.get(near).model, block, prefix)
                diags.extend(more)
            continue
        if block is None:
            block = {}
        if not isinstance(block, dict):
            valid = False
            line, col = positions.value(prefix)
            diags.append(Diagnostic(file, line, col, "error", "wrong-type",
                                    Message("`{path}` should be {what}", path=display_path(prefix), what=_MAPPING)))
            dropped.add(prefix)
            continue
        model, more, gone, ok = _validate(file, positions, program.model, block, prefix)
        diags.extend(more)
        dropped |= gone
        valid &= ok
        if model is not None:
            out[pid] = record(model.model_dump(by_alias=True))
        else:
            dropped.add(prefix)
    return out, diags, dropped, valid


def _unknown_top_keys(file: str, kind: str, positions: Positions, data: dict, model_cls: type[BaseModel],
                      part_name: Optional[str], programs: ProgramSet) -> tuple[dict, list[Diagnostic]]:
    """Top-level keys the file kind does not define: an ``unknown-key`` error each (what they hold is
    not read, so obligations may be missing), with did-you-mean; the block under a misspelled key is
    still checked as the key it most likely means, so one run shows every problem. Returns the data
    without them, and the diagnostics."""
    from .suggest import one

    names = list(_field_table(model_cls))
    if part_name and part_name not in names:
        names.append(part_name)
    unknown = [k for k in data if k not in names]
    if not unknown:
        return data, []
    diags: list[Diagnostic] = []
    for key in unknown:
        near = one(str(key), names)
        line, col = positions.key((key,))
        diags.append(Diagnostic(file, line, col, "error", "unknown-key",
                                Message("`{path}` is not a key of this file; what it holds is not read",
                                        path=display_path((key,))),
                                did_you_mean(near) if near else Message("keys: {list}", list=", ".join(names))))
        if near is not None and isinstance(data[key], (dict, list)):  # a block; a lone value may be anything
            diags.extend(_check_as(file, kind, positions, model_cls, key, near, data[key], part_name, programs))
    return {k: v for k, v in data.items() if k not in unknown}, diags


def _check_as(file: str, kind: str, positions: Positions, model_cls: type[BaseModel], key: Any, near: str, value: Any,
              part_name: Optional[str], programs: ProgramSet) -> list[Diagnostic]:
    """The diagnostics ``value`` (written under the unknown ``key``) would get under the field ``near``."""
    if near == part_name:
        if not isinstance(value, dict):
            return []
        if kind == "case":
            return _enrollments(file, positions, value, programs, base=(key,))[1]
        return _validate(file, positions, settings_model(programs), value, (key,))[1]
    out: list[Diagnostic] = []
    renamed = {near: value}
    for path, bad, names in _unknown_fields(renamed, model_cls, ()):
        if len(path) > 1:
            where = (key, *path[1:])
            kline, kcol = positions.key(where)
            close = difflib.get_close_matches(str(bad), names, n=1, cutoff=0.6)
            out.append(Diagnostic(file, kline, kcol, "warning", "unknown-field",
                                  Message("`{path}` is not a field of this file; it is ignored", path=display_path(where)),
                                  did_you_mean(close[0]) if close else ""))
    try:
        model_cls.model_validate(renamed)
    except ValidationError as e:
        for err in e.errors(include_url=False):
            if err["loc"] and err["loc"][0] == near:
                out.append(_error_diagnostic(file, positions, {key: value}, {**err, "loc": (key, *err["loc"][1:])}))
    return out


def _control_characters(file: str, positions: Positions, data: Any) -> list[Diagnostic]:
    """Every text value (and key) holding a character a terminal acts on, escaped (``"\\e[2J"``) or literal.

    docs/security.md: a value is shown to people; ESC, BEL, C1 codes and direction overrides in it would
    act on their terminal or reorder what they read. Named by path and character code, never by value.
    """
    out: list[Diagnostic] = []
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if (char := unsafe_char(value)) is not None:
                line, col = positions.value(path)
                out.append(Diagnostic(file, line, col, "error", "control-character",
                                      Message("`{path}` holds the control character {char}", path=display_path(path),
                                              char=code_of(char)),
                                      Message("remove it (a terminal would act on it); write plain text")))
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and unsafe_char(k) is not None:
                    line, col = positions.key(path + (k,))
                    out.append(Diagnostic(file, line, col, "error", "control-character",
                                          Message("a key holds the control character {char}",
                                                  char=code_of(unsafe_char(k) or "")),
                                          Message("remove it (a terminal would act on it); write plain text")))
                    continue
                stack.append((path + (k,), v))
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in enumerate(value))
    out.reverse()
    return out


def validate_data(file: str, kind: str, parsed: YamlFile, programs: Optional[ProgramSet] = None) -> tuple[SourceFile, list[Diagnostic]]:
    """Validate parsed data against the model of ``kind``; keep going past errors.

    ``programs`` (default: the built-in ones) decides which enrollments and settings
    exist and how each is validated.
    """
    programs = programs if programs is not None else load_programs()
    model_cls = m.FILE_MODELS[kind]
    diags: list[Diagnostic] = []
    data = parsed.data
    if data is None:
        # a file that parsed to nothing (`~`, `null`, a bare `---`) says so, unless reading it already failed
        if not any(d.severity == "error" for d in parsed.diagnostics):
            diags.append(Diagnostic(file, 1, 1, "error", "empty-file",
                                    Message("the file holds no data, only a null document"),
                                    Message("write the file's fields as key: value lines (FORMAT.md)")))
        return SourceFile(file, kind, None, parsed.positions, False), diags
    if not isinstance(data, dict):
        # the whole file is the problem: reported where it starts
        diags.append(Diagnostic(file, 1, 1, "error", "wrong-type", Message("the file should hold a mapping (key: value lines)"),
                                Message("a list or a single value is not a file of this kind; see FORMAT.md")))
        return SourceFile(file, kind, None, parsed.positions, False), diags
    control = _control_characters(file, parsed.positions, data)
    part_name = {"case": "enrollments", "careerpath": "settings"}.get(kind)
    data, top = _unknown_top_keys(file, kind, parsed.positions, data, model_cls, part_name, programs)
    part = data.get(part_name) if part_name else None
    if part_name and part_name in data:
        data = {k: v for k, v in data.items() if k != part_name}
    model, diags, dropped, valid = _validate(file, parsed.positions, model_cls, data)
    diags = top + diags
    valid &= not any(d.severity == "error" for d in top)
    if part_name:  # checked even when the rest of the file failed: every problem in one run
        if part is not None and not isinstance(part, dict):
            line, col = parsed.positions.value((part_name,))
            diags.append(Diagnostic(file, line, col, "error", "wrong-type",
                                    Message("`{path}` should be {what}", path=part_name, what=_MAPPING)))
            dropped.add((part_name,))
            valid, part = False, None
        if kind == "case":
            value, more, gone, ok = _enrollments(file, parsed.positions, part or {}, programs)
        else:
            found, more, gone, ok = _validate(file, parsed.positions, settings_model(programs), part or {}, ("settings",))
            value = record(found.model_dump(by_alias=True)) if found is not None else default_settings(programs)
        if model is not None:
            setattr(model, part_name, value)
        diags.extend(more)
        dropped |= gone
        valid &= ok
    diags.extend(control)
    diags.sort(key=sort_key)
    return SourceFile(file, kind, model, parsed.positions, valid and model is not None and not control,
                      frozenset(dropped)), diags


def model_of(kind: str, data: dict, programs: Optional[ProgramSet] = None) -> Any:
    """The model of plain ``data`` of a file kind, validated as the loader does (for tools and tests).

    Raises ValueError naming the first error (by path and code, never by value).
    """
    from .yamlfile import Positions

    doc, diags = validate_data(f"<{kind}>", kind, YamlFile(f"<{kind}>", data, Positions(), []), programs)
    errors = [d for d in diags if d.severity == "error"]
    if errors or doc.model is None:
        raise ValueError("; ".join(f"{d.code}: {d.message}" for d in errors) or "no model")
    return doc.model


# ---------------------------------------------------------------- folders

def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


class FileStore(typing.Protocol):
    """Where :func:`load_case` may find and leave parsed files (the load cache)."""

    def lookup(self, path: Path, file: str, kind: str) -> Optional[tuple[SourceFile, list[Diagnostic]]]: ...

    def store(self, file: str, stat: Optional[os.stat_result], kind: str, doc: SourceFile, diags: list[Diagnostic]) -> None: ...


def _load_file(root: Path, path: Path, kind: str, diags: list[Diagnostic], files: Optional[FileStore] = None,
              programs: Optional[ProgramSet] = None) -> SourceFile:
    file = _rel(root, path)
    if files is not None:
        hit = files.lookup(path, file, kind)
        if hit is not None:
            diags.extend(hit[1])
            return hit[0]
    stat: list = []
    parsed = read_file(path, file, fast=True, stat_out=stat, root=root)
    doc, more = validate_data(file, kind, parsed, programs)
    file_diags = parsed.diagnostics + more
    diags.extend(file_diags)
    if files is not None:
        files.store(file, stat[0] if stat else None, kind, doc, file_diags)
    return doc


def _listdir(folder: Path, diags: list[Diagnostic], root: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as e:
        diags.append(Diagnostic(_rel(root, folder), 1, 1, "error", "file-unreadable",
                                Message("cannot list the folder ({reason})", reason=e.strerror or type(e).__name__)))
        return []


def _case_folders(cases_dir: Path, diags: list[Diagnostic], root: Path) -> list[tuple[str, bool, Optional[bool]]]:
    """The names of ``cases/``'s entries not hidden, in :func:`_listdir`'s order, each with whether it is a
    link and whether it is a folder (None for a link: followed only once known to stay inside the
    caseload): what the directory listing says, with no system call per entry (a ``Path``, an ``lstat``
    and a ``stat`` for each of 20,519 folders took ~0.25 s)."""
    try:
        with os.scandir(cases_dir) as listing:
            entries = [e for e in listing if not e.name.startswith(".")]
    except OSError as e:
        diags.append(Diagnostic(_rel(root, cases_dir), 1, 1, "error", "file-unreadable",
                                Message("cannot list the folder ({reason})", reason=e.strerror or type(e).__name__)))
        return []
    out = []
    for entry in entries:
        try:
            link = entry.is_symlink()
        except OSError:
            link = (cases_dir / entry.name).is_symlink()
        out.append((entry.name, link, None if link else entry.is_dir(follow_symlinks=False)))
    # the order of sorted(Path, ...) in one folder: the names', case-folded where paths are (Windows)
    out.sort(key=lambda item: os.path.normcase(item[0]))
    return out


def _safe(root: Path, path: Path, diags: list[Diagnostic], link: Optional[bool] = None) -> bool:
    """False, with a diagnostic, for a link leading outside the caseload (``link``: whether ``path`` is one,
    when known)."""
    if (path.is_symlink() if link is None else link) and not inside(root, path):
        diags.append(Diagnostic(_rel(root, path), 1, 1, "error", "symlink-outside",
                                Message("a symbolic link points outside the caseload; it is not followed"),
                                Message("copy the file into the caseload instead of linking to it")))
        return False
    return True


def _load_dated(root: Path, folder: Path, kind: str, diags: list[Diagnostic], files: Optional[FileStore] = None) -> list[SourceFile]:
    docs = []
    if not folder.exists():
        return docs
    if not _safe(root, folder, diags):
        return docs
    if not folder.is_dir():
        diags.append(Diagnostic(_rel(root, folder), 1, 1, "error", "file-unreadable", Message("a file stands where a folder belongs")))
        return docs
    for path in _listdir(folder, diags, root):
        if path.name.startswith(".") or not _safe(root, path, diags):
            continue
        if (char := unsafe_char(path.name, one_line=True)) is not None:
            # a line break or an escape in a name would split or rewrite the lines that show it (a faked
            # `key-date-changed` in audit); such a file counts for nothing until renamed
            diags.append(Diagnostic(_rel(root, path), 1, 1, "error", "file-name-unsafe",
                                    Message("the file name holds the character {char}; the file is not read",
                                            char=code_of(char)),
                                    Message("rename it to <YYYY-MM-DD>-<slug>.yaml")))
            continue
        if path.suffix == ".yml":
            diags.append(Diagnostic(_rel(root, path), 1, 1, "warning", "unexpected-file",
                                    Message("a .yml file is not read"), Message("rename it to .yaml")))
            continue
        if path.suffix != ".yaml":
            continue
        doc = _load_file(root, path, kind, diags, files)
        docs.append(doc)
        match = _DATED_NAME.match(path.name)
        if not match:
            diags.append(Diagnostic(doc.file, 1, 1, "warning", "file-name",
                                    Message("the file name does not follow <YYYY-MM-DD>-<slug>.yaml"),
                                    Message("e.g. 2026-11-03-monthly-review.yaml")))
        elif doc.model is not None and match.group(1) != doc.model.date.isoformat():
            line, col = doc.at("date")
            diags.append(Diagnostic(doc.file, line, col, "warning", "file-name",
                                    Message("the date in the file name differs from `date`"),
                                    Message("rename the file or correct the date")))
    return docs


def load_case(root: Path, folder: Path, diags: list[Diagnostic], files: Optional[FileStore] = None,
              programs: Optional[ProgramSet] = None) -> CaseFolder:
    """Load one case folder (``cases/<id>/``); ``files`` lets the load cache reuse parsed files.

    ``programs``: the caseload's programs (default: read from ``root``).
    """
    if programs is None:
        programs = load_programs(root)
    case_folder = CaseFolder(folder.name, _rel(root, folder))
    case_path = folder / "case.yaml"
    if not _CASE_ID.match(folder.name):
        diags.append(Diagnostic(case_folder.folder, 1, 1, "error", "case-id-invalid", Message("the folder name is not a valid case id"),
                                Message("use 1-64 characters of a-z 0-9 - _, starting with a letter or digit")))
    if not case_path.exists() and not case_path.is_symlink():
        diags.append(Diagnostic(case_folder.folder, 1, 1, "error", "missing-case-file", Message("the case folder has no case.yaml"),
                                Message("run `careerpath new` to scaffold one")))
    elif _safe(root, case_path, diags):
        case_folder.case = _load_file(root, case_path, "case", diags, files, programs)
        if case_folder.case.model is not None and case_folder.case.model.id != folder.name:
            diags.append(case_folder.case.diagnostic(("id",), "error", "case-id-mismatch", Message("`id` differs from the folder name"),
                                            Message("make `id` equal the folder name, or rename the folder")))
    plan_path = folder / "plan.yaml"
    if (plan_path.exists() or plan_path.is_symlink()) and _safe(root, plan_path, diags):
        case_folder.plan = _load_file(root, plan_path, "plan", diags, files)
    case_folder.events = _load_dated(root, folder / "events", "event", diags, files)
    case_folder.referrals = _load_dated(root, folder / "referrals", "referral", diags, files)
    case_folder.appointments = _load_dated(root, folder / "appointments", "appointment", diags, files)
    for path in _listdir(folder, diags, root):
        if path.is_file() and path.suffix in (".yaml", ".yml") and path.name not in ("case.yaml", "plan.yaml"):
            diags.append(Diagnostic(_rel(root, path), 1, 1, "warning", "unexpected-file",
                                    Message("this file is not part of the case format and is not read"),
                                    Message("events go in events/, referrals in referrals/, attachments in documents/")))
    return case_folder


def find_caseload(start: Path) -> Optional[Path]:
    """The nearest folder at or above ``start`` holding careerpath.yaml (as git finds .git)."""
    from .where import find_caseload as nearest  # (the start-up path finds it the same way, without pydantic)

    return nearest(start)


def load(root: Path | str) -> Caseload:
    """Load the caseload at ``root``, reading every file. Problems in files become diagnostics.

    No cache is read or written (nothing is written behind a library caller's
    back); :func:`careerpath.pipeline.load` takes a cache when asked to.
    """
    root = Path(root)
    if not root.is_dir():
        raise CaseloadNotFound(f"{root} is not a folder")
    return load_root(root, load_case)


def load_config(root: Path, diags: list[Diagnostic], programs: Optional[ProgramSet] = None
                ) -> tuple[m.CaseloadConfig, Optional[SourceFile]]:
    """careerpath.yaml as a model (defaults when missing or broken) and its parsed file."""
    if programs is None:
        programs = load_programs(root)
    config_file = None
    config_path = root / CONFIG_FILE
    if config_path.is_symlink() and not _safe(root, config_path, diags):
        pass
    elif config_path.exists():
        config_file = _load_file(root, config_path, "careerpath", diags, programs=programs)
    else:
        diags.append(Diagnostic(CONFIG_FILE, 1, 1, "error", "missing-caseload-file", Message("careerpath.yaml is missing"),
                                Message("run `careerpath init` or point --caseload at the caseload folder")))
    config = config_file.model if config_file and config_file.model else empty_config(programs)
    return config, config_file


def empty_config(programs: ProgramSet) -> m.CaseloadConfig:
    """The settings a caseload has when careerpath.yaml is missing or unusable: no agency, no staff, defaults."""
    return m.CaseloadConfig.model_construct(agency="", default_language="en", staff=[],
                                            settings=default_settings(programs))


#: Folders of a caseload read or written outside the case files: the agency's
#: templates and careerpath's own cache-and-locks folder. A link leading
#: outside the caseload is refused like a linked case file (``symlink-outside``).
OWN_FOLDERS = ("templates", ".careerpath")


def load_root(root: Path, case_loader: Optional[typing.Callable[..., CaseFolder]], only: Optional[str] = None) -> Caseload:
    """The caseload at ``root``, each case folder loaded by ``case_loader`` (load_case, or the cache's; None:
    no case folder, and only the diagnostics that belong to none of them).

    ``only``: load that one case folder and no other (see :func:`load_one`).
    """
    programs = load_programs(root)
    diags: list[Diagnostic] = list(programs.diagnostics)
    config, config_file = load_config(root, diags, programs)
    for name in OWN_FOLDERS:  # a cloned caseload may link these anywhere: not followed (documents, fsio), reported here
        _safe(root, root / name, diags)
    cases: dict[str, CaseFolder] = {}
    cases_dir = root / "cases"
    if cases_dir.is_dir() and _safe(root, cases_dir, diags):
        if only is None:
            entries = _case_folders(cases_dir, diags, root)
        else:
            entries = [(only, None, None)] if _listed(cases_dir, only) else []
        ready: dict[str, tuple[CaseFolder, list[Diagnostic]]] = {}
        if case_loader is load_case and only is None:  # a large caseload loads on every core
            ready = load_cases_parallel(root, [cases_dir / name for name, link, is_dir in entries
                                               if not link and is_dir])
        for name, link, is_dir in entries:
            if case_loader is None and is_dir:
                continue  # (a plain folder: nothing to say of it when only the caseload's own diagnostics are asked)
            folder = cases_dir / name
            if not _safe(root, folder, diags, link):
                continue
            if name in ready:
                cases[name], more = ready[name]
                diags.extend(more)
            elif folder.is_dir() if is_dir is None else is_dir:
                if case_loader is not None:
                    cases[name] = case_loader(root, folder, diags, programs=programs)
            elif folder.suffix in (".yaml", ".yml"):
                diags.append(Diagnostic(_rel(root, folder), 1, 1, "warning", "unexpected-file",
                                        Message("a file directly under cases/ is not read"),
                                        Message("each case is a folder: cases/<id>/case.yaml")))
    # the caseload's surveys (optional; a caseload without the folder has none)
    surveys = _load_dated(root, root / "surveys", "survey", diags)
    for doc in surveys:  # the questionnaire a survey links to is a file of the caseload
        q = doc.model.questionnaire if doc.model is not None else None
        if q and (q.startswith("/") or ".." in q.split("/") or not inside(root, root / q) or not (root / q).is_file()):
            diags.append(doc.diagnostic(("questionnaire",), "warning", "questionnaire-missing",
                                        Message("`questionnaire` names no file inside the caseload"),
                                        Message("give its path from the caseload folder, e.g. surveys/questionnaires/<file>")))
    diags.sort(key=sort_key)
    return Caseload(root, config, config_file, cases, diags, programs, surveys)


def _listed(cases_dir: Path, name: str) -> bool:
    """Whether ``name`` is an entry of ``cases/`` as the whole listing has it (a plain name, not hidden).

    Asked of the listing itself rather than by opening the path: ``x/../y``,
    ``.``, or another spelling on a case-insensitive disk is no case id.
    """
    if not name or name.startswith(".") or "/" in name or "\0" in name or os.sep in name:
        return False
    try:
        return name in os.listdir(cases_dir)
    except OSError:
        return False


def load_one(root: Path | str, case_id: str) -> Caseload:
    """The caseload at ``root`` with one case folder loaded: what one person's commands need.

    Exactly what :func:`load` gives for that case (its folder, its load
    diagnostics) and for everything outside ``cases/`` (careerpath.yaml, the
    programs, the caseload's own folders), with no other case read: ``cases``
    holds ``case_id`` alone, or nothing when there is no such case folder.
    Diagnostics that concern other case folders are not there; `validate`
    reads the whole caseload. Reads every file it loads; writes nothing.
    """
    root = Path(root)
    if not root.is_dir():
        raise CaseloadNotFound(f"{root} is not a folder")
    return load_root(root, load_case, only=case_id)


def case_folder_names(root: Path | str) -> list[str]:
    """The names of the case folders under ``cases/`` as :func:`load` keys them (sorted; links out left out).

    For did-you-mean when :func:`load_one` finds no such case: a listing, no file read.
    """
    cases_dir = Path(root) / "cases"
    names = []
    try:
        with os.scandir(cases_dir) as entries:
            for e in entries:
                if e.name.startswith(".") or not e.is_dir():
                    continue
                if e.is_symlink() and not inside(Path(root), Path(e.path)):
                    continue
                names.append(e.name)
    except OSError:
        return []
    return sorted(names)


def _load_chunk(task: tuple[Path, list[str]]) -> list[tuple[str, CaseFolder, list[Diagnostic]]]:
    root, names = task
    programs = load_programs(root)
    out = []
    for name in names:
        diags: list[Diagnostic] = []
        out.append((name, load_case(root, root / "cases" / name, diags, programs=programs), diags))
    return out


def load_cases_parallel(root: Path, folders: list[Path]) -> dict[str, tuple[CaseFolder, list[Diagnostic]]]:
    """Case folders loaded by a pool of processes, {name: (CaseFolder, diagnostics)}; {} when too few to pay.

    The uncached loader's way to use every core on a large caseload; the order
    of the result does not matter (the caller walks its own sorted listing).
    """
    from . import parallel

    if not parallel.worth_a_pool(len(folders)):
        return {}
    names = [f.name for f in folders]
    size = max(20, len(names) // (parallel.WORKERS * 16))
    out: dict[str, tuple[CaseFolder, list[Diagnostic]]] = {}
    for part in parallel.pool_map(_load_chunk, [(root, names[i:i + size]) for i in range(0, len(names), size)]):
        for name, folder, diags in part:
            out[name] = (folder, diags)
    return out
