"""Shell completion (bash, zsh, fish): commands and options from the click tree, values from the caseload.

``careerpath --install-completion`` / ``--show-completion`` (typer's) write the
shell's script; the script runs ``careerpath`` with ``_CAREERPATH_COMPLETE``
set, and :func:`attach` then gives the parameters whose values come from the
caseload a completer: case ids, staff ids, programs, event types, document
kinds, periods and `set` field paths. Every completer reads folder listings
and a few small files (careerpath.yaml, program.yaml, documents.yaml, the
shipped JSON Schemas) and never loads the caseload: at 20,519 cases a
completion lists one folder.

Which parameter gets which completer is decided here by its name and metavar,
so the commands need no change.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

PACKAGE = Path(__file__).resolve().parents[1]
CONFIG = "careerpath.yaml"


def _root(ctx: Any) -> Optional[Path]:
    """The caseload: --caseload given on the line so far, $CAREERPATH_CASELOAD, or the nearest careerpath.yaml upward."""
    while ctx is not None:
        given = (ctx.params or {}).get("caseload")
        if given:
            return Path(given)
        ctx = ctx.parent
    env = os.environ.get("CAREERPATH_CASELOAD")
    if env:
        return Path(env)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return folder
    return None


def _matching(values: Iterable[str], incomplete: str) -> list[str]:
    """The values that complete ``incomplete``, sorted; a value the shell could not show as it is (a control or
    direction character, an undecodable byte: a clone's folder may be named anything) is never offered."""
    return sorted({v for v in values if v.startswith(incomplete) and v.isprintable()})


def case_ids(ctx: Any, incomplete: str) -> list[str]:
    root = _root(ctx)
    if root is None:
        return []
    try:
        with os.scandir(root / "cases") as entries:
            return _matching((e.name for e in entries if e.name.startswith(incomplete) and e.is_dir()), incomplete)
    except OSError:
        return []


_STAFF_ID = re.compile(r"^\s*-\s*(?:\{\s*)?id:\s*['\"]?([A-Za-z0-9][A-Za-z0-9._-]*)", re.M)


def staff_ids(ctx: Any, incomplete: str) -> list[str]:
    root = _root(ctx)
    from ..fsio import ReadRefused, read_regular

    try:  # a clone's file: the safe reader (a FIFO here must not hang the shell's completion)
        text = read_regular(root / CONFIG, root=root).decode("utf-8") if root else ""
    except (ReadRefused, UnicodeDecodeError):
        return []
    return _matching(_STAFF_ID.findall(text), incomplete)


def _program_folders(ctx: Any) -> list[Path]:
    folders = [p.parent for p in (PACKAGE / "programs").glob("*/program.yaml")]
    root = _root(ctx)
    if root is not None:
        folders += [p.parent for p in (root / "programs").glob("*/program.yaml")]
    return folders


def programs(ctx: Any, incomplete: str) -> list[str]:
    return _matching((f.name for f in _program_folders(ctx)), incomplete)


def _yaml(path: Path) -> dict:
    """A program's file as data, through the project's reader (a clone's file: bounded, no tags, no alias
    bombs, regular files inside the caseload only)."""
    from ..yamlfile import read_file

    try:
        data = read_file(path, path.name, root=path.parent.parent.parent).data
    except Exception:  # a broken file completes nothing, never a traceback in the shell
        return {}
    return data if isinstance(data, dict) else {}


def event_types(ctx: Any, incomplete: str) -> list[str]:
    found = {"contact", "note"}
    for folder in _program_folders(ctx):
        events = _yaml(folder / "program.yaml").get("events")
        if isinstance(events, dict):
            found |= {str(k) for k in events}
    return _matching(found, incomplete)


def document_kinds(ctx: Any, incomplete: str) -> list[str]:
    found: set[str] = set(_yaml(PACKAGE / "documents" / "kinds.yaml").get("kinds") or {})
    for folder in _program_folders(ctx):
        found |= set(_yaml(folder / "documents.yaml").get("kinds") or {})
    return _matching(found, incomplete)


def _param(ctx: Any, name: str) -> Any:
    while ctx is not None:
        value = (ctx.params or {}).get(name)
        if value:
            return value
        ctx = ctx.parent
    return None


def _today(ctx: Any) -> date:
    """--today given on the line, $CAREERPATH_TODAY, else the real date."""
    for value in (_param(ctx, "today"), os.environ.get("CAREERPATH_TODAY")):
        try:
            return date.fromisoformat(str(value)) if value else date.today()
        except ValueError:
            continue
    return date.today()


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _dates_in(data: Any) -> Iterable[date]:
    """Every date in ``data`` (the safe reader leaves dates as ISO text)."""
    if isinstance(data, date):
        yield data
    elif isinstance(data, str) and _ISO_DATE.match(data):
        try:
            yield date.fromisoformat(data)
        except ValueError:
            pass
    elif isinstance(data, dict):
        for value in data.values():
            yield from _dates_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from _dates_in(value)


def _case_span(root: Path, case: str, today: date) -> Optional[tuple[date, date]]:
    """The days a case's report may cover: from its first recorded date (opened, an enrollment's) to its
    closure, or today. One small file read (the case's case.yaml), never the caseload."""
    data = _yaml(root / "cases" / case / "case.yaml") if re.match(r"^[a-z0-9][a-z0-9_-]*$", case) else {}
    enrollments = data.get("enrollments") if isinstance(data.get("enrollments"), dict) else {}
    # an enrollment begins at its program's `start:` field (an IPP date in force before it does not open the case)
    firsts = [_start_field(root, str(pid), block) for pid, block in enrollments.items()]
    starts = [d for d in _dates_in([data.get("opened"), firsts]) if d <= today]
    if not starts:
        return None
    closure = data.get("closure") if isinstance(data.get("closure"), dict) else {}
    ends = list(_dates_in(closure.get("date")))
    return min(starts), min(ends[0] if ends else today, today)


def _start_field(root: Path, program: str, block: Any) -> Any:
    """The value of the enrollment field its program.yaml names as ``start:`` (the caseload's own program
    folder first); the whole block when the program or its ``start:`` is unknown."""
    if not isinstance(block, dict) or not re.match(r"^[a-z0-9][a-z0-9_-]*$", program):
        return block
    for folder in (root / "programs" / program, PACKAGE / "programs" / program):
        start = _yaml(folder / "program.yaml").get("start")
        if isinstance(start, str) and start:
            return block.get(start)
    return block


def _kind_period(ctx: Any, kind: Any) -> str:
    """The unit a document kind reports on (month, quarter, year), read from the kinds' declarations; "" for none."""
    if not kind:
        return ""
    for path in [PACKAGE / "documents" / "kinds.yaml", *(f / "documents.yaml" for f in _program_folders(ctx))]:
        spec = (_yaml(path).get("kinds") or {}).get(kind)
        if isinstance(spec, dict):
            unit = spec.get("period")
            return unit.get("unit", "") if isinstance(unit, dict) else str(unit or "")
    return ""


def periods(ctx: Any, incomplete: str) -> list[str]:
    """--period values: for `render KIND CASE`, the months, quarters or years (as the kind reports) in which
    the case was open, up to today; otherwise this year's and last year's (today from --today too)."""
    today = _today(ctx)
    # while completing, click leaves `render KIND CASE`'s words in ctx.args rather than in its params
    words = list(getattr(ctx, "args", None) or []) if getattr(ctx, "info_name", "") == "render" else []
    kind = _param(ctx, "kind") or (words[0] if words else None)
    root, case = _root(ctx), _param(ctx, "case") or (words[1] if len(words) > 1 else None)
    span = _case_span(root, str(case), today) if root is not None and case else None
    if span is None:
        quarters = [f"{y}-Q{q}" for y in (today.year - 1, today.year) for q in range(1, 5)]
        months = [f"{today.year}-{m:02d}" for m in range(1, 13)]
        return _matching([*quarters, *months, str(today.year - 1), str(today.year)], incomplete)
    start, end = span
    unit = _kind_period(ctx, kind)
    months = [(y, m) for y in range(start.year, end.year + 1) for m in range(1, 13)
              if (start.year, start.month) <= (y, m) <= (end.year, end.month)]
    found: list[str] = []
    if unit in ("", "month"):
        found += [f"{y}-{m:02d}" for y, m in months[-24:]]  # the last two years of months: a line, not a page
    if unit in ("", "quarter"):
        found += sorted({f"{y}-Q{(m - 1) // 3 + 1}" for y, m in months})
    if unit in ("", "year"):
        found += [str(y) for y in range(start.year, end.year + 1)]
    return _matching(found, incomplete)


def _schema_paths(kind: str, prefix: str = "") -> list[str]:
    try:
        schema = json.loads((PACKAGE / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    defs = schema.get("$defs") or schema.get("definitions") or {}

    def props(node: dict) -> dict:
        ref = node.get("$ref", "")
        if ref:
            node = defs.get(ref.rsplit("/", 1)[-1], {})
        for alt in node.get("anyOf", []):
            if alt.get("$ref") or alt.get("properties"):
                return props(alt)
        return node.get("properties") or {}

    out = []
    for name, node in props(schema).items():
        out.append(prefix + name)
        for sub in props(node):
            out.append(f"{prefix}{name}.{sub}")
    return out


def field_paths(ctx: Any, incomplete: str) -> list[str]:
    """`set` fields: case.yaml's, each program's enrollment fields, then plan.yaml's (``plan.``)."""
    found = [p for p in _schema_paths("case") if not p.startswith("enrollments.")]
    for folder in _program_folders(ctx):
        fields = _yaml(folder / "program.yaml").get("enrollment")
        for name, spec in (fields.items() if isinstance(fields, dict) else ()):
            found.append(f"enrollments.{folder.name}.{name}")
            subs = spec.get("fields") if isinstance(spec, dict) else None
            found += [f"enrollments.{folder.name}.{name}.{sub}" for sub in (subs if isinstance(subs, dict) else ())]
    found += _schema_paths("plan", "plan.")
    return _matching(found, incomplete)


def _completer(command: str, param: Any) -> Optional[Callable]:
    name, metavar = param.name or "", (getattr(param, "metavar", None) or "").upper()
    if name == "case" or metavar in ("CASE", "CASE-ID") and command != "new":
        return case_ids
    if name in ("by", "staff", "provider") or metavar == "STAFF":
        return staff_ids
    if name == "program":
        return programs
    if command == "log" and name == "type":
        return event_types
    if name in ("kind",) and command in ("render", "report"):
        return document_kinds if command == "render" else None
    if name == "period":
        return periods
    if command == "set" and name in ("field", "more"):
        return field_paths
    return None


#: the commands whose first argument is a case id (:func:`_completer`): :func:`quick` completes it without typer.
#: ``tests/test_day.py`` reads the same set from the click tree with :func:`attach`'s completers.
CASE_FIRST = frozenset({"amend", "attach", "close", "edit", "history", "log", "plan", "purge", "refer", "set",
                        "show"})
SHELLS = {"complete_bash": "bash", "complete_zsh": "zsh", "complete_fish": "fish"}  # typer's instructions


class _Given:
    """The little of a click context :func:`_root` reads: the ``--caseload`` given before the command."""

    def __init__(self, caseload: Optional[str]) -> None:
        self.params = {"caseload": caseload}
        self.parent = None


def _split(line: str) -> list[str]:
    """The words of a command line as click's ``split_arg_string`` reads them (an open quote keeps its word)."""
    import shlex

    lex = shlex.shlex(line, posix=True)
    lex.whitespace_split, lex.commenters = True, ""
    out: list[str] = []
    try:
        for token in lex:
            out.append(token)
    except ValueError:
        out.append(lex.token)
    return out


def _zsh(value: str) -> str:
    """A value as typer's zsh format quotes it in an ``_arguments`` spec."""
    return value.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def quick(argv: list[str], environ: Any = os.environ) -> Optional[tuple[str, int]]:
    """(what to print, exit code) for the one completion a shell asks most (a case id after a command of
    :data:`CASE_FIRST`), without importing typer (~0.15 s of the ~0.2 s a completion took); None for anything
    else, which typer's completion answers.

    Taken only when every word is one read here exactly as click reads it: the program, then ``--caseload X``,
    ``--caseload=X`` or ``-C X`` at most once, then the command, then the word being completed, not starting
    with ``-``. The shells' spellings (the words, the zsh and fish formats) are typer's
    (``typer/_completion_classes.py``); ``tests/test_day.py`` compares every answer with typer's own.
    """
    shell = SHELLS.get(environ.get("_CAREERPATH_COMPLETE", ""))
    if shell is None or argv:
        return None
    try:
        if shell == "bash":
            words, cword = _split(environ["COMP_WORDS"]), int(environ["COMP_CWORD"])
            args, incomplete = words[1:cword], (words[cword] if cword < len(words) else "")
        else:
            line = environ.get("_TYPER_COMPLETE_ARGS", "")
            args = _split(line)[1:]
            incomplete = args.pop() if args and not line.endswith(" ") else ""
    except (KeyError, ValueError):
        return None
    caseload: Optional[str] = None
    if len(args) > 1:  # the caseload given before the command, the one root option read here
        word = args.pop(0)
        if word.startswith("--caseload="):
            caseload = word.partition("=")[2]
        elif word in ("--caseload", "-C"):
            caseload = args.pop(0)
        if not caseload or caseload.startswith("-"):
            return None
    if len(args) != 1 or args[0] not in CASE_FIRST or incomplete.startswith("-"):
        return None
    found = case_ids(_Given(caseload), incomplete)
    action = environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
    if shell == "bash":
        text = "\n".join(found)
    elif shell == "zsh":
        text = "_arguments '*: :((" + "\n".join(f'"{_zsh(v)}"' for v in found) + "))'" if found else "_files"
    elif action == "is-args":
        return "", 0 if found else 1
    else:
        text = "\n".join(found) if action == "get-args" else ""
    return text + "\n", 0


def attach(root: Any) -> None:
    """Give each parameter whose values come from the caseload its completer (called only when completing)."""

    def walk(cmd: Any, path: str) -> None:
        for param in getattr(cmd, "params", []):
            found = _completer(path, param)
            if found is not None:
                param._custom_shell_complete = lambda ctx, _param, incomplete, f=found: f(ctx, incomplete)
        for sub_name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, f"{path} {sub_name}".strip())

    walk(root, "")
