"""``calendars.pickle``: the working-day calendars the ``holidays`` package gave, for the next run.

Computing one case again after an edit took ~0.13 s, of which ~0.08 s was
importing ``holidays`` (it loads every country) for a program with working-day
durations. The years looked up are kept here
(:func:`careerpath.obligations.dates.calendars_seen`) under the cache's key,
which holds a key of the installed ``holidays`` package
(:func:`careerpath.cache.store.package_key`: its version file and the size and
time of its ``__init__.py``), so they are what that package gives; another
version of it is a miss, and the package is imported as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from . import store

NAME = "calendars.pickle"


def read(folder: Path, key: bytes, stats: Optional[store.Stats] = None) -> dict:
    """{(calendar, year): days} kept in ``folder`` under ``key`` (the cache's); {} when none."""
    kept = store.read(folder / NAME, key, stats)
    return kept if isinstance(kept, dict) else {}


def write(folder: Path, key: bytes, years: dict) -> None:
    """Keep ``years`` (a cache that cannot be written only makes the next run import the package)."""
    store.write(folder / NAME, key, years)
