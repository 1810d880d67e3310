"""Document kinds as data: ``programs/<id>/documents.yaml`` and the shared ``careerpath/documents/kinds.yaml``.

A program folder declares the document kinds it owns; the kinds its people
get are those listed under ``documents:`` in its program.yaml (its own, and
shared ones such as ``interpreter-request``)::

    kinds:
      ipra-report:
        title: Report on the IPRA measures       # an English msgid (the documents catalogue translates it)
        audience: agency                         # person (plain language, "you") | agency | both
                                                 # (the language follows: the person's, the agency's, the
                                                 # agency's then a copy in the person's; see documents.engine)
        period: {unit: year, anchor: enrollment.registered}   # or month | quarter; none: no period
        labels: [roles, enrollment.disability.group]          # the label tables the template shows
        situation: referral.psychological-support             # when the kind fits a case (see below)
        requires:                                # what the document cannot be made without
          - config.agency
          - enrollment
          - staff.curator
          - {path: enrollment.ipra.measures, why: at least one}
          - one_of: [case.person.phone, case.person.address]
          - {path: plan.services.*.due, where: {program: ru-czn-disability}}

Paths name data by where it is written, never by value, so a missing one is
reported as ``case.yaml: enrollments.<id>.ipra.measures (at least one)``:

``config.<field>``            careerpath.yaml (``config.agency``)
``case.<field>``              case.yaml (``case.person.phone``)
``staff.<role>``              the case's staff member in that role: ``staff.<role>`` in
                              case.yaml, or an enrollment field of type staff with ``role:``
``enrollment[.<field>]``      the enrollment in the program that owns the kind
``enrollments.<id>[.<field>]``  the enrollment in another program
``plan[.<field>]``            plan.yaml
``referral.<kind>[.<field>]`` the latest referral of that kind on file

``*`` steps into every item of a list; ``where`` keeps the items a condition
holds for. A requirement whose path lies inside one already reported missing
is not reported again (no IPRA: its number is not listed as well).

``situation`` is a path that must be set, a condition mapping (``{path:
expected}``, as in rule files: null = unset, a list = one of, ``{set: bool}``),
or a list of those, any of which fits. No situation: the kind fits everyone in
its programs.

``labels`` names tables of words the code supplies: ``areas``, ``roles``,
``statuses``, ``referral-kinds``, ``referral-documents``, ``consent``,
``yes-no``, ``events`` (every event type's label), ``programs`` (every
program's ``label``), or a choice field (``enrollment.type``) whose ``labels``
the template shows. A document is rendered in a language only when the
catalogue translates every one of them (see careerpath.documents.engine).

This module is data only: it parses and checks the declarations. Evaluating
them against a case is :mod:`careerpath.documents.kinds`.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from .fields import FieldError, FieldSpec, find
from .files import SHARED_KINDS

DOCUMENTS_FILE = "documents.yaml"
#: the kinds no program owns (listed by the programs that use them)
SHARED_FILE = SHARED_KINDS

AUDIENCES = ("person", "agency", "both")
PERIODS = ("month", "quarter", "year")
#: label tables a kind may name besides choice fields (careerpath.documents.labels defines the core ones)
LABEL_TABLES = ("areas", "roles", "statuses", "referral-kinds", "referral-documents", "consent", "meeting-modes", "yes-no",
                "events", "programs")
ROOTS = ("config", "case", "staff", "enrollment", "enrollments", "plan", "referral")

_KIND = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
_SEGMENT = re.compile(r"^(\*|[A-Za-z0-9_][A-Za-z0-9_-]*)$")
_KIND_KEYS = {"title", "audience", "period", "labels", "situation", "requires"}
_REQUIREMENT_KEYS = {"path", "one_of", "why", "where", "value"}


@dataclass(frozen=True)
class Requirement:
    """One thing a document cannot be made without: one of ``paths`` set (and equal to ``value`` if given)."""

    paths: tuple[str, ...]
    why: str = ""
    where: tuple = ()                # a condition on list items ((path, expected), ...)
    value: Any = None                # the value the path must hold (a tuple: one of), when has_value
    has_value: bool = False


@dataclass(frozen=True)
class KindSpec:
    """A document kind as declared: what it is, when it fits, what it needs."""

    name: str
    title: str
    owner: str = ""                  # the program folder declaring it ("" for a shared kind)
    audience: str = "person"
    period: str = ""                 # month | quarter | year | "" (no period)
    anchor: str = ""                 # for a year: the date field the plan year starts on
    labels: tuple[str, ...] = ()
    situation: tuple = ()            # alternatives, each a condition ((path, expected), ...); () = always
    requires: tuple[Requirement, ...] = ()
    source: str = ""                 # the file that declares it, as the user names it

    @property
    def template(self) -> str:
        return f"{self.name}.j2"


# ---------------------------------------------------------------- paths

def split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional down to the type that matters."""
    import types

    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _model_has(model: Any, parts: tuple[str, ...]) -> bool:
    """Whether ``parts`` names a field of the pydantic ``model`` (by file name; ``*`` steps into a list)."""
    from pydantic import BaseModel

    current: Any = model
    for part in parts:
        current = _unwrap(current)
        if part == "*":
            if typing.get_origin(current) is not list or not typing.get_args(current):
                return False
            current = typing.get_args(current)[0]
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return False
        found = next((f for name, f in current.model_fields.items() if part in (name, f.alias)), None)
        if found is None:
            return False
        current = found.annotation
    return True


def check_path(path: Any, where: tuple, owner_fields: Optional[tuple[FieldSpec, ...]], *,
               stars: bool = True) -> None:
    """Refuse a path that names nothing (FieldError at ``where``); ``enrollments.<id>.…`` is checked with the set."""
    from .. import models as m

    if not isinstance(path, str) or not path:
        raise FieldError(where, "a path is text such as `enrollment.ipra.number` or `staff.curator`")
    parts = split(path)
    if not all(_SEGMENT.match(p) for p in parts):
        raise FieldError(where, f"`{path}` is not a path (names joined by dots, `*` for every list item)")
    if "*" in parts and not stars:
        raise FieldError(where, f"`{path}`: `*` is for requirements, not conditions")
    root, rest = parts[0], parts[1:]
    if root not in ROOTS:
        raise FieldError(where, f"`{path}` starts with `{root}`; a path starts with one of {', '.join(ROOTS)}")
    if root == "staff":
        if len(rest) != 1 or rest[0] not in m.ROLES:
            raise FieldError(where, f"`{path}`: write `staff.<role>`, a role of {', '.join(m.ROLES)}")
    elif root == "referral":
        kinds = typing.get_args(m.Referral.model_fields["kind"].annotation)
        if not rest or rest[0] not in kinds:
            raise FieldError(where, f"`{path}`: write `referral.<kind>`, a kind of {', '.join(kinds)}")
        if rest[1:] and not _model_has(m.Referral, rest[1:]):
            raise FieldError(where, f"`{path}` names no field of a referral")
    elif root == "enrollment":
        if owner_fields is None:
            raise FieldError(where, f"`{path}`: a shared kind has no program of its own; "
                                    "write `enrollments.<program>.<field>`")
        if rest and find(owner_fields, rest) is None:
            raise FieldError(where, f"`{path}` names no enrollment field of this program")
    elif root == "enrollments":
        if not rest:
            raise FieldError(where, f"`{path}`: write `enrollments.<program>` or `enrollments.<program>.<field>`")
    else:
        model = {"config": m.CaseloadConfig, "case": m.Case, "plan": m.Plan}[root]
        if rest and not _model_has(model, rest):
            raise FieldError(where, f"`{path}` names no field of {'careerpath.yaml' if root == 'config' else root + '.yaml'}")


def other_program_paths(spec: KindSpec) -> list[tuple[str, str]]:
    """(program id, field path) of every ``enrollments.<id>.<field>`` the kind reads (checked with the whole set)."""
    paths = [p for r in spec.requires for p in r.paths] + [p for alt in spec.situation for p, _ in alt]
    paths.append(spec.anchor)
    out = []
    for path in paths:
        parts = split(path) if path else ()
        if len(parts) >= 2 and parts[0] == "enrollments":
            out.append((parts[1], ".".join(parts[2:])))
    return out


# ---------------------------------------------------------------- parsing

def _condition(value: Any, where: tuple, owner_fields) -> tuple:
    """One alternative of a situation: a path that must be set, or a mapping path -> expected value."""
    if isinstance(value, str):
        check_path(value, where, owner_fields, stars=False)
        return ((value, {"set": True}),)
    if not isinstance(value, dict) or not value:
        raise FieldError(where, "a situation is a path, a mapping of path: expected value, or a list of those")
    out = []
    for path, expected in value.items():
        check_path(path, where + (path,), owner_fields, stars=False)
        out.append((str(path), tuple(expected) if isinstance(expected, list) else expected))
    return tuple(out)


def _item_condition(value: Any, where: tuple) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, dict) or not value:
        raise FieldError(where, "`where` maps fields of a list item to the value they hold")
    return tuple((str(k), tuple(v) if isinstance(v, list) else v) for k, v in value.items())


def _requirement(raw: Any, where: tuple, owner_fields) -> Requirement:
    if isinstance(raw, str):
        check_path(raw, where, owner_fields)
        return Requirement((raw,))
    if not isinstance(raw, dict):
        raise FieldError(where, "a requirement is a path, or {path | one_of, why, where, value}")
    unknown = sorted(set(raw) - _REQUIREMENT_KEYS)
    if unknown:
        raise FieldError(where + (unknown[0],), f"`{unknown[0]}` is not a key of a requirement "
                                                f"({', '.join(sorted(_REQUIREMENT_KEYS))})")
    if ("path" in raw) == ("one_of" in raw):
        raise FieldError(where, "a requirement has `path` or `one_of` (a list of paths, any of which will do)")
    if "path" in raw:
        paths = (raw["path"],)
        check_path(raw["path"], where + ("path",), owner_fields)
    else:
        paths = raw["one_of"]
        if not isinstance(paths, list) or len(paths) < 2:
            raise FieldError(where + ("one_of",), "`one_of` lists two or more paths")
        for i, p in enumerate(paths):
            check_path(p, where + ("one_of", i), owner_fields)
        paths = tuple(paths)
    if len(paths) > 1 and any("*" in split(p) for p in paths):
        raise FieldError(where, "a path with `*` stands alone, not in `one_of`")
    why = raw.get("why", "")
    if not isinstance(why, str):
        raise FieldError(where + ("why",), "`why` is text (shown in parentheses after the path)")
    value = raw.get("value")
    if isinstance(value, list):
        value = tuple(value)
    return Requirement(paths, why, _item_condition(raw.get("where"), where + ("where",)), value, "value" in raw)


def _period(raw: Any, where: tuple, owner_fields) -> tuple[str, str]:
    if raw is None:
        return "", ""
    if isinstance(raw, str):
        raw = {"unit": raw}
    if not isinstance(raw, dict) or raw.get("unit") not in PERIODS or set(raw) - {"unit", "anchor"}:
        raise FieldError(where, "`period` is month, quarter or year, or {unit: year, anchor: <date path>}")
    anchor = raw.get("anchor") or ""
    if anchor:
        if raw["unit"] != "year":
            raise FieldError(where + ("anchor",), "only a year has an anchor (the day its plan year starts)")
        check_path(anchor, where + ("anchor",), owner_fields, stars=False)
    return raw["unit"], anchor


def _labels(raw: Any, where: tuple, owner_fields) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise FieldError(where, "`labels` lists label tables or choice fields")
    for i, name in enumerate(raw):
        if name in LABEL_TABLES:
            continue
        parts = split(name)
        if parts[0] not in ("enrollment", "enrollments"):
            raise FieldError(where + (i,), f"`{name}` is not a label table ({', '.join(LABEL_TABLES)}) "
                                           "or a choice field (`enrollment.<field>`)")
        check_path(name, where + (i,), owner_fields, stars=False)
        if parts[0] == "enrollment":
            spec = find(owner_fields, parts[1:]) if owner_fields is not None else None
            if spec is None or spec.type != "choice" or not spec.labels:
                raise FieldError(where + (i,), f"`{name}` is not a choice field with `labels`")
    return tuple(raw)


def parse_kinds(data: Any, owner: str, owner_fields: Optional[tuple[FieldSpec, ...]],
                source: str) -> tuple[KindSpec, ...]:
    """The kinds of one documents.yaml (``owner``: its program, "" for the shared file); FieldError when malformed."""
    if data is None:  # an empty file (or only comments) declares nothing
        return ()
    if not isinstance(data, dict) or set(data) - {"kinds"}:
        raise FieldError((), "documents.yaml holds `kinds:`, a mapping of kind name -> declaration")
    kinds = data.get("kinds") or {}
    if not isinstance(kinds, dict):
        raise FieldError(("kinds",), "`kinds` maps kind names to their declaration")
    out = []
    for name, raw in kinds.items():
        where = ("kinds", name)
        if not isinstance(name, str) or not _KIND.match(name):
            raise FieldError(where, f"`{name}` is not a kind name (lower-case words joined by hyphens)")
        if not isinstance(raw, dict):
            raise FieldError(where, "a kind is declared as a mapping with at least `title`")
        unknown = sorted(set(raw) - _KIND_KEYS)
        if unknown:
            raise FieldError(where + (unknown[0],), f"`{unknown[0]}` is not a key of a kind "
                                                    f"({', '.join(sorted(_KIND_KEYS))})")
        title = raw.get("title")
        if not isinstance(title, str) or not title:
            raise FieldError(where + ("title",), "a kind needs a `title` (English; the catalogue translates it)")
        audience = raw.get("audience", "person")
        if audience not in AUDIENCES:
            raise FieldError(where + ("audience",), f"`audience` is one of {', '.join(AUDIENCES)}")
        period, anchor = _period(raw.get("period"), where + ("period",), owner_fields)
        situation_raw = raw.get("situation")
        if situation_raw is None:
            situation: tuple = ()
        elif isinstance(situation_raw, list):
            if not situation_raw:
                raise FieldError(where + ("situation",), "an empty list of situations never fits: leave it out")
            situation = tuple(_condition(v, where + ("situation", i), owner_fields) for i, v in enumerate(situation_raw))
        else:
            situation = (_condition(situation_raw, where + ("situation",), owner_fields),)
        requires_raw = raw.get("requires") or []
        if not isinstance(requires_raw, list):
            raise FieldError(where + ("requires",), "`requires` is a list of paths and requirements")
        requires = tuple(_requirement(r, where + ("requires", i), owner_fields) for i, r in enumerate(requires_raw))
        out.append(KindSpec(name=name, title=title, owner=owner, audience=audience, period=period, anchor=anchor,
                            labels=_labels(raw.get("labels"), where + ("labels",), owner_fields),
                            situation=situation, requires=requires, source=source))
    return tuple(out)


def read_kinds(path: Path, owner: str, owner_fields: Optional[tuple[FieldSpec, ...]],
               shown: str) -> tuple[tuple[KindSpec, ...], list]:
    """The kinds a documents.yaml declares, or () and the diagnostics (file and line) when it is malformed."""
    from ..diagnostics import Diagnostic
    from ..yamlfile import read_file

    parsed = read_file(path, shown)
    errors = [d for d in parsed.diagnostics if d.severity == "error"]
    if errors:
        return (), errors
    try:
        return parse_kinds(parsed.data, owner, owner_fields, shown), []
    except FieldError as e:
        line, col = parsed.positions.value(e.path) if parsed.positions is not None else (1, 1)
        return (), [Diagnostic(shown, line, col, "error", "program-invalid", e.message)]


def msgids_of_program(program: Any) -> list[tuple[int, str]]:
    """(0, msgid) of every word a program declares for documents and reports: its label, event labels, choice
    labels, and the stage names the dashboard shows."""
    out = [program.label] + list(program.events.values()) + [name for name, _when in program.stages]
    for _path, spec in program.walk():
        out += [label for _value, label in spec.labels]
    return [(0, m) for m in out if m]


def extract_yaml(fileobj, keywords, comment_tags, options):
    """Babel extractor (babel.cfg) for program.yaml and documents.yaml: the words documents show.

    program.yaml: ``label``, every event ``label``, every choice field's
    ``labels``, every ``stages`` item's ``stage`` (the dashboard's words);
    documents.yaml / kinds.yaml: every kind's ``title``.
    """
    import yaml

    node = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return

    def get(mapping, key):
        return next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None) \
            if isinstance(mapping, yaml.MappingNode) else None

    def scalar(n):
        return n.value if isinstance(n, yaml.ScalarNode) and n.value else None

    found: list[tuple[int, str]] = []

    def emit(n):
        if scalar(n):
            found.append((n.start_mark.line + 1, n.value))

    kinds = get(node, "kinds")
    if kinds is not None:
        for _k, decl in (kinds.value if isinstance(kinds, yaml.MappingNode) else []):
            emit(get(decl, "title"))
    emit(get(node, "label"))
    events = get(node, "events")
    for _k, decl in (events.value if isinstance(events, yaml.MappingNode) else []):
        emit(get(decl, "label"))

    def fields(mapping):
        for _k, decl in (mapping.value if isinstance(mapping, yaml.MappingNode) else []):
            labels = get(decl, "labels")
            for _v, label in (labels.value if isinstance(labels, yaml.MappingNode) else []):
                emit(label)
            fields(get(decl, "fields"))
            items = get(decl, "items")
            if items is not None:
                fields(yaml.MappingNode("tag:yaml.org,2002:map", [(yaml.ScalarNode("", "*"), items)]))

    fields(get(node, "enrollment"))
    stages = get(node, "stages")
    for item in (stages.value if isinstance(stages, yaml.SequenceNode) else []):
        emit(get(item, "stage"))
    for line, message in found:
        yield line, None, message, []


__all__ = ["KindSpec", "Requirement", "parse_kinds", "read_kinds", "check_path", "split", "LABEL_TABLES",
           "AUDIENCES", "PERIODS", "ROOTS", "DOCUMENTS_FILE", "SHARED_FILE", "extract_yaml", "msgids_of_program"]
