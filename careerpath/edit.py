"""Round-trip edits of hand-written YAML: change one value, keep everything else.

A navigator's files carry comments, blank lines, key order and quoting that
matter to them. :func:`load` reads a file with ruamel.yaml's round-trip mode,
:func:`set_value` changes one value in place and :func:`dump` writes it back
so that a diff shows only the lines that changed.

Choices made here (see docs/recording.md):

* Dates are read as text (the timestamp tag is resolved to ``str``): written
  dates stay unquoted, and a bad date such as ``2026-02-30`` reaches the model,
  which reports it with a position, instead of ruamel raising without one.
* The emitter's indentation is detected by trying the usual styles and keeping
  the one that reproduces the file byte for byte; :attr:`RtDoc.drift` counts
  the lines no style reproduces (reported to the user, never silently hidden).
* ``null`` is written as ``null`` (ruamel would write an empty value).
* The file is first read by :mod:`careerpath.yamlfile`, which refuses hostile
  input (tags, directives, alias bombs): round-trip mode would keep those.
"""

from __future__ import annotations

import difflib
import io
import typing
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

from .diagnostics import Diagnostic
from .i18n.messages import Message
from .yamlfile import parse_text, read_bytes

_TIMESTAMP = "tag:yaml.org,2002:timestamp"

# (mapping, sequence, offset) styles tried in order; the first reproduces the
# layout FORMAT.md and `careerpath new` use.
INDENT_STYLES: tuple[tuple[int, int, int], ...] = (
    (2, 4, 2), (2, 2, 0), (2, 4, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (4, 2, 0), (2, 3, 1),
)


class EditError(Exception):
    """An edit that cannot be made; ``diagnostics`` say why (positions, codes)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.message = message
        self.diagnostics = diagnostics or []


class _DatesAsText(VersionedResolver):
    """The YAML 1.2 resolver without the timestamp rule: dates load and dump as plain text."""

    @property
    def versioned_resolver(self) -> Any:
        table = super().versioned_resolver
        return {first: [(tag, rx) for tag, rx in rules if tag != _TIMESTAMP] for first, rules in table.items()}


def _represent_none(representer: Any, data: Any) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def round_trip_yaml(indent: tuple[int, int, int] = INDENT_STYLES[0]) -> YAML:
    """A ruamel round-trip YAML configured for case files (dates as text, wide lines, quotes kept)."""
    yml = YAML(typ="rt")
    yml.Resolver = _DatesAsText
    yml.preserve_quotes = True
    yml.width = 4096
    yml.allow_unicode = True
    mapping, sequence, offset = indent
    yml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yml.representer.add_representer(type(None), _represent_none)
    return yml


@dataclass
class RtDoc:
    """A file loaded for editing."""

    file: str
    original: bytes
    data: Any
    indent: tuple[int, int, int]
    drift: int          # lines an unchanged dump would rewrite (0: exact round trip)
    newline: str = "\n"
    bom: bool = False

    def dump(self) -> bytes:
        return dump(self)


def _dump_text(data: Any, indent: tuple[int, int, int]) -> str:
    out = io.StringIO()
    round_trip_yaml(indent).dump(data, out)
    return out.getvalue()


def _changed_lines(a: str, b: str) -> int:
    if a == b:
        return 0
    sm = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal")


def load(raw: bytes, file: str) -> RtDoc:
    """Load ``raw`` for editing; raises EditError when the file cannot be read safely."""
    checked = read_bytes(raw, file)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    if errors or checked.data is None:
        raise EditError(Message("{file} cannot be read; fix it by hand first (careerpath validate shows where)", file=file),
                        errors)
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    best: tuple[int, tuple[int, int, int], Any] | None = None
    for style in INDENT_STYLES:
        try:
            data = round_trip_yaml(style).load(text)
            drift = _changed_lines(text, _dump_text(data, style))
        except (YAMLError, ValueError, TypeError) as e:  # pragma: no cover - yamlfile accepted it
            raise EditError(Message("{file} cannot be edited by the YAML round-trip writer ({reason})", file=file,
                                    reason=type(e).__name__)) from None
        if best is None or drift < best[0]:
            best = (drift, style, data)
        if drift == 0:
            break
    assert best is not None
    drift, style, data = best
    return RtDoc(file, raw, data, style, drift, newline, bom)


def dump(doc: RtDoc) -> bytes:
    """The document as bytes, in the file's own indentation, newlines and BOM."""
    text = _dump_text(doc.data, doc.indent)
    if doc.newline != "\n":
        text = text.replace("\n", doc.newline)
    return (b"\xef\xbb\xbf" if doc.bom else b"") + text.encode("utf-8")


def new_text(data: dict[str, Any], header: str = "") -> str:
    """A new file (event, referral) written the way round-trip dumps it: plain where safe, quoted where needed."""
    cm = CommentedMap()
    for key, value in data.items():
        cm[key] = to_yaml(value)
    return header + _dump_text(cm, INDENT_STYLES[0])


def to_yaml(value: Any, flow: bool = True) -> Any:
    """Plain Python data as round-trip nodes; nested mappings and lists in flow style ({…}, […])."""
    if isinstance(value, dict):
        cm = CommentedMap()
        for k, v in value.items():
            cm[k] = to_yaml(v)
        if flow:
            cm.fa.set_flow_style()
        return cm
    if isinstance(value, list):
        cs = CommentedSeq(to_yaml(v) for v in value)
        if flow:
            cs.fa.set_flow_style()
        return cs
    return value


def unified_diff(before: bytes, after: bytes, file: str) -> str:
    """A unified diff of two versions of a file (for --dry-run and tests)."""
    a = before.decode("utf-8", "replace").splitlines(keepends=True)
    b = after.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, f"a/{file}", f"b/{file}"))


# ---------------------------------------------------------------- dotted paths

def parse_path(text: str) -> tuple:
    """``enrollments.ca-dor-vr.applied`` -> ('enrollments', 'ca-dor-vr', 'applied'); digits are list indices."""
    parts = text.strip().split(".")
    if not text.strip() or any(p == "" for p in parts):
        raise EditError(Message("`{path}` is not a field path (write it like enrollments.ca-dor-vr.applied)", path=text))
    return tuple(int(p) if p.isdigit() else p for p in parts)


def show_path(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def get_value(data: Any, path: tuple) -> Any:
    """The value at ``path``, or None when any step is missing."""
    cur = data
    for part in path:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            cur = cur[part]
        else:
            return None
    return cur


def set_value(data: Any, path: tuple, value: Any, model: type | None = None) -> Any:
    """Set ``path`` to ``value`` in round-trip data; returns the old value (None if absent).

    Missing or null mappings on the way are created (block style, or flow
    style inside a flow mapping). A list index must exist, or be the next
    number (the list's length): that appends an item, and index 0 of a
    missing list creates the list. A quoted string
    keeps its quote style. With ``model``, a new key goes where the model
    orders it (after the keys that come before it), not at the end.
    """
    if not path:
        raise EditError(Message("the field path is empty"))
    cur = data
    for i, part in enumerate(path[:-1]):
        nxt_is_index = isinstance(path[i + 1], int)
        if isinstance(part, int):
            if not isinstance(cur, list) or part >= len(cur):
                raise EditError(Message("`{path}` does not exist (the list has {n} items)", path=show_path(path[:i + 1]),
                                        n=len(cur) if isinstance(cur, list) else 0))
            if cur[part] is None:
                raise EditError(Message("`{path}` is empty", path=show_path(path[:i + 1])))
            cur = cur[part]
            continue
        if not isinstance(cur, dict):
            raise EditError(_not_a_mapping(path[:i]))
        if cur.get(part) is None:
            if nxt_is_index and path[i + 1] == 0 and i + 2 == len(path):  # the first item of a new list
                _put(cur, part, CommentedSeq(), model, path[:i])
                cur = cur[part]
                continue
            if nxt_is_index:
                raise EditError(Message("`{path}` is not a list yet; add the list by hand", path=show_path(path[:i + 1])))
            child = CommentedMap()
            if getattr(cur, "fa", None) is not None and cur.fa.flow_style():
                child.fa.set_flow_style()
            _put(cur, part, child, model, path[:i])
        cur = cur[part]
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(cur, list) or last > len(cur):
            size = len(cur) if isinstance(cur, list) else 0
            raise EditError(Message("`{path}` does not exist (the list has {n} items; `{next}` adds one)",
                                    path=show_path(path), n=size, next=show_path(path[:-1] + (size,))))
        if last == len(cur):  # the next number adds an item at the end
            if value is None:
                raise EditError(Message("`{path}` does not exist yet: give the whole new item as its value",
                                        path=show_path(path)))
            if not cur and getattr(cur, "fa", None) is not None and cur.fa.flow_style():
                cur.fa.set_block_style()  # `jobs: []` becomes a block list, one item per line
            cur.append(value)
            return None
        old = cur[last]
        cur[last] = _keep_style(old, value)
        return old
    if not isinstance(cur, dict):
        raise EditError(_not_a_mapping(path[:-1]))
    old = cur.get(last)
    if last in cur:
        cur[last] = _keep_style(old, value)
    else:
        _put(cur, last, value, model, path[:-1])
    return old


def _put(mapping: Any, key: str, value: Any, model: type | None, parent: tuple) -> None:
    """Add a new key, placed after the last present key that the model lists before it."""
    order = model_keys(model, parent) if model is not None else []
    if key in order and isinstance(mapping, CommentedMap):
        before = set(order[: order.index(key)])
        keys = list(mapping.keys())
        pos = max((i + 1 for i, k in enumerate(keys) if k in before), default=0)
        if pos < len(keys):
            mapping.insert(pos, key, value)
            if pos > 0:
                _move_trailing_block(mapping, keys[pos - 1], key)
            return
    mapping[key] = value


def _move_trailing_block(mapping: CommentedMap, prev: Any, key: Any) -> None:
    """Keep blank lines and comment lines that followed ``prev`` above the key after the new one.

    ruamel stores the rest-of-line comment of ``prev`` together with the blank
    lines and whole-line comments below it; a key inserted after ``prev`` would
    land below that block (under a heading meant for the next key).
    """
    from ruamel.yaml.tokens import CommentToken

    entry = mapping.ca.items.get(prev)
    if not entry or len(entry) < 3 or entry[2] is None or not isinstance(mapping[key], (CommentedMap, CommentedSeq, str, int, float, type(None))):
        return
    if isinstance(mapping[key], (CommentedMap, CommentedSeq)) and not mapping[key].fa.flow_style():
        return  # a block value: its own comments sit below the key; leave the layout alone
    token = entry[2]
    head, sep, rest = token.value.partition("\n")
    if not sep or not rest:
        return
    token.value = head + "\n"
    mapping.ca.items[key] = [None, None, CommentToken("\n" + rest, token.start_mark, None), None]


def drop_line_comment(data: Any, path: tuple, keep: Any = None) -> bool:
    """Remove the rest-of-line comment after the value at ``path`` (a mapping key), keeping the blank
    lines and whole-line comments below it: an edit that changes what a line says drops what the
    comment said about the old value. ``keep(comment)`` true keeps it. Returns whether one was removed."""
    parent = data
    for part in path[:-1]:
        parent = parent[part] if isinstance(parent, (dict, list)) else None
        if parent is None:
            return False
    if not isinstance(parent, CommentedMap):
        return False
    entry = parent.ca.items.get(path[-1])
    if not entry or len(entry) < 3 or entry[2] is None:
        return False
    token = entry[2]
    if not token.value.lstrip(" ").startswith("#"):
        return False  # no comment on the line itself: only what follows it
    head, _sep, rest = token.value.partition("\n")
    if keep is not None and keep(head):
        return False
    token.value = "\n" + rest
    return True


def model_keys(model: type, parent: tuple) -> list[str]:
    """The keys the model defines for the mapping at ``parent``, in model order ([] if not a mapping)."""
    from pydantic import BaseModel

    try:
        core = field_annotation(model, parent) if parent else model
    except EditError:
        return []
    if isinstance(core, type) and issubclass(core, BaseModel):
        return [f.alias or name for name, f in core.model_fields.items()]
    return []


# plain words YAML 1.1 tools (PyYAML, older editors) read as booleans: always quoted
_YAML11_BOOLS = {"yes", "no", "on", "off"}


_DATE_LIKE = __import__("re").compile(r"^\d{4}-\d\d?-\d\d?(?:[Tt ]|$)")


def free_text(value: str) -> Any:
    """Free text for a text field: quoted when other YAML readers would take it for a date or a boolean.

    careerpath reads dates as text, so ``2026-01-01`` would come back as text
    here; PyYAML and most other tools would read a date. Quoting keeps the
    value text everywhere.
    """
    if _DATE_LIKE.match(value) or value.lower() in _YAML11_BOOLS:
        return DoubleQuotedScalarString(value)
    return value


def _keep_style(old: Any, new: Any) -> Any:
    if isinstance(new, str) and not isinstance(new, ScalarString):
        if isinstance(old, ScalarString):
            return type(old)(new)
        if new.lower() in _YAML11_BOOLS:
            return DoubleQuotedScalarString(new)
    return new


# ---------------------------------------------------------------- model-typed values

def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(core type, optional?) with Annotated and Optional stripped."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, optional
            annotation = args[0]
        else:
            return annotation, optional


def field_annotation(model: type, path: tuple) -> Any:
    """The (unwrapped) type of the field at ``path`` in ``model``; raises EditError for an unknown field."""
    from pydantic import BaseModel

    t: Any = model
    for i, part in enumerate(path):
        core, _ = _unwrap(t)
        if typing.get_origin(core) is list:
            if not isinstance(part, int):
                raise EditError(Message("`{path}` is a list: address an item by its number, e.g. {path}.0",
                                        path=show_path(path[:i])))
            t = typing.get_args(core)[0]
            continue
        if isinstance(core, type) and issubclass(core, BaseModel):
            names = {(f.alias or name): f for name, f in core.model_fields.items()}
            if not isinstance(part, str) or part not in names:
                close = difflib.get_close_matches(str(part), list(names), n=1)
                hint = (Message("did you mean `{name}`?", name=show_path(path[:i] + (close[0],))) if close
                        else Message("fields here: {list}", list=", ".join(names)))
                unknown = Message("`{path}` is not a field of this file", path=show_path(path[:i + 1]))
                raise EditError(unknown, [Diagnostic("", 0, 0, "error", "unknown-field", unknown, hint)])
            t = names[part].annotation
            continue
        raise EditError(Message("`{path}` holds a single value; `{below}` goes below it", path=show_path(path[:i]),
                                below=show_path(path)))
    core, _ = _unwrap(t)
    return core


def _not_a_mapping(path: tuple) -> Message:
    return Message("`{path}` is not a mapping", path=show_path(path))


def _takes(path: str, what: Message) -> Message:
    return Message("`{path}` takes {what}", path=path, what=what)


_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


def typed_value(model: type, path: tuple, text: str) -> Any:
    """``text`` converted to what the model expects at ``path`` (dates stay YYYY-MM-DD text).

    ``null`` (or an empty string) clears a field. Lists and mappings are given
    in YAML flow form: ``[NAV, CES]``, ``{until: 2026-12-15, agreed: 2026-10-20}``.
    Raises EditError for an unknown field or a value of the wrong kind.
    """
    from datetime import date

    from pydantic import BaseModel

    core = field_annotation(model, path)
    raw = text.strip()
    name = show_path(path)
    if raw in ("", "null", "~"):
        return None
    origin = typing.get_origin(core)
    if core is date:
        return raw  # the model checks it and reports a bad date with its position
    if core is bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise EditError(_takes(name, Message("true or false")))
    if core is int or core is float:
        try:
            number = float(raw) if core is float else int(raw)
        except ValueError:
            raise EditError(_takes(name, Message("a number") if core is float else Message("a whole number"))) from None
        if core is float and number.is_integer() and "." not in raw:
            return int(number)
        return number
    if origin is typing.Literal:
        options = typing.get_args(core)
        if all(isinstance(o, int) for o in options):
            try:
                return int(raw)
            except ValueError:
                raise EditError(Message("`{path}` takes one of: {list}", path=name, list=", ".join(map(str, options)))) from None
        return raw
    if origin is list or (isinstance(core, type) and issubclass(core, BaseModel)):
        parsed = parse_text(raw, "VALUE")
        if parsed.diagnostics or parsed.data is None:
            raise EditError(_takes(name, Message("a list such as [a, b]") if origin is list
                                   else Message("a mapping such as {key: value}")))
        data = parsed.data
        if origin is list and not isinstance(data, list):
            data = [data]
        return to_yaml(data)
    return free_text(raw)


# ---------------------------------------------------------------- addresses by id

ITEM_KEYS = ("employer", "name")   # besides `id`: the fields whose slug names an item of a list of mappings


def slug(text: str) -> str:
    """``ООО «Кама-Логистик»`` -> ``ооо-кама-логистик``: lower case, letters and digits joined by hyphens."""
    import re as _re

    return _re.sub(r"[\W_]+", "-", str(text).casefold()).strip("-")


def item_names(item: Any) -> tuple[str, ...]:
    """What an item of a list can be addressed by besides its position: its ``id``, else the slug of its
    ``employer`` or ``name`` (jobs.<employer-slug>, services.<name-slug>, ipra.measures.<name-slug>)."""
    if not isinstance(item, dict):
        return ()
    if isinstance(item.get("id"), str) and item["id"]:
        return (item["id"],)
    return tuple(slug(item[k]) for k in ITEM_KEYS if isinstance(item.get(k), str) and slug(item[k]))


def resolve_path(data: Any, path: tuple) -> tuple:
    """``path`` with each name of a list item replaced by its position, as :func:`set_value` takes it.

    ``goals.g1.objectives.g1.o3.done`` -> ``goals.0.objectives.2.done``: ids may hold dots (``g1.o3``), so the
    longest run of parts that names an item wins. A name no item has, or two items share, is an EditError.
    """
    out: list = []
    cur = data
    i = 0
    while i < len(path):
        part = path[i]
        if isinstance(cur, list) and not isinstance(part, int):
            hits: list[int] = []
            j = len(path)
            while j > i:
                name = ".".join(str(p) for p in path[i:j])
                hits = [n for n, item in enumerate(cur) if name in item_names(item)]
                if hits:
                    break
                j -= 1
            where = show_path(tuple(out)) if out else "the file"
            if not hits:
                known = ", ".join(n for item in cur for n in item_names(item)[:1]) or "-"
                raise EditError(Message("no item `{name}` in `{path}` (its items: {list}; or give a position: 0, 1, …)",
                                        name=str(part), path=where, list=known))
            if len(hits) > 1:
                raise EditError(Message("{n} items of `{path}` are named `{name}`; give its position (0, 1, …) instead",
                                        n=len(hits), path=where, name=".".join(str(p) for p in path[i:j])))
            out.append(hits[0])
            cur = cur[hits[0]]
            i = j
            continue
        out.append(part)
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            cur = cur[part]
        else:
            cur = None
        i += 1
    return tuple(out)
