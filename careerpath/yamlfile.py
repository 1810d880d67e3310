"""Read one YAML file into plain data plus the position of every key and value.

Parsing uses libyaml through PyYAML's C composer (fast, and every node keeps its
line and column); scalars are then resolved by the YAML 1.2 core schema, the
one ruamel.yaml and editors use, so ``no`` stays text. Dates stay text and are
parsed later by the schema, so a bad date gets a position like any other error.

Hostile input is refused with a diagnostic, never executed or expanded without
bound: non-core tags, %YAML/%TAG directives, merge keys, more than one
document, nesting deeper than :data:`MAX_DEPTH`, alias expansion beyond
:data:`MAX_NODES`, files over :data:`MAX_BYTES`, bytes that are not UTF-8.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from .diagnostics import Diagnostic
from .fsio import ReadRefused, read_regular
from .i18n.messages import Message

try:  # libyaml is in PyYAML's wheels; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 100_000

Path_ = tuple  # a path into the data: keys (str) and list indices (int)

_CORE = "tag:yaml.org,2002:"
_IMPLICIT = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "value")}
_ALLOWED = _IMPLICIT | {_CORE + "map", _CORE + "seq"}

_DIRECTIVE = re.compile(r"^%(YAML|TAG)\b", re.M)
# git's conflict markers, at the start of a line: a merge left the file in two versions
_CONFLICT = re.compile(r"^<{7}(?: |$)", re.M)
_CONFLICT_END = re.compile(r"^>{7}(?: |$)", re.M)
_STR, _SEQ, _MAP = _CORE + "str", _CORE + "seq", _CORE + "map"
# libyaml's C composer recurses once per nesting level and overflows the C stack
# (a segfault, not an exception) somewhere past ~30,000 levels with an 8 MiB stack,
# sooner with smaller stacks. Each level needs one of these indicator characters,
# so a short text with few of them cannot be deep; others get a non-recursive event scan.
_INDICATORS = "[{-:?"
_SCAN_ABOVE = 1000
_SCAN_BYTES = 64 * 1024  # larger texts are scanned too, to count values before composing them
# a `!` where a tag can start (after a space, a line start or a flow indicator): scanned for explicit tags
_TAG_START = re.compile(r"(?:^|[\s\[\]{},])!", re.M)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The C composer without PyYAML's YAML 1.1 implicit resolvers.

    Every untagged node gets the generic tag of its kind; plain scalars are
    resolved afterwards by :func:`resolve_plain` (YAML 1.2 core). Skipping the
    1.1 regex table makes composing about a quarter faster.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution): the numeric rules as one
# pattern, tried in order: int, octal, hex, float, infinity, nan (tests hold the rule-by-rule version)
_NUMBER = re.compile(
    r"([-+]?[0-9]+)|0o([0-7]+)|0x([0-9a-fA-F]+)"
    r"|([-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)"
    r"|([-+]?\.(?:inf|Inf|INF))|(\.(?:nan|NaN|NAN))"
)
_NUMBER_START = frozenset("0123456789+-.")
_WORDS = {"~": None, "null": None, "Null": None, "NULL": None,
          "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted) scalar under the YAML 1.2 core schema."""
    if not text:
        return None
    if text[0] not in _NUMBER_START:
        return _WORDS.get(text, text) if len(text) <= 5 else text
    m = _NUMBER.fullmatch(text)
    if m is None:
        return text
    kind = m.lastindex
    try:
        if kind == 1:
            return int(text)
        if kind == 2:
            return int(text[2:], 8)
        if kind == 3:
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts (4,300): keep it as text
        return text
    if kind == 4:
        return float(text)
    if kind == 5:
        return float("-inf") if text.startswith("-") else float("inf")
    return float("nan")


@dataclass
class Positions:
    """1-based (line, column) of every value and every mapping key, by data path."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def value(self, path: Path_) -> tuple[int, int]:
        """Where the value at ``path`` is; the nearest enclosing value if absent."""
        path = tuple(path)
        while path and path not in self.values:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def key(self, path: Path_) -> tuple[int, int]:
        """Where the key of ``path`` is written; falls back to its value's place."""
        path = tuple(path)
        if path in self.keys:
            return self.keys[path]
        return self.value(path)


@dataclass
class YamlFile:
    """A parsed file: ``data`` is None when it could not be read."""

    file: str
    data: Any
    positions: Positions
    diagnostics: list[Diagnostic]


class LazyPositions(Positions):
    """Positions of a file read on the fast path: parsed again from disk on first use.

    The fast path keeps no positions (they are most of the memory and a third
    of the parse time); a diagnostic or an edit asks for them, and only then is
    the file read again, with positions. If the file changed in between, the
    positions are those of the file as it is now.
    """

    def __init__(self, path: str | os.PathLike, file: str):  # noqa: D107 (no dataclass fields set yet)
        self.__dict__["_source"] = (os.fspath(path), file)

    def __getattr__(self, name: str) -> Any:
        if name in ("values", "keys"):
            path, file = self.__dict__["_source"]
            parsed = read_file(Path(path), file)
            self.__dict__["values"] = parsed.positions.values
            self.__dict__["keys"] = parsed.positions.keys
            return self.__dict__[name]
        raise AttributeError(name)

    @property
    def loaded(self) -> bool:
        return "values" in self.__dict__


def _too_deep() -> Message:
    return Message("nesting deeper than {n} levels", n=MAX_DEPTH)


_BAD_CHARACTERS = Message("the file holds characters YAML does not allow")
_REMOVE_CONTROL = Message("remove control characters; save the file as plain UTF-8 text")


class _Refused(Exception):
    def __init__(self, code: str, message: str, mark: Any, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.mark, self.hint = code, message, mark, hint


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


# libyaml counts NEL, LS and PS as line breaks (YAML 1.1); editors and YAML 1.2 do not.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")


def _positioner(text: str) -> Callable[[Any], tuple[int, int]]:
    """Mark -> (line, column) as an editor counts them (only LF breaks a line)."""
    if not _ODD_BREAKS.search(text):
        return _pos
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(mark: Any) -> tuple[int, int]:
        if mark is None:
            return (1, 1)
        i = bisect.bisect_right(starts, mark.index) - 1
        return (i + 1, mark.index - starts[i] + 1)

    return pos


class _Builder:
    """Turns a composed node graph into plain data, checking as it goes."""

    def __init__(self, pos: Callable[[Any], tuple[int, int]] = _pos) -> None:
        self.pos = pos
        self.positions = Positions()
        self.nodes = 0
        self.errors: list[tuple[str, str, tuple[int, int], str]] = []

    def build(self, node: Any, path: Path_, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused("yaml-too-complex", Message("more than {n} values once aliases are expanded", n=format(MAX_NODES, ",")),
                           node.start_mark, Message("remove the anchors (&) and aliases (*) or split the file"))
        if depth > MAX_DEPTH:
            raise _Refused("yaml-too-complex", _too_deep(), node.start_mark)
        if node.tag not in _ALLOWED:
            raise _Refused("yaml-tag", Message("the tag {tag} is not allowed", tag=node.tag.replace(_CORE, '!!')),
                           node.start_mark, Message("case files hold plain data only; remove the tag"))
        self.positions.values[path] = self.pos(node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("", None) and node.tag in _IMPLICIT:
                return resolve_plain(node.value)
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge" or (key_node.value == "<<" and key_node.style in ("", None)):
                raise _Refused("yaml-merge-key", Message("merge keys (<<) are not supported"), key_node.start_mark,
                               Message("write the fields out instead of merging"))
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("wrong-type", Message("a mapping key must be plain text"), key_node.start_mark)
            key = key_node.value if key_node.style not in ("", None) else resolve_plain(key_node.value)
            key = key if isinstance(key, str) else str(key).lower() if isinstance(key, bool) else str(key)
            if key in result:
                line, col = self.pos(key_node.start_mark)
                first = self.positions.keys[path + (key,)]
                self.errors.append(("yaml-duplicate-key", Message("duplicate key `{key}` (first at line {line})", key=key,
                                                                  line=first[0]),
                                    (line, col), Message("delete one of the two; careerpath reads the first, other "
                                                         "YAML tools may read the last")))
                continue
            self.positions.keys[path + (key,)] = self.pos(key_node.start_mark)
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result


class _Slow(Exception):
    """The fast builder met something it does not report itself; build again with positions."""


def _fast_build(root: Any) -> Any:
    """Plain data from a node graph, no positions: the read path for clean files.

    Same values and the same refusals as :class:`_Builder`, but any problem
    (a tag, a merge key, a duplicate key, too deep, too many nodes) raises
    :class:`_Slow` so the caller builds again with positions for the diagnostic.
    """
    count = 0
    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode
    allowed, implicit = _ALLOWED, _IMPLICIT

    def build(node: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH or node.tag not in allowed:
            raise _Slow
        cls = node.__class__
        if cls is scalar:
            if not node.style and node.tag in implicit:
                return resolve_plain(node.value)
            return node.value
        if cls is sequence:
            return [build(item, depth + 1) for item in node.value]
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not scalar or key_node.tag not in implicit:
                raise _Slow
            if key_node.style:
                key = key_node.value
            else:
                if key_node.value == "<<":
                    raise _Slow
                key = resolve_plain(key_node.value)
                if not isinstance(key, str):
                    key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in result:
                raise _Slow
            result[key] = build(value_node, depth + 1)
        return result

    return build(root, 0)


def _utf8_error_position(raw: bytes, err: UnicodeDecodeError) -> tuple[int, int]:
    before = raw[: err.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # line ends as the reader counts them
    line = before.count(b"\n") + 1
    col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    return line, col


def parse_text(text: str, file: str, lazy: Positions | None = None) -> YamlFile:
    """Parse YAML text (already decoded) into data, positions and diagnostics.

    With ``lazy`` (the fast read path) a clean file gets ``lazy`` as its
    positions instead of building them; a file with any problem is built with
    real positions for its diagnostics.
    """
    diags: list[Diagnostic] = []
    empty = YamlFile(file, None, Positions(), diags)
    pos = _positioner(text)
    if "<<<<<<<" in text and _CONFLICT.search(text):
        diags.extend(conflict_markers(text, file))
        return empty
    m = _DIRECTIVE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        diags.append(Diagnostic(file, line, 1, "error", "yaml-directive",
                                Message("the %{name} directive is not allowed", name=m.group(1)),
                                Message("delete the line; careerpath reads YAML 1.2")))
        return empty
    try:
        refused = _prescan(text)
        if refused is not None:
            line, col = pos(refused.mark)
            diags.append(Diagnostic(file, line, col, "error", refused.code, refused.message, refused.hint))
            return empty
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = pos(mark)
        problem = (e.problem or "").strip()
        if "expected a single document" in (e.context or ""):
            diags.append(Diagnostic(file, line, col, "error", "yaml-multiple-documents", Message("a second YAML document starts here"),
                                    Message("a case file holds one document; remove the `---` and what follows or move it to its own file")))
        elif "nesting depth" in problem or "flow level" in (e.context or ""):  # PyYAML >= 6.0.4 caps flow nesting in its scanner, before our pre-scan sees it
            diags.append(Diagnostic(file, line, col, "error", "yaml-too-complex", _too_deep(),
                                    Message("case files are shallow; look for unbalanced [ or {")))
        elif mark is not None and "\t" in _line_of(text, line - 1):
            diags.append(Diagnostic(file, line, col, "error", "yaml-tab", Message("a tab is used for indentation"),
                                    Message("replace tabs with spaces")))
        else:
            # the parser's own English words: shown with the code's translated meaning
            ctx = f" {e.context}" if e.context else ""
            diags.append(Diagnostic(file, line, col, "error", "yaml-syntax", f"{problem}{ctx}".strip(),
                                    Message("check indentation, colons and quotes on this line and the one above")))
        return empty
    except yaml.reader.ReaderError as e:  # a control character: the reader knows only its offset
        index = max(0, min(e.position, len(text)))
        line = text.count("\n", 0, index) + 1
        col = index - (text.rfind("\n", 0, index) + 1) + 1
        diags.append(Diagnostic(file, line, col, "error", "yaml-syntax",
                                Message("the control character U+{code} is not allowed in YAML", code=format(e.character, "04X"))
                                if isinstance(e.character, int) else _BAD_CHARACTERS, _REMOVE_CONTROL))
        return empty
    except (yaml.YAMLError, RecursionError, ValueError) as e:
        mark = getattr(e, "problem_mark", None)
        line, col = pos(mark) if mark is not None else _bad_char_position(text)
        diags.append(Diagnostic(file, line, col, "error", "yaml-syntax", _BAD_CHARACTERS, _REMOVE_CONTROL))
        return empty
    if node is None:
        diags.append(Diagnostic(file, 1, 1, "error", "empty-file", Message("the file is empty")))
        return empty
    if lazy is not None and pos is _pos:  # (odd line breaks: build with the editor's positions)
        try:
            return YamlFile(file, _fast_build(node), lazy, diags)
        except (_Slow, RecursionError):
            pass
    builder = _Builder(pos)
    try:
        data = builder.build(node, (), 0)
    except _Refused as r:
        line, col = pos(r.mark)
        diags.append(Diagnostic(file, line, col, "error", r.code, r.message, r.hint))
        return empty
    except RecursionError:
        diags.append(Diagnostic(file, 1, 1, "error", "yaml-too-complex", _too_deep()))
        return empty
    for code, message, (line, col), hint in builder.errors:
        diags.append(Diagnostic(file, line, col, "error", code, message, hint))
    return YamlFile(file, data, builder.positions, diags)


def conflict_markers(text: str, file: str) -> list[Diagnostic]:
    """One ``merge-conflict`` diagnostic per block of git conflict markers left in ``text``.

    The markers are looked for before parsing: YAML would read ``<<<<<<<`` as
    a syntax error (or worse, as text), and the line of the marker is what the
    person needs to find.
    """
    out = []
    for m in _CONFLICT.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        end = _CONFLICT_END.search(text, m.end())
        last = text.count("\n", 0, end.start()) + 1 if end else line
        out.append(Diagnostic(file, line, 1, "error", "merge-conflict",
                              Message("an unresolved merge conflict (lines {first}-{last})", first=line, last=last),
                              Message("keep the right version between the markers, delete the <<<<<<<, ======= and "
                                      ">>>>>>> lines, then `git add` the file")))
    return out


def _prescan(text: str) -> Optional[_Refused]:
    """Refuse too deep or too many values, and explicit tags, from the event stream, without recursion.

    Values are counted as the builder will see them, aliases expanded: each
    anchored node's expanded size is remembered, so a billion-laughs file is
    refused at the alias that crosses the limit, in microseconds, without a
    node graph. Short texts with few indicators and no anchors skip the scan.
    """
    if (len(text) <= _SCAN_BYTES and sum(text.count(c) for c in _INDICATORS) <= _SCAN_ABOVE
            and not ("&" in text and "*" in text) and not ("!" in text and _TAG_START.search(text))):
        return None
    sizes: dict[str, int] = {}            # anchor -> expanded size of its node
    stack: list[list] = []                # open collections: [anchor, size so far]
    total = 0
    for event in yaml.parse(text, Loader=_Loader):
        tag = getattr(event, "tag", None)
        if tag is not None:
            # any explicit tag, core ones too (`!!str`, `!!int hello`, a bare `!`): the composed node cannot
            # tell `!!str x` or `! x` from `x`, the event can
            return _Refused("yaml-tag", Message("the tag {tag} is not allowed", tag=tag.replace(_CORE, '!!')),
                            event.start_mark, Message("case files hold plain data only; remove the tag"))
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([event.anchor, 1])
            if len(stack) > MAX_DEPTH:
                return _Refused("yaml-too-complex", _too_deep(), event.start_mark)
            size = 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, size = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
            if stack:
                stack[-1][1] += size
            continue
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
            if stack:
                stack[-1][1] += 1
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor, 1)
            if stack:
                stack[-1][1] += size
        elif isinstance(event, yaml.DocumentStartEvent):
            sizes.clear()
            total = 0
            continue
        else:
            continue
        total += size
        if total > MAX_NODES:
            expanded = isinstance(event, yaml.AliasEvent)
            if expanded:
                return _Refused("yaml-too-complex", Message("more than {n} values once aliases are expanded", n=format(MAX_NODES, ",")),
                                event.start_mark, Message("remove the anchors (&) and aliases (*) or split the file"))
            return _Refused("yaml-too-complex", Message("more than {n} values", n=format(MAX_NODES, ",")), event.start_mark,
                            Message("split the file; case files are small"))
    return None


# what YAML 1.2 does not allow in a stream (c-printable's complement, less tab/LF/CR)
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _bad_char_position(text: str) -> tuple[int, int]:
    m = _NOT_PRINTABLE.search(text)
    if m is None:
        return (1, 1)
    line = text.count("\n", 0, m.start()) + 1
    return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1


def _line_of(text: str, index: int) -> str:
    lines = text.split("\n")
    return lines[index] if 0 <= index < len(lines) else ""


def read_bytes(raw: bytes, file: str, lazy: Positions | None = None) -> YamlFile:
    """Decode (UTF-8, optional BOM, any line ends) and parse (``lazy``: see :func:`parse_text`)."""
    diags: list[Diagnostic] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        diags.append(Diagnostic(file, 1, 1, "warning", "yaml-bom", Message("the file starts with a byte-order mark"),
                                Message("save it as UTF-8 without BOM")))
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _utf8_error_position(raw, e)
        diags.append(Diagnostic(file, line, col, "error", "not-utf8", Message("the file is not UTF-8 text"),
                                Message("re-save the file with UTF-8 encoding")))
        return YamlFile(file, None, Positions(), diags)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    parsed = parse_text(text, file, None if diags else lazy)
    parsed.diagnostics[:0] = diags
    return parsed


def read_file(path: Path, file: str, *, fast: bool = False, stat_out: list | None = None,
              root: Path | None = None) -> YamlFile:
    """Read and parse one file, turning every I/O failure into a diagnostic.

    ``fast``: keep no positions for a clean file (a :class:`LazyPositions`
    reads them again when asked). ``stat_out``: a list that receives the file's
    ``os.stat_result``, taken on the open file (the load cache keys on it).
    ``root``: the caseload; a link leading outside it is refused. The checks
    (regular files only, :data:`MAX_BYTES`, no blocking) are
    :func:`careerpath.fsio.read_regular`'s.
    """
    try:
        raw = read_regular(path, root=root, limit=MAX_BYTES, stat_out=stat_out)
    except ReadRefused as e:
        return YamlFile(file, None, Positions(), [Diagnostic(file, 1, 1, "error", e.code, e.message, e.hint or "")])
    return read_bytes(raw, file, LazyPositions(path, file) if fast else None)
