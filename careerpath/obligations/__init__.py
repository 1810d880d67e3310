"""Obligations: what is due for whom, by when, and under which rule.

    compute(caseload, today, *, include_closed_history=False, rules=None) -> list[Obligation]
    load_rules(programs=None) -> RuleBook      (the rules of a ProgramSet and the case-wide ones)
    query.due(results, today, Query(...)) -> DueList   (what `careerpath due` lists)

Modules:
    dates    durations (30d, 6m, 3wd), month ends, quarters, working days (holidays)
    rules    the rule-file format (careerpath/programs/<id>/rules.yaml, careerpath/rules/common.yaml) and its loader
    facts    dotted paths into one case's facts, each with its file:line
    engine   the generic engine: rule kinds -> occurrences -> status; Obligation
    query    the morning list: due's filters and order as a call (Query -> DueList), tally, fail-on
    export   JSON rows, CSV, iCalendar (RFC 5545), and the JSON Schema of the rows

The rules themselves are data, one file per program folder; see docs/obligations.md.
"""

from .engine import (INVALID, INVALID_RULE, STATUSES, Obligation, case_obligations, case_window, compute, on_day,
                     readability, sort_key, state_on)
from .rules import PACKAGE_RULES, Rule, RuleBook, RulesError, load_rule_file, load_rules

__all__ = ["compute", "case_obligations", "case_window", "on_day", "state_on", "readability", "Obligation", "STATUSES", "INVALID", "INVALID_RULE", "sort_key",
           "load_rules", "load_rule_file", "Rule", "RuleBook", "RulesError", "PACKAGE_RULES"]
