"""A program's service catalogue: ``services.yaml`` in its folder (optional).

Each service has a stable ``id`` (what a plan item may name), the ``name`` the
program uses (printed in documents), a short English ``gloss`` for staff who
do not read that language, and the ``group`` it is listed under. A plan
service of the program (``plan.services[].name`` with ``program: <id>``)
names a catalogue service by its id or its exact name; another name is kept
as written, with an ``unknown-service`` warning (careerpath/checks.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

SERVICES_FILE = "services.yaml"
_ID = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    name: str
    gloss: str = ""
    group: str = ""


def read_services(path: Path, shown: str) -> tuple[tuple[ServiceSpec, ...], list]:
    """The services a services.yaml lists, or () and the diagnostics (file and line) when it is malformed."""
    from ..diagnostics import Diagnostic
    from ..i18n.messages import Message
    from ..yamlfile import read_file

    parsed = read_file(path, shown)
    errors = [d for d in parsed.diagnostics if d.severity == "error"]
    if errors:
        return (), errors
    data = parsed.data if isinstance(parsed.data, dict) else {}
    out: list[ServiceSpec] = []
    seen: set[str] = set()
    items = data.get("services")
    if not isinstance(items, list):
        return (), [Diagnostic(shown, 1, 1, "error", "program-invalid", Message("`services` must be a list"))]
    for i, item in enumerate(items):
        where = parsed.positions.value(("services", i)) if parsed.positions is not None else (1, 1)
        ok = (isinstance(item, dict) and isinstance(item.get("id"), str) and _ID.match(item["id"])
              and isinstance(item.get("name"), str) and item["name"].strip())
        if not ok:
            return (), [Diagnostic(shown, *where, "error", "program-invalid",
                                   Message("a service needs an `id` (lower-case words joined by hyphens) and a `name`"))]
        if item["id"] in seen or item["name"].strip() in seen:
            return (), [Diagnostic(shown, *where, "error", "program-invalid",
                                   Message("a service id or name is listed twice"))]
        seen |= {item["id"], item["name"].strip()}
        out.append(ServiceSpec(item["id"], item["name"].strip(), str(item.get("gloss") or ""),
                               str(item.get("group") or "")))
    return tuple(out), []


def find(services: tuple[ServiceSpec, ...], given: str) -> Optional[ServiceSpec]:
    """The service a plan item names, by id or by exact name (surrounding spaces ignored)."""
    given = given.strip()
    return next((s for s in services if given in (s.id, s.name)), None)


def nearest(services: tuple[ServiceSpec, ...], given: str) -> Optional[ServiceSpec]:
    """The closest service to a name that matches none (did you mean?), or None.

    First a close spelling (difflib, case-blind); else the shortest service whose name holds every word
    of ``given`` by its first five letters, so a short form ("Профессиональная ориентация") finds the
    seed's long name ("Организация профессиональной ориентации граждан …") whatever the word endings.
    """
    import difflib

    by_key = {s.name.casefold(): s for s in services} | {s.id: s for s in services}
    close = difflib.get_close_matches(given.strip().casefold(), list(by_key), n=1, cutoff=0.6)
    if close:
        return by_key[close[0]]
    stems = [w[:5] for w in _words(given) if len(w) >= 3]
    if not stems:
        return None
    fits = [s for s in services if all(any(w.startswith(stem) for w in _words(s.name)) for stem in stems)]
    return min(fits, key=lambda s: (len(s.name), s.id)) if fits else None


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())
