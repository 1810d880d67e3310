"""A three-way merge of case files by field path, for git's ``merge=careerpath`` driver.

Git's own merge works on lines: two people changing different fields on
neighbouring lines of one case.yaml conflict, and one field changed on both
sides can merge silently wrong when the lines happen not to touch. Here the
three versions (base, ours, theirs) are read as data and merged field by field:

* a field only one side changed takes that side's value;
* a field both sides changed to the same value takes it;
* a field both sides changed to different values is a **conflict**: the file
  gets standard conflict markers around that field and the field's path (never
  its values) is reported;
* mappings merge key by key, at any depth; lists of mappings merge item by
  item, matched by a key (:data:`LIST_KEYS`: goals and objectives by ``id``,
  jobs by ``employer`` + ``start``, plan services by ``name`` + ``program``,
  measures by ``name`` + ``from``; any other list of mappings whose items all
  carry a unique ``id`` by ``id``); lists of plain values (strengths,
  languages, review dates) merge as sets: what either side added is kept,
  what either side removed is gone; any other list is one value.

Ours is edited in place with the round-trip writer of :mod:`careerpath.edit`,
so its comments, key order, quoting and indentation stay; a value taken from
theirs keeps its own style. Files that cannot be read as data on either side
fall back to git's line merge (``git merge-file``). Two different files added
under one name on both sides (an event, referral, appointment or survey
recorded by two people: :func:`entry_file`) are a whole-file conflict here;
``careerpath sync`` resolves those by giving the local one the next free
number (docs/team.md).
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .. import edit
from ..i18n.messages import CONTEXT, Message
from ..yamlfile import read_bytes

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

#: how the items of a list of mappings are matched, by the list's field name
LIST_KEYS: dict[str, tuple[str, ...]] = {
    "goals": ("id",),
    "objectives": ("id",),
    "jobs": ("employer", "start"),
    "services": ("name", "program"),
    "measures": ("name", "from"),
}

#: a conflict in a file merged line by line, where no field path can be named
LINES = Message("(lines)")

#: the files the driver is registered for (relative to the caseload root; .gitattributes patterns)
PATTERNS = ("cases/*/case.yaml", "cases/*/plan.yaml", "cases/*/events/*.yaml", "cases/*/referrals/*.yaml",
            "cases/*/appointments/*.yaml", "surveys/*.yaml")

#: the case folders that hold one entry per file (an event, a referral, a planned appointment)
ENTRY_FOLDERS = ("events", "referrals", "appointments")


def entry_file(path: str) -> bool:
    """Whether ``path`` is one entry of its own: ``cases/<id>/<events|referrals|appointments>/<name>.yaml`` or
    ``surveys/<name>.yaml`` (the caseload may sit in a folder of the repository).

    Two such files added under one name on two sides are two entries, never one merged file.
    """
    parts = path.replace(os.sep, "/").split("/")
    if not parts[-1].endswith(".yaml"):
        return False
    if len(parts) >= 4 and parts[-4] == "cases" and parts[-2] in ENTRY_FOLDERS:
        return True
    # a survey; not a case that happens to be called `surveys` (cases/surveys/case.yaml)
    return len(parts) >= 2 and parts[-2] == "surveys" and (len(parts) == 2 or parts[-3] != "cases")


@dataclass
class MergeResult:
    """The merged file and the field paths in conflict (empty: a clean merge).

    A conflict git's line merge found instead is a :class:`Message` in
    parentheses (``(lines: 2 conflict(s))``), not a field path.
    """

    content: bytes
    conflicts: list[str] = field(default_factory=list)
    method: str = "fields"      # fields | lines | whole-file | trivial

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _plain(raw: Optional[bytes], file: str) -> Any:
    """The file as plain data, MISSING when it cannot be read safely, {} when empty or absent."""
    if raw is None or not raw.strip():
        return {}
    parsed = read_bytes(raw, file)
    if parsed.data is None or any(d.severity == "error" for d in parsed.diagnostics) or not isinstance(parsed.data, dict):
        return MISSING
    return parsed.data


def _eq(x: Any, y: Any) -> bool:
    """Equal as data; an absent key and ``null`` mean the same."""
    if x is MISSING:
        x = None
    if y is MISSING:
        y = None
    return x == y


def _show(path: tuple) -> str:
    return edit.show_path(path) if path else "(the whole file)"


def _scalar(x: Any) -> bool:
    return not isinstance(x, (dict, list))


class _Merger:
    """One pass over the three versions; ``theirs_wins`` decides every conflict for theirs.

    The merge runs twice, once keeping ours at each conflict and once taking
    theirs: the two results differ exactly at the conflicting fields, and a line
    diff of the two gives the conflict markers.
    """

    def __init__(self, theirs_wins: bool):
        self.theirs_wins = theirs_wins
        self.conflicts: list[str] = []

    def conflict(self, path: tuple, take_theirs: Any) -> None:
        self.conflicts.append(_show(path))
        if self.theirs_wins:
            take_theirs()

    # -- mappings

    def mapping(self, o: dict, a: dict, b: dict, a_rt: Any, b_rt: Any, path: tuple) -> None:
        keys = list(a) + [k for k in b if k not in a] + [k for k in o if k not in a and k not in b]
        for k in keys:
            ov, av, bv = o.get(k, MISSING), a.get(k, MISSING), b.get(k, MISSING)
            if _eq(av, bv) or _eq(ov, bv):
                continue
            if _eq(ov, av):
                _take(a_rt, b_rt, k)
                continue
            self.value(ov, av, bv, a_rt, b_rt, k, path + (k,))

    def value(self, ov: Any, av: Any, bv: Any, a_parent: Any, b_parent: Any, k: Any, path: tuple) -> None:
        """Both sides changed ``k`` differently: merge deeper where the shapes allow, else a conflict."""
        if isinstance(av, dict) and isinstance(bv, dict) and (ov in (MISSING, None) or isinstance(ov, dict)):
            self.mapping(ov if isinstance(ov, dict) else {}, av, bv, a_parent[k], b_parent[k], path)
        elif isinstance(av, list) and isinstance(bv, list) and (ov in (MISSING, None) or isinstance(ov, list)):
            self.sequence(ov if isinstance(ov, list) else [], av, bv, a_parent, b_parent, k, path)
        else:
            self.conflict(path, lambda: _take(a_parent, b_parent, k))

    # -- lists

    def sequence(self, o: list, a: list, b: list, a_parent: Any, b_parent: Any, k: Any, path: tuple) -> None:
        a_rt, b_rt = a_parent[k], b_parent[k]
        if all(_scalar(x) for x in (*o, *a, *b)):
            _merge_set(o, a, b, a_rt, b_rt)
            return
        key = _list_key(k, o, a, b)
        if key is None:
            self.conflict(path, lambda: _take(a_parent, b_parent, k))
            return
        self.keyed(o, a, b, a_rt, b_rt, key, path)

    def keyed(self, o: list, a: list, b: list, a_rt: Any, b_rt: Any, key: tuple, path: tuple) -> None:
        ok = {_key_of(x, key): i for i, x in enumerate(o)}
        ak = {_key_of(x, key): i for i, x in enumerate(a)}
        bk = {_key_of(x, key): i for i, x in enumerate(b)}
        keep = [True] * len(a)
        added: list[int] = []          # indices in b of items that go into ours
        for kk, ai in ak.items():
            oi, bi = ok.get(kk), bk.get(kk)
            if bi is not None:
                if not _eq(a[ai], b[bi]) and not (oi is not None and _eq(o[oi], b[bi])):
                    self.mapping(o[oi] if oi is not None else {}, a[ai], b[bi], a_rt[ai], b_rt[bi], path + (ai,))
            elif oi is not None:        # theirs removed the item
                if _eq(o[oi], a[ai]):
                    keep[ai] = False
                else:                   # ours changed what theirs removed
                    def drop(ai: int = ai) -> None:
                        keep[ai] = False
                    self.conflict(path + (ai,), drop)
        for kk, bi in bk.items():
            if kk in ak:
                continue
            oi = ok.get(kk)
            if oi is None:              # theirs added the item
                added.append(bi)
            elif not _eq(o[oi], b[bi]):  # ours removed what theirs changed
                self.conflict(path + (len(a) + len(added),), lambda bi=bi: added.append(bi))
        if all(keep) and not added:
            return
        # ours' items in ours' order; each added item after its predecessor in theirs
        order: list[tuple[str, int]] = [("a", i) for i in range(len(a)) if keep[i]]
        for bi in sorted(added):
            pos = 0
            for prev in range(bi - 1, -1, -1):
                pk = _key_of(b[prev], key)
                hit = [n for n, (side, i) in enumerate(order)
                       if (side == "a" and pk in ak and ak[pk] == i) or (side == "b" and i == prev)]
                if hit:
                    pos = hit[0] + 1
                    break
            order.insert(pos, ("b", bi))
        items = [a_rt[i] if side == "a" else copy.deepcopy(b_rt[i]) for side, i in order]
        for i in range(len(a_rt) - 1, -1, -1):
            del a_rt[i]
        a_rt.extend(items)


def _list_key(name: Any, *lists: list) -> Optional[tuple[str, ...]]:
    """The key that matches this list's items in all three versions, or None (the list is one value)."""
    candidates = [LIST_KEYS[name]] if isinstance(name, str) and name in LIST_KEYS else []
    candidates.append(("id",))
    for key in candidates:
        if all(_keyable(lst, key) for lst in lists):
            return key
    return None


def _keyable(items: list, key: tuple) -> bool:
    if not all(isinstance(x, dict) and x.get(key[0]) is not None for x in items):
        return False
    keys = [_key_of(x, key) for x in items]
    return len(keys) == len(set(keys))


def _key_of(item: dict, key: tuple) -> tuple:
    return tuple(repr(item.get(f)) for f in key)


def _merge_set(o: list, a: list, b: list, a_rt: Any, b_rt: Any) -> None:
    """Plain-value lists: drop what theirs removed, append what theirs added (ours' order first)."""
    removed = [x for x in o if x not in b]
    for i in range(len(a) - 1, -1, -1):
        if a[i] in removed:
            del a_rt[i]
    seen = [x for x in a if x not in removed]
    for j, x in enumerate(b):
        if x not in o and x not in seen:
            a_rt.append(copy.deepcopy(b_rt[j]))
            seen.append(x)


def _take(a_rt: Any, b_rt: Any, k: Any) -> None:
    """Give ours theirs' value of ``k`` (or remove it), keeping ours' comments and order around it."""
    if k not in b_rt:
        if k in a_rt:
            del a_rt[k]
        return
    value = copy.deepcopy(b_rt[k])
    if k in a_rt:
        a_rt[k] = value
        return
    b_keys = list(b_rt.keys())
    a_keys = list(a_rt.keys())
    pos, prev = 0, None
    for earlier in reversed(b_keys[: b_keys.index(k)]):
        if earlier in a_rt:
            pos, prev = a_keys.index(earlier) + 1, earlier
            break
    if pos >= len(a_keys):
        a_rt[k] = value
        return
    a_rt.insert(pos, k, value)
    if prev is not None:
        edit._move_trailing_block(a_rt, prev, k)


# ---------------------------------------------------------------- files

def _markers(ours: str, theirs: str, size: int, labels: tuple[str, str]) -> str:
    """Ours and theirs as one text, the lines that differ wrapped in conflict markers."""
    la, lb = ours.splitlines(keepends=True), theirs.splitlines(keepends=True)
    la = [x if x.endswith("\n") else x + "\n" for x in la]
    lb = [x if x.endswith("\n") else x + "\n" for x in lb]
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        if tag == "equal":
            out += la[i1:i2]
        else:
            out += [f"{'<' * size} {labels[0]}\n", *la[i1:i2], f"{'=' * size}\n", *lb[j1:j2], f"{'>' * size} {labels[1]}\n"]
    return "".join(out)


def line_merge(base: bytes, ours: bytes, theirs: bytes, size: int = 7, labels: tuple[str, str] = ("ours", "theirs")) -> tuple[bytes, int]:
    """git's own line merge (``git merge-file``): the merged bytes and the number of conflicts."""
    with tempfile.TemporaryDirectory(prefix="careerpath-merge-") as tmp:
        paths = []
        for name, raw in (("ours", ours), ("base", base), ("theirs", theirs)):
            p = Path(tmp) / name
            p.write_bytes(raw)
            paths.append(str(p))
        proc = subprocess.run(["git", "merge-file", "-p", f"--marker-size={size}", "-L", labels[0], "-L", "base",
                               "-L", labels[1], *paths], capture_output=True, env={**os.environ, "LC_ALL": "C"})
    if proc.returncode < 0:
        raise OSError("git merge-file failed")
    return proc.stdout, proc.returncode


def merge_bytes(base: Optional[bytes], ours: bytes, theirs: bytes, file: str, *, marker_size: int = 7,
                labels: tuple[str, str] = ("ours", "theirs")) -> MergeResult:
    """Merge three versions of one case file (``file``: its path, for the kind and for messages)."""
    base_raw = base or b""
    if ours == theirs or base_raw == theirs:
        return MergeResult(ours, [], "trivial")
    if base_raw == ours:
        return MergeResult(theirs, [], "trivial")
    if entry_file(file) and not base_raw.strip():
        # two different events (referrals, appointments, surveys) under one new name: never one merged file
        both = _markers(ours.decode("utf-8", "replace"), theirs.decode("utf-8", "replace"), marker_size, labels)
        return MergeResult(both.encode("utf-8"), [Message("(the whole file: both sides added a file with this name)")], "whole-file")
    o, a, b = _plain(base, file), _plain(ours, file), _plain(theirs, file)
    if MISSING in (o, a, b) or not isinstance(a, dict) or not isinstance(b, dict):
        merged, count = line_merge(base_raw, ours, theirs, marker_size, labels)
        return MergeResult(merged, [Message("(lines: {count} conflict(s); a version is not readable as data)", count=count)] if count else [], "lines")
    try:
        docs = []
        for theirs_wins in (False, True):
            a_doc, b_doc = edit.load(ours, file), edit.load(theirs, file)
            merger = _Merger(theirs_wins)
            merger.mapping(o, a, b, a_doc.data, b_doc.data, ())
            docs.append((a_doc, merger))
    except (edit.EditError, KeyError, IndexError, TypeError, AttributeError):
        # (a shape the two readers see differently, e.g. a number as a key: git's line merge decides)
        merged, count = line_merge(base_raw, ours, theirs, marker_size, labels)
        return MergeResult(merged, [Message("(lines: {count} conflict(s))", count=count)] if count else [], "lines")
    (ours_doc, merger), (theirs_doc, _) = docs
    ours_text = edit.dump(ours_doc)
    if not merger.conflicts:
        checked = _plain(ours_text, file)
        if checked is MISSING:  # pragma: no cover - the writer made something it cannot read back
            merged, count = line_merge(base_raw, ours, theirs, marker_size, labels)
            return MergeResult(merged, [LINES] if count else [], "lines")
        return MergeResult(ours if ours_text == ours_doc.original and not _changed(a, checked) else ours_text, [], "fields")
    text = _markers(ours_text.decode("utf-8"), edit.dump(theirs_doc).decode("utf-8"), marker_size, labels)
    return MergeResult(text.encode("utf-8"), sorted(set(merger.conflicts)), "fields")


def _changed(a: Any, merged: Any) -> bool:
    return a != merged


def merge_files(base: Path, ours: Path, theirs: Path, file: str, *, marker_size: int = 7) -> MergeResult:
    """The driver's job: merge, write the result over ``ours`` (git's %A), return what happened."""
    result = merge_bytes(base.read_bytes() if base.exists() else b"", ours.read_bytes(), theirs.read_bytes(), file,
                         marker_size=marker_size)
    if result.content != ours.read_bytes():
        ours.write_bytes(result.content)  # git's temporary file, read back by git
    return result


# ---------------------------------------------------------------- what the driver tells `careerpath sync`

#: names a file (in the clone's git folder) where the driver, run by git for `careerpath sync`, adds its
#: conflicts: sync reads them as data, not back from the driver's words on stderr (which speak the user's language)
REPORT_ENV = "CAREERPATH_MERGE_REPORT"


def record_conflicts(report: Path, file: str, conflicts: list[str]) -> None:
    """Add one JSON line per conflict of ``file`` to ``report``: a field path, or a message's msgid and arguments."""
    lines = []
    for c in conflicts:
        if isinstance(c, Message):
            lines.append(json.dumps({"file": file, "msgid": c.msgid, "args": dict(c.args)}, ensure_ascii=False))
        else:
            lines.append(json.dumps({"file": file, "field": c}, ensure_ascii=False))
    with open(report, "a", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))


def read_conflicts(report: Path) -> list[tuple[str, str]]:
    """The (file, field path or Message) pairs the driver recorded in ``report``, which is then removed."""
    try:
        text = Path(report).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    finally:
        Path(report).unlink(missing_ok=True)
    found = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            file = entry["file"]
            what = (Message.declared(entry["msgid"], CONTEXT, **entry.get("args", {})) if "msgid" in entry
                    else entry["field"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short: that file falls back to "(lines)"
        if isinstance(file, str) and isinstance(what, str):
            found.append((file, what))
    return found
