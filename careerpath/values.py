"""Plain data with attribute access: what a validated enrollment or settings block loads to.

A program's enrollment fields are declared in its ``program.yaml``, so there is
no Python class per program. The loader validates an enrollment with a model
generated from that declaration and keeps the result as a :class:`Record`: a
``dict`` (keys exactly as written in the file, ``ipra``, ``from``,
``job-coach``) whose values are read as attributes too (``record.ipra.from_``).
Records pickle and compare like dicts and dump to JSON-ready data with
:func:`plain`.
"""

from __future__ import annotations

from datetime import date
from typing import Any


class Record(dict):
    """A mapping whose keys are also attributes (``from_`` reads ``from``, ``job_coach`` reads ``job-coach``).

    A key that is not there reads as None through an attribute, so optional
    fields left out of a file and fields written as ``null`` look the same.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        for key in (name, name.rstrip("_"), name.replace("_", "-")):
            if key in self:
                return self[key]
        return None

    def __reduce__(self):  # pickle as a plain dict subclass (no per-instance state)
        return (Record, (dict(self),))

    def model_dump(self, **_: Any) -> dict:
        """The data as plain dicts and lists (the pydantic method's name, so callers need not care)."""
        return plain(self)


def record(value: Any) -> Any:
    """``value`` with every mapping inside it turned into a :class:`Record`."""
    if isinstance(value, dict):
        return Record({k: record(v) for k, v in value.items()})
    if isinstance(value, list):
        return [record(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """``value`` with every Record turned back into a dict (dates stay dates)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def is_set(value: Any) -> bool:
    """Whether a field holds something: not null, not an empty list, mapping or text (False counts as unset)."""
    return value not in (None, False, "", [], {}) and not (isinstance(value, (list, dict)) and not value)


__all__ = ["Record", "record", "plain", "is_set", "date"]
