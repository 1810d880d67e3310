"""The list of cases (``careerpath cases``): who is on a caseload, and what is next for each.

:func:`case_rows` turns a loaded caseload and its open obligations into one
:class:`CaseRow` per case; :func:`select` filters and sorts them by a
:class:`CaseQuery`. Everything about programs is read from what they declare:
the enrollments a case holds, and the staff paths of each program
(``staff: [case.staff.navigator, enrollment.curator]``), so a program made of
data lists like a built-in one.

Data only: the CLI words and lays the rows out (:mod:`careerpath.cli.cmd_cases`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Optional, Sequence

#: ``--sort`` values: ``next`` (the default) puts the most past-due first, then the soonest due.
SORTS = ("next", "id", "name", "opened")
STATUSES = ("active", "closed")


@dataclass(frozen=True)
class NextObligation:
    """The first open obligation of a case (as ``due`` sorts them)."""

    rule: str
    title: str
    titles: dict
    due: date
    status: str
    item: str
    days_late: int  # 0 when not past due

    def title_in(self, lang: str) -> str:
        base = (lang or "en").split("-")[0].lower()
        return self.titles.get(lang) or self.titles.get(base) or self.title

    def to_dict(self) -> dict:
        return {"rule": self.rule, "title": self.title, "due": self.due.isoformat(), "status": self.status,
                "item": self.item, "days_late": self.days_late}


@dataclass(frozen=True)
class CaseRow:
    """One case as ``careerpath cases`` lists it."""

    id: str
    name: str
    preferred_name: str
    status: str                # active | closed
    language: str
    opened: Optional[date]
    programs: tuple[str, ...]  # the enrollments, in the file's order
    staff: dict                # role or enrollment field -> staff id
    open: int                  # open obligations
    past_due: int              # of which past due
    next: Optional[NextObligation] = None
    problems: bool = False     # case.yaml did not load: what is shown comes from the folder name only

    @property
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.staff.values())))

    def to_dict(self) -> dict:
        """What ``careerpath cases --format json`` prints for one case."""
        return {"id": self.id, "name": self.name, "preferred_name": self.preferred_name, "status": self.status,
                "language": self.language, "opened": self.opened.isoformat() if self.opened else None,
                "programs": list(self.programs), "staff": dict(self.staff), "open": self.open,
                "past_due": self.past_due, "next": self.next.to_dict() if self.next else None,
                "problems": self.problems}


@dataclass(frozen=True)
class CaseQuery:
    """Which cases to list and in what order. Every filter given must hold; values within one filter are alternatives."""

    staff: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    search: str = ""
    sort: str = "next"

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}")
        bad = [s for s in self.statuses if s not in STATUSES]
        if bad:
            raise ValueError(f"status must be one of {STATUSES}")

    @property
    def filtered(self) -> bool:
        return bool(self.staff or self.programs or self.statuses or self.languages or self.search)


def _staff_of(case: Any, programs: Any) -> dict:
    """role -> staff id, from case.yaml's ``staff:`` and the enrollment fields each program names as its staff."""
    out: dict[str, str] = {}
    for role, value in case.staff.model_dump(by_alias=True).items():
        if isinstance(value, str) and value:
            out[role] = value
    for pid, enrollment in (case.enrollments or {}).items():
        program = programs.get(pid) if programs is not None else None
        if program is None or not hasattr(enrollment, "get"):
            continue
        for path in program.staff:
            head, _, name = path.partition(".")
            value = enrollment.get(name) if head == "enrollment" and name and "." not in name else None
            if isinstance(value, str) and value and value not in out.values():
                out[f"{pid}.{name}"] = value
    return out


def case_rows(caseload: Any, obligations: Iterable[Any], today: date) -> list[CaseRow]:
    """One row per case of ``caseload`` (a :class:`careerpath.loader.Caseload`), in id order.

    ``obligations``: the open ones, sorted as ``due`` sorts them
    (:meth:`careerpath.pipeline.Results.obligations` with ``done=False``).
    """
    by_case: dict[str, list] = {}
    for o in obligations:
        by_case.setdefault(o.case, []).append(o)
    rows = []
    for cid in sorted(caseload.cases):
        folder = caseload.cases[cid]
        model = folder.model
        found = by_case.get(cid, [])
        first = found[0] if found else None
        nxt = None
        if first is not None:
            nxt = NextObligation(first.rule, first.title, dict(first.titles), first.due, first.status, first.item,
                                 max(0, (today - first.due).days) if first.past_due else 0)
        past_due = sum(1 for o in found if o.past_due)
        if model is None:
            rows.append(CaseRow(cid, "", "", "active", "", None, (), {}, len(found), past_due, nxt, problems=True))
            continue
        person = model.person
        rows.append(CaseRow(cid, person.name, person.preferred_name or person.name, model.status, person.language,
                            model.opened, tuple(model.enrollments or {}), _staff_of(model, caseload.programs),
                            len(found), past_due, nxt))
    return rows


def _fold(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def matches(row: CaseRow, query: CaseQuery) -> bool:
    """Whether ``row`` passes every filter of ``query`` (search: any word of it in the id or a name, accents and case ignored)."""
    if query.staff and not set(query.staff) & set(row.staff.values()):
        return False
    if query.programs and not set(query.programs) & set(row.programs):
        return False
    if query.statuses and row.status not in query.statuses:
        return False
    if query.languages and row.language.split("-")[0] not in {x.split("-")[0] for x in query.languages}:
        return False
    if query.search:
        hay = _fold(" ".join((row.id, row.name, row.preferred_name)))
        if not all(word in hay for word in _fold(query.search).split()):
            return False
    return True


def _order(query: CaseQuery):
    far = date.max

    def next_key(r: CaseRow) -> tuple:
        return (r.next is None, -r.next.days_late if r.next else 0, r.next.due if r.next else far, r.id)

    return {"next": next_key,
            "id": lambda r: r.id,
            "name": lambda r: (_fold(r.name or r.id), r.id),
            "opened": lambda r: (r.opened or far, r.id)}[query.sort]


def select(rows: Sequence[CaseRow], query: CaseQuery = CaseQuery()) -> list[CaseRow]:
    """The rows ``query`` keeps, in its order."""
    return sorted((r for r in rows if matches(r, query)), key=_order(query))
