"""Field declarations in ``program.yaml`` -> pydantic models and JSON Schema.

A program declares the fields of its enrollment (and the settings it reads)
as data::

    enrollment:
      basis: {type: choice, values: [left-work-activity-program, ...], required: true}
      start: {type: date, required: true, key_date: true}
      subcodes: {type: list, items: {type: choice, values: [NAV, CES]}}
      eligibility:
        type: mapping
        default: {}
        fields:
          status: {type: choice, values: [pending, eligible], default: pending}

From that, :func:`build_model` makes the pydantic model the loader validates
with (every error at once, each with its path) and :func:`json_schema` the
schema editors complete with. The models are made once per declaration and
never pickled: what a file loads to is a plain :class:`~careerpath.values.Record`.

Types: ``text``, ``date``, ``integer``, ``number``, ``boolean``, ``choice``
(``values``), ``staff`` (a staff id from careerpath.yaml), ``language``,
``phone``, ``duration`` (``30d``, ``6m``), ``list`` (``items``), ``mapping``
(``fields``). Each may say ``required``, ``default``, ``help``, ``min``/``max``
(numbers; ``min_items`` for lists), ``pattern`` (text), ``personal``
(whether its value may identify the person; text defaults to personal,
everything else not), ``key_date`` (an auditor follows its changes),
``not_before`` (a sibling date it may not precede, or ``^path`` from the
enrollment's top, with ``order_message`` and ``order_hint``), ``role`` (a
staff field that names the case's staff in that role), ``redact`` (the kind
of placeholder ``--redact`` puts in its place: name, ipra, phone…) and
``label`` (an English label for people; ``labels`` for choice values).
"""

from __future__ import annotations

import hashlib
import keyword
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Iterable, Iterator, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

TYPES = ("text", "date", "integer", "number", "boolean", "choice", "staff", "language", "phone", "duration",
         "list", "mapping")
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
#: The bound of a number field that declares none (``wage: 1e26`` crashed currency formatting).
NUMBER_MAX = 1_000_000_000_000


class FieldError(ValueError):
    """A field declaration is malformed; ``path`` is where, inside the declaration."""

    def __init__(self, path: tuple, message: str):
        super().__init__(message)
        self.path, self.message = path, message


def check_keys(raw: dict, where: tuple, allowed: Iterable[str], what: str, *, listed: str = "{keys}") -> None:
    """FieldError at the first key of ``raw`` that ``allowed`` does not hold: "`x` is not a key of <what>
    (<allowed keys>)"; ``listed`` words the list ("keys: {keys}"), "" leaves it out. The one check every
    declaration (a field, a check, a registry and its columns, a document kind and its requirements) shares."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        shown = listed.format(keys=", ".join(sorted(allowed))) if listed else ""
        raise FieldError(where + (unknown[0],), f"`{unknown[0]}` is not a key of {what}" + (f" ({shown})" if shown else ""))


def declarations(raw: Any, section: str, name_rx: "re.Pattern", keys: Iterable[str], what: str,
                 shape: str) -> Iterator[tuple[str, dict, tuple]]:
    """(name, declaration, where) of each entry of a mapping of names to declarations (``registries:`` of a
    program.yaml, ``kinds:`` of a documents.yaml), checked alike: the section is a mapping, each name
    lower-case words joined by hyphens, each declaration a mapping (``shape`` says what one looks like)
    holding only ``keys``."""
    if not isinstance(raw, dict):
        raise FieldError((section,), f"`{section}` maps {what} names to their declaration")
    for name, decl in raw.items():
        where = (section, name)
        if not isinstance(name, str) or not name_rx.match(name):
            raise FieldError(where, f"`{name}` is not a {what} name (lower-case words joined by hyphens)")
        if not isinstance(decl, dict):
            raise FieldError(where, shape)
        check_keys(decl, where, keys, f"a {what}")
        yield name, decl, where


@dataclass(frozen=True)
class FieldSpec:
    """One declared field (of an enrollment, a nested mapping, a list item or the settings)."""

    name: str
    type: str
    required: bool = False
    default: Any = None
    has_default: bool = False
    help: str = ""
    label: str = ""
    values: tuple = ()
    labels: tuple[tuple[Any, str], ...] = ()
    min: Optional[float] = None
    max: Optional[float] = None
    min_items: Optional[int] = None
    pattern: str = ""
    personal: bool = False
    key_date: bool = False
    not_before: str = ""
    order_message: str = ""
    order_hint: str = ""
    role: str = ""
    redact: str = ""
    items: Optional["FieldSpec"] = None
    fields: tuple["FieldSpec", ...] = field(default=())
    examples: tuple = ()

    def field(self, name: str) -> Optional["FieldSpec"]:
        return next((f for f in self.fields if f.name == name), None)

    def walk(self, prefix: tuple = ()) -> "list[tuple[tuple, FieldSpec]]":
        """(path, spec) of this field's sub-fields, depth first; list items appear with ``*``."""
        out: list[tuple[tuple, FieldSpec]] = []
        for f in self.fields:
            out.append((prefix + (f.name,), f))
            out.extend(f.walk(prefix + (f.name,)))
        if self.items is not None:
            out.extend(self.items.walk(prefix + ("*",)))
        return out


_KEYS = {"type", "required", "default", "help", "label", "values", "labels", "min", "max", "min_items", "pattern",
         "personal", "key_date", "not_before", "order_message", "order_hint", "role", "redact", "items", "fields",
         "examples"}


def parse_field(name: str, raw: Any, path: tuple = ()) -> FieldSpec:
    """A field declaration (a mapping from program.yaml) as a :class:`FieldSpec`; FieldError when malformed."""
    here = path + (name,)
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, dict):
        raise FieldError(here, f"field `{name}` is declared as a mapping with at least `type`")
    check_keys(raw, here, _KEYS, "a field declaration", listed="keys: {keys}")
    kind = raw.get("type")
    if kind not in TYPES:
        raise FieldError(here + ("type",), f"field `{name}`: type must be one of {', '.join(TYPES)}")
    kw: dict[str, Any] = {"name": name, "type": kind}
    for key in ("required", "personal", "key_date"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise FieldError(here + (key,), f"`{key}` is true or false")
            kw[key] = raw[key]
    for key in ("help", "label", "pattern", "not_before", "order_message", "order_hint", "role", "redact"):
        if key in raw:
            if not isinstance(raw[key], str):
                raise FieldError(here + (key,), f"`{key}` is text")
            kw[key] = raw[key]
    for key in ("min", "max"):
        if key in raw:
            if not isinstance(raw[key], (int, float)) or isinstance(raw[key], bool):
                raise FieldError(here + (key,), f"`{key}` is a number")
            kw[key] = raw[key]
    if "min_items" in raw:
        kw["min_items"] = int(raw["min_items"])
    if "default" in raw:
        kw["default"], kw["has_default"] = raw["default"], True
    if kind == "choice":
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise FieldError(here + ("values",), f"choice field `{name}` needs `values` (a list)")
        kw["values"] = tuple(values)
        labels = raw.get("labels") or {}
        if not isinstance(labels, dict) or set(labels) - set(values):
            raise FieldError(here + ("labels",), "`labels` maps some of the `values` to an English label")
        kw["labels"] = tuple((v, labels[v]) for v in values if v in labels)
    elif "values" in raw or "labels" in raw:
        raise FieldError(here + ("values",), "only a choice field has `values` and `labels`")
    if kind == "list":
        if "items" not in raw:
            raise FieldError(here + ("items",), f"list field `{name}` needs `items` (a field declaration)")
        kw["items"] = parse_field("*", raw["items"], here)
    if kind == "mapping":
        fields = raw.get("fields")
        if not isinstance(fields, dict) or not fields:
            raise FieldError(here + ("fields",), f"mapping field `{name}` needs `fields`")
        kw["fields"] = parse_fields(fields, here + ("fields",))
    if "personal" not in kw:
        kw["personal"] = kind == "text" or (kind == "list" and kw["items"].personal) or (
            kind == "mapping" and any(f.personal for f in kw["fields"]))
    if "examples" in raw:
        kw["examples"] = tuple(raw["examples"]) if isinstance(raw["examples"], list) else (raw["examples"],)
    spec = FieldSpec(**kw)
    if spec.not_before and spec.type != "date":
        raise FieldError(here + ("not_before",), "`not_before` belongs to a date field")
    return spec


def parse_fields(raw: Any, path: tuple = ()) -> tuple[FieldSpec, ...]:
    if not isinstance(raw, dict):
        raise FieldError(path, "fields are a mapping of name: declaration")
    out = []
    for name, decl in raw.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise FieldError(path + (name,), f"`{name}` is not a field name (lower-case letters, digits, - and _)")
        out.append(parse_field(name, decl, path))
    for spec in out:  # `^a.b` names a field from the enrollment's top; checked by the program loader
        if spec.not_before and not spec.not_before.startswith("^") and not any(f.name == spec.not_before for f in out):
            raise FieldError(path + (spec.name, "not_before"), f"`not_before: {spec.not_before}` names no sibling field")
    return tuple(out)


# ---------------------------------------------------------------- models

_PATTERNS = {
    "staff": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    "language": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    "phone": r"^\+?[0-9][0-9 ().-]{2,30}( ?(x|ext\.?) ?[0-9]{1,6})?$",
    "duration": r"^[1-9][0-9]{0,3}[dwmy]$",
}


def _annotation(spec: FieldSpec, owner: str) -> Any:
    from ..models import Date, Text

    constraint: dict[str, Any] = {}
    if spec.min is not None:
        constraint["ge"] = spec.min
    if spec.max is not None:
        constraint["le"] = spec.max
    if spec.help:
        constraint["description"] = spec.help
    if spec.type == "text":
        base: Any = Annotated[str, Field(min_length=1, pattern=spec.pattern or None)]
    elif spec.type == "date":
        base = Date
    elif spec.type in ("integer", "number"):
        # no declared bound still leaves one: a number past what formats exactly is a typing mistake or an attack
        bounds = {"ge": -NUMBER_MAX, "le": NUMBER_MAX, **{k: v for k, v in constraint.items() if k != "description"}}
        base = (Annotated[int, Field(**bounds)] if spec.type == "integer"
                else Annotated[float, Field(allow_inf_nan=False, **bounds)])
    elif spec.type == "boolean":
        base = bool
    elif spec.type == "choice":
        base = Literal[spec.values]  # type: ignore[valid-type]
    elif spec.type in _PATTERNS:
        base = Annotated[str, Field(pattern=spec.pattern or _PATTERNS[spec.type])]
    elif spec.type == "list":
        assert spec.items is not None
        base = list[_annotation(spec.items, owner)]  # type: ignore[misc]
    elif spec.type == "mapping":
        base = _model(spec.fields, f"{owner}_{_ident(spec.name)}")
    else:  # pragma: no cover (parse_field refuses other types)
        raise FieldError((spec.name,), f"unknown type {spec.type}")
    return base


def _ident(name: str) -> str:
    ident = re.sub(r"\W", "_", name)
    return ident + "_" if keyword.iskeyword(ident) or ident in ("model_config", "model_fields") else ident


def _default(spec: FieldSpec) -> Any:
    if spec.has_default:
        return spec.default
    if spec.type == "list":
        return []
    return None


class _Base(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)


def _model(specs: tuple[FieldSpec, ...], name: str, nullable: bool = True) -> type[BaseModel]:
    defs: dict[str, Any] = {}
    for spec in specs:
        ann = _annotation(spec, name)
        description = spec.help or None
        if spec.required:
            defs[_ident(spec.name)] = (ann, Field(..., alias=spec.name, description=description))
        else:
            default = _default(spec)
            if spec.type == "mapping" and isinstance(default, dict):
                default = ann.model_validate(default)  # `default: {}` builds the empty mapping
            # (not ``nullable``: a field with a default written empty is an error, and the default stands)
            kind = ann if not nullable and default is not None else Optional[ann]
            defs[_ident(spec.name)] = (kind, Field(default, alias=spec.name, description=description))
    return create_model(re.sub(r"\W", "_", name), __base__=_Base, **defs)


_MODELS: dict[str, type[BaseModel]] = {}


def build_model(specs: tuple[FieldSpec, ...], name: str, *, nullable: bool = True) -> type[BaseModel]:
    """The pydantic model of ``specs`` (made once per declaration; never pickled). Not ``nullable``: a field
    that has a default refuses an empty value (``warn_days:`` in careerpath.yaml's settings), so the loader
    reports it and the default stands, instead of an empty setting reaching the engine."""
    key = f"{name}:{nullable}:{fingerprint(specs)}"
    model = _MODELS.get(key)
    if model is None:
        model = _MODELS[key] = _model(specs, name, nullable)
    return model


def fingerprint(specs: tuple[FieldSpec, ...]) -> str:
    return hashlib.blake2b(repr(specs).encode(), digest_size=12).hexdigest()


def json_schema(model: type[BaseModel]) -> dict:
    return model.model_json_schema(by_alias=True, mode="validation")


def find(specs: tuple[FieldSpec, ...], path: tuple) -> Optional[FieldSpec]:
    """The declaration at ``path`` (names; list indices or ``*`` step into items)."""
    current: Optional[FieldSpec] = None
    fields = specs
    for part in path:
        if isinstance(part, int) or part == "*":
            if current is None or current.items is None:
                return None
            current = current.items
            fields = current.fields
            continue
        current = next((f for f in fields if f.name == part), None)
        if current is None:
            return None
        fields = current.fields
    return current


__all__ = ["FieldSpec", "FieldError", "TYPES", "parse_field", "parse_fields", "build_model", "json_schema", "find",
           "fingerprint"]


#: the msgctxt of a field's label in the ``cli`` catalogue (``python -m careerpath.catalogs update`` extracts them)
LABEL_CONTEXT = "field"


def label_of(specs: tuple[FieldSpec, ...], path: tuple) -> Any:
    """How a person reads the field at ``path`` (names and list positions): its declared ``label``, a
    translatable Message (``Disability set until``); inside a list the item is numbered as people count,
    from 1 (``List of measures № 2: From``). A field without a label reads as its name in words.

    Why: ``show`` printed ``ipra.measures[0].from``; staff read labels, not file paths.
    """
    from ..i18n.messages import Message

    def words(spec: Optional[FieldSpec], name: str) -> Any:
        if spec is not None and spec.label:
            return Message.declared(spec.label, LABEL_CONTEXT)
        return name.replace("_", " ").replace("-", " ").capitalize()

    where: Any = None  # the innermost list item crossed, in words
    current: Optional[FieldSpec] = None
    fields = specs
    name = ""
    for part in path:
        if isinstance(part, int):
            if current is None or current.items is None:
                break
            where = Message("{list} № {n}", list=words(current, name), n=part + 1)
            current = current.items
            fields = current.fields
            continue
        name = str(part)
        current = next((f for f in fields if f.name == part), None)
        fields = current.fields if current is not None else ()
    leaf = words(current, name)
    return Message("{where}: {field}", where=where, field=leaf) if where is not None else leaf
