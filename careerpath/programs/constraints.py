"""The checks a program declares as data, run on every case enrolled in it.

``checks:`` in program.yaml (paths are relative to the enrollment)::

    - code: se-group-size            # declared under `codes:` with its severity
      when: {type: group}            # a condition, as in rule files
      range: {field: group_size, min: 3, max: 8}
      at: group_size                 # where the diagnostic points (at_missing: when the field is unset)
      message: group SE needs `group_size` from 3 to 8 consumers per job coach
      hint: WIC 4851(r)

Tests: ``require`` (every path set; ``{missing}`` in the message lists those
that are not), ``require_any`` (at least one set), ``forbid`` (none set),
``range`` (a number within bounds), ``within`` (a date between two others;
``to: start + 2y``). Besides these, every declared field is checked for its
date order (``not_before``) and, for ``staff`` fields, that the id is listed in
careerpath.yaml. A check whose fields were rejected by the schema is skipped:
its error is already reported.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any, Iterator, Optional

from ..diagnostics import Diagnostic
from ..i18n.messages import Message
from .fields import FieldSpec
from .registry import CheckSpec, Program


def _split(path: str) -> tuple:
    return tuple(path.split(".")) if path else ()


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _set(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return value not in (None, "", [], {})


def holds(condition: tuple, value_of: Any, today: Optional[date] = None) -> bool:
    """Whether every ``(path, expected)`` holds: null = unset, a list = one of, ``{set: bool}``,
    ``{on_or_after: path}``, ``{on_or_before: path|today}``, else equal. ``value_of(path)`` reads a value."""
    for path, expected in condition:
        value = value_of(path)
        if isinstance(expected, dict) and ("on_or_after" in expected or "on_or_before" in expected):
            bound_path = expected.get("on_or_after") or expected.get("on_or_before")
            other = today if bound_path == "today" else value_of(bound_path)
            if not isinstance(value, date):
                ok = False
            elif not isinstance(other, date):
                ok = True
            else:
                ok = value >= other if "on_or_after" in expected else value <= other
        elif isinstance(expected, dict) and "set" in expected:
            ok = _set(value) == bool(expected["set"])
        elif expected is None:
            ok = value in (None, [], {}, "")
        elif isinstance(expected, tuple):
            ok = value in expected
        else:
            ok = value == expected
        if not ok:
            return False
    return True


def _reads(spec: CheckSpec) -> list[tuple]:
    paths = [p for p, _ in spec.when]
    paths += list(spec.require) + list(spec.require_any) + list(spec.forbid)
    if spec.range:
        paths.append(spec.range[0])
    if spec.within:
        paths += [spec.within[0], spec.within[1], spec.within[2].split("+")[0].split("-")[0].strip()]
    return [_split(p) for p in paths]


def _within_bound(text: str, enrollment: dict) -> Optional[date]:
    from ..obligations.dates import Duration, shift

    text = text.strip()
    sign = "+" if "+" in text else ("-" if " - " in text else "")
    base_path, _, dur = text.partition(f" {sign} ") if sign else (text, "", "")
    base = _get(enrollment, _split(base_path.strip()))
    if not isinstance(base, date):
        return None
    if not dur:
        return base
    d = Duration.parse(dur.strip())
    return shift(base, -d if sign == "-" else d)


def _run(spec: CheckSpec, program: Program, doc: Any, enrollment: dict, base: tuple) -> Iterator[Diagnostic]:
    if not all(doc.trusted(*base, *p) for p in _reads(spec)):
        return
    if not holds(spec.when, lambda p: _get(enrollment, _split(p))):
        return
    severity = program.codes[spec.code][0]
    # the program's own words are msgids: extracted from built-in folders, translated by a caseload's folder
    message, hint = Message.declared(spec.message), Message.declared(spec.hint) if spec.hint else ""

    def at(path: str, fallback: str = "") -> tuple:
        chosen = spec.at or path or fallback
        return base + _split(chosen)

    if spec.require:
        missing = [p for p in spec.require if not _set(_get(enrollment, _split(p)))]
        if missing:
            names = ", ".join(p.rsplit(".", 1)[-1] for p in missing)
            yield doc.diagnostic(at(missing[0]), severity, spec.code, Message.declared(spec.message, missing=names), hint)
    elif spec.require_any:
        if not any(_set(_get(enrollment, _split(p))) for p in spec.require_any):
            yield doc.diagnostic(at(spec.require_any[0]), severity, spec.code, message, hint)
    elif spec.forbid:
        present = [p for p in spec.forbid if _set(_get(enrollment, _split(p)))]
        if present:
            yield doc.diagnostic(base + _split(present[0]) if not spec.at else at(""), severity, spec.code,
                                 message, hint)
    elif spec.range:
        field, lo, hi = spec.range
        value = _get(enrollment, _split(field))
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) \
            and (lo is None or value >= lo) and (hi is None or value <= hi)
        if not ok:
            where = base + _split(field) if value is not None else base + _split(spec.at_missing or spec.at or field)
            yield doc.diagnostic(where, severity, spec.code, message, hint)
    elif spec.within:
        field, lo_text, hi_text = spec.within
        value = _get(enrollment, _split(field))
        lo, hi = _within_bound(lo_text, enrollment), _within_bound(hi_text, enrollment)
        if isinstance(value, date) and lo is not None and hi is not None and not (lo <= value <= hi):
            yield doc.diagnostic(base + _split(field), severity, spec.code, message, hint)


def declared_values(specs: tuple[FieldSpec, ...], data: Any, path: tuple = ()) -> Iterator[tuple[FieldSpec, Any, tuple, Any]]:
    """(declaration, value, path, the mapping holding it) for every declared field present in ``data``."""
    if not isinstance(data, dict):
        return
    for spec in specs:
        if spec.name not in data:
            continue
        value = data[spec.name]
        here = path + (spec.name,)
        yield spec, value, here, data
        if spec.type == "mapping":
            yield from declared_values(spec.fields, value, here)
        elif spec.type == "list" and spec.items is not None and isinstance(value, list):
            for i, item in enumerate(value):
                if spec.items.type == "mapping":
                    yield from declared_values(spec.items.fields, item, here + (i,))


def check_enrollment(program: Program, doc: Any, enrollment: dict, staff_ids: Optional[set]) -> Iterator[Diagnostic]:
    """Every diagnostic of one enrollment: date order, staff ids, and the program's data checks."""
    base = ("enrollments", program.id)
    for spec, value, path, holder in declared_values(program.fields, enrollment):
        if spec.not_before and isinstance(value, date):
            if spec.not_before.startswith("^"):
                other_path = _split(spec.not_before[1:])
                other = _get(enrollment, other_path)
            else:
                other_path = path[:-1] + (spec.not_before,)
                other = holder.get(spec.not_before)
            if isinstance(other, date) and value < other and doc.trusted(*base, *path) \
                    and doc.trusted(*base, *other_path):
                yield doc.diagnostic(base + path, "error", "date-order",
                                     Message.declared(spec.order_message) if spec.order_message else
                                     Message("`{field}` is dated before `{other}`", field=str(path[-1]), other=str(other_path[-1])),
                                     Message.declared(spec.order_hint) if spec.order_hint else "")
        if spec.type == "staff" and isinstance(value, str) and staff_ids is not None and value not in staff_ids:
            close = difflib.get_close_matches(value, sorted(staff_ids), n=1)
            from ..loader import did_you_mean, display_path

            yield doc.diagnostic(base + path, "error", "unknown-staff",
                                 Message("`{path}` names a staff id careerpath.yaml does not list", path=display_path(base + path)),
                                 did_you_mean(close[0]) if close else Message("add the person to `staff` in careerpath.yaml"))
    for spec in program.checks:
        yield from _run(spec, program, doc, enrollment, base)
