"""Which obligation rules a recorded change touches: the ``Rule:`` commit trailers.

Read from the rule data of the caseload's programs (each program folder's
``rules.yaml``, ``careerpath/rules/common.yaml``; docs/obligations.md), not from
a table of our own, so a new program's rules need no code here. Only what a
link needs is taken from each rule — its ``program``, ``id``, ``when``,
``each``, ``due[].date`` and ``done[]`` (``event``, ``field``, ``dates``,
``any_program``). Trailers are a courtesy, never a reason to refuse a recording.

* An event links to the rules it can satisfy (``done: - event: [TYPE]``), of
  programs the person is enrolled in (common rules always), whose simple
  ``when`` conditions hold on the case.
* A field change links to the rules whose ``done`` field or dates, or whose
  ``due`` date, is that field or lies under/over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

@dataclass(frozen=True)
class RuleLink:
    id: str
    program: str                    # "" for case-wide rules
    events: tuple[str, ...]         # event types that satisfy it
    any_program: bool               # an event of any program counts
    paths: tuple[str, ...]          # field addresses (careerpath set form, * for list items)
    when: tuple[tuple[str, Any], ...]


def _address(fact: str, program: str, each: Optional[str]) -> Optional[str]:
    """A rule's fact path as a `careerpath set` address (``referral.`` for referral fields)."""
    root, _, rest = fact.partition(".")
    if root == "enrollment":
        return f"enrollments.{program}.{rest}" if program else None
    if root == "case":
        return rest
    if root == "plan":
        return fact
    if root == "item" and each:
        base = each.rstrip("*").rstrip(".")
        if base == "referrals":
            return f"referral.{rest}"
        if base.startswith("case."):
            return f"{each[len('case.'):]}.{rest}"
        return f"{each}.{rest}"
    return None


_LINKS: dict[bytes, tuple["RuleLink", ...]] = {}


def links(programs: Any) -> tuple[RuleLink, ...]:
    """The links of every rule of ``programs`` (a ProgramSet), made once per set of program folders."""
    found = _LINKS.get(programs.fingerprint)
    if found is None:
        found = _LINKS[programs.fingerprint] = tuple(_link(rule) for rule in programs.rulebook().rules)
    return found


def _link(rule: Any) -> RuleLink:
    events: list[str] = []
    any_program = False
    facts: list[str] = []
    for done in rule.done:
        events += list(done.event)
        any_program = any_program or done.any_program
        facts += [f for f in (done.field, done.dates) if f]
    facts += [d.date for d in rule.due]
    paths = tuple(a for a in (_address(f, rule.program, rule.each) for f in facts) if a)
    when = tuple((k, list(v) if isinstance(v, tuple) else v) for k, v in rule.when.items)
    return RuleLink(rule.id, rule.program, tuple(events), any_program, paths, when)


def _lookup(data: Any, dotted: str) -> Any:
    cur = data
    for part in dotted.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        else:
            return None
    return cur


def _holds(link: RuleLink, case: dict) -> bool:
    """Simple ``when`` conditions on the case: null = unset, a list = one of, {set: true}, or equal.

    Conditions on anything else (list items) are not evaluated and count as holding.
    """
    for path, expected in link.when:
        root, _, rest = path.partition(".")
        if root == "enrollment":
            value = _lookup(case, f"enrollments.{link.program}.{rest}")
        elif root == "case":
            value = _lookup(case, rest)
        else:
            continue
        if expected is None:
            ok = value is None
        elif isinstance(expected, list):
            ok = value in expected
        elif isinstance(expected, dict):
            ok = (value is not None) == bool(expected["set"]) if set(expected) == {"set"} else True
        else:
            ok = value == expected
        if not ok:
            return False
    return True


def _enrolled(link: RuleLink, case: dict) -> bool:
    return not link.program or isinstance(_lookup(case, f"enrollments.{link.program}"), dict)


def for_event(programs: Any, event_type: str, program: Optional[str], case: dict) -> list[str]:
    """Rule ids an event of ``event_type`` (of ``program``, if given) can satisfy for this case."""
    return [link.id for link in links(programs)
            if event_type in link.events and _enrolled(link, case) and _holds(link, case)
            and (program is None or not link.program or link.program == program or link.any_program)]


_INDEX = re.compile(r"(?<=\.)\d+(?=\.|$)")


def for_fields(programs: Any, addresses: Iterable[str], case: dict) -> list[str]:
    """Rule ids whose done or due fields the changed ``addresses`` (set form) touch."""
    out: list[str] = []
    for address in addresses:
        norm = _INDEX.sub("*", address)
        for link in links(programs):
            if link.id in out or not _enrolled(link, case) or not _holds(link, case):
                continue
            if any(norm == p or norm.startswith(p + ".") or p.startswith(norm + ".") for p in link.paths):
                out.append(link.id)
    return out


def program_of(programs: Any, rule_id: str) -> str:
    """The program a rule belongs to ("" for case-wide rules or unknown ids)."""
    return next((link.program for link in links(programs) if link.id == rule_id), "")
