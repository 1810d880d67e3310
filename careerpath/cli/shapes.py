"""The JSON every command prints with ``--format json``, as JSON Schemas (draft-07).

:data:`SHAPES` maps a command (as ``careerpath COMMAND``: ``"log"``,
``"i18n status"``) to the schema of what it prints; docs/cli.md shows each one
in a compact form (:func:`outline`, used by :mod:`careerpath.cli.reference`),
and tests/test_output.py checks every command's output against it and against
the library call it comes from. ``due`` points at the shipped
careerpath/schemas/obligations.schema.json.

Data only: imported by the reference and the tests, never when a command runs.
"""

from __future__ import annotations

import json
from typing import Any

STRING: dict = {"type": "string"}
INT: dict = {"type": "integer"}
BOOL: dict = {"type": "boolean"}
DATE: dict = {"type": "string", "format": "date"}
ANY: dict = {}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def one_of(*values: str) -> dict:
    return {"enum": list(values)}


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def mapping(values: dict) -> dict:
    """An object with any keys (ids, roles, field names), each value ``values``."""
    return {"type": "object", "additionalProperties": values}


def record(**properties: dict) -> dict:
    """An object with exactly these keys (none missing, none more)."""
    return {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}


def _obligations() -> dict:
    from ..obligations.export import schema

    return {k: v for k, v in schema().items() if k not in ("$schema", "$id")}


DIAGNOSTIC = record(file=STRING, line=INT, column=INT, severity=one_of("error", "warning"), code=STRING,
                    message=STRING, hint=STRING)
RECORDED = {**record(files=array(STRING), subject=STRING, message=STRING,
                     git=one_of("committed", "skipped", "unchanged", "not-a-repository", "no-git", "failed", "dry-run"),
                     commit=nullable(STRING), identity=nullable(one_of("user", "fallback")), drift=INT,
                     warnings=array(DIAGNOSTIC), notes=array(STRING), late_entry=nullable(INT),
                     cleared=array(record(rule=STRING, due=DATE, item=STRING, overdue_days=INT))),
            "description": "log, refer, set, close and attach: the files written (relative to the caseload), the commit "
                           "and why it was or was not made; a --dry-run also has \"diff\" (git: dry-run)."}
RECORDED["properties"]["diff"] = STRING  # only with --dry-run (not required)

# close: what was recorded, and what the closure ends and what stays open after it (obligations as `due`
# prints them: an `invalid` or `incomplete` one too)
CLOSED = {**RECORDED, "properties": {**RECORDED["properties"], "ends": {"$ref": "#/definitions/obligations"},
                                     "stays_open": {"$ref": "#/definitions/obligations"}},
          "description": RECORDED["description"] + " close adds \"ends\" and \"stays_open\": the obligations the "
                                                   "closure ends and those that stay open (as `due` prints them)."}

HISTORY_ENTRY = record(
    commit=STRING, date=STRING, author=STRING, email=STRING, subject=STRING, trailers=mapping(array(STRING)),
    files=array(record(status=one_of("added", "modified", "deleted", "renamed"), path=STRING, old_path=nullable(STRING),
                       fields=array(record(field=STRING, old=ANY, new=ANY)), unreadable=BOOL)),
    committer=STRING, committer_email=STRING, corrects=nullable(STRING),
    corrected_by=array(record(commit=STRING, date=STRING, author=STRING, subject=STRING, reason=nullable(STRING))))
AUDIT_FINDING = record(
    code=one_of("key-date-changed", "changed-after-closure", "record-deleted", "late-entry",
                "evidence-changed", "evidence-not-updated", "correction", "clock-set-back", "unsigned",
                "bad-signature", "unknown-signer", "signer-not-author"), case=STRING, commit=STRING,
    date=STRING, author=STRING, email=STRING, subject=STRING, field=nullable(STRING), old=ANY, new=ANY,
    files=array(STRING), first=nullable(mapping(ANY)), closed=nullable(mapping(ANY)), committer=STRING,
    committer_email=STRING, staff=nullable(STRING), reason=nullable(STRING), late_days=nullable(INT),
    cleared=array(STRING), marked=nullable(BOOL), corrects=nullable(mapping(ANY)), clock=nullable(mapping(STRING)),
    signature=nullable(record(status=STRING, principal=nullable(STRING), key=nullable(STRING))))
TIMELINE_ITEM = record(kind=one_of("date", "evidence"), field=STRING, old=ANY, new=ANY, commit=STRING, date=STRING,
                       author=STRING, email=STRING, committer=STRING, committer_email=STRING, staff=nullable(STRING),
                       reason=nullable(STRING), evidence=nullable(record(file=ANY, sha256=ANY)))
AUDIT_EXPORT = {**record(since=nullable(DATE), until=nullable(DATE), verified=BOOL,
                         cases=array(record(case=STRING, timeline=array(TIMELINE_ITEM), findings=array(AUDIT_FINDING)))),
                "description": "per case, each key date set or changed and each evidence attached (kind), oldest "
                               "first, then the findings of `careerpath audit` about the case"}
PERSON = record(name=STRING, preferred_name=STRING, language=STRING, interpreter=BOOL, plain_language=BOOL,
                representative=nullable(STRING))
OVERVIEW = {
    "type": "object", "additionalProperties": False,
    "required": ["case", "today", "problems", "obligations", "next_actions", "open_at_end", "last_events", "open_referrals"],
    "description": "The keys from status to jobs are there when case.yaml loaded; plan when plan.yaml did.",
    "properties": {
        "case": STRING, "today": DATE, "problems": INT, "status": STRING, "opened": nullable(DATE),
        "closure": nullable(record(date=nullable(DATE), reason=nullable(STRING), note=nullable(STRING),
                                   override=nullable(STRING))),
        "person": PERSON, "staff": mapping(record(id=STRING, name=STRING)),
        "enrollments": array(record(program=STRING, name=STRING, dates=mapping(DATE), labels=mapping(STRING))),
        "jobs": array(record(employer=STRING, title=nullable(STRING), start=nullable(DATE), end=nullable(DATE),
                             hours_per_week=nullable({"type": "number"}), integrated=nullable(BOOL),
                             program=nullable(STRING))),
        "plan": record(goals=INT, objectives_done=INT, objectives=INT, services_done=INT, services=INT,
                       next_objectives=array(record(id=STRING, text=STRING, due=nullable(DATE)))),
        "obligations": {"$ref": "#/definitions/obligation"},
        "next_actions": array(record(uid=STRING, rule=STRING, title=STRING, due=DATE, status=STRING, days=INT,
                                     what=STRING, how=STRING)),
        "open_at_end": {"$ref": "#/definitions/obligation"},
        "last_events": array(record(date=DATE, type=STRING, by=nullable(STRING), program=nullable(STRING),
                                    summary=nullable(STRING))),
        "open_referrals": array(record(date=DATE, to=STRING, kind=STRING, follow_up=nullable(DATE), file=STRING)),
    },
}
RULE = record(id=STRING, program=STRING, kind=one_of("once", "recurring", "per-item"), title=STRING,
              titles=mapping(STRING), citation=STRING, confirmed=BOOL, source=one_of("confirmed", "needs-source"),
              informational=BOOL, explain=STRING, file=STRING)
PROGRAM = record(
    id=STRING, name=STRING, builtin=BOOL, folder=STRING,
    fields=array(record(field=STRING, type=STRING, required=BOOL, values=array(ANY), key_date=BOOL, help=STRING)),
    new_options=array(record(option=STRING, field=STRING, required=BOOL, help=STRING)),
    events=array(STRING), documents=array(STRING), rules=array(STRING),
    settings=array(record(name=STRING, default=ANY, help=STRING)))
KIND = record(kind=STRING, programs=array(STRING), title=STRING, period=STRING, audience=STRING)
KIND_FOR_CASE = record(kind=STRING, title=STRING, missing=array(STRING))
REPORT = record(kind=STRING, period=STRING, out=STRING, written=array(record(path=STRING, what=STRING)),
                failed=array(record(name=STRING, reason=STRING)),
                unreadable=array(record(case=STRING, file=STRING)), commit=nullable(STRING))
DOCTOR_FINDING = record(check=STRING, status=one_of("ok", "warn", "fail"), detail=STRING, fix=STRING)
COVERAGE = record(lang=STRING, catalogue=STRING, template=nullable(STRING), translated=INT, fuzzy=INT, missing=INT,
                  total=INT, percent={"type": "number"}, complete=BOOL, reviewed_by=nullable(STRING),
                  file=nullable(STRING))
SYNC_COMMIT = record(sha=STRING, author=STRING, cases=array(STRING))
_SYNC = dict(remote=STRING, branch=STRING, pushed=BOOL, attempts=INT, incoming=array(SYNC_COMMIT),
             outgoing=array(SYNC_COMMIT), renamed=array(array(STRING)), conflicts=array(array(STRING)),
             notes=array(STRING))
SYNC = {**record(**_SYNC), "properties": {**_SYNC, "error": STRING, "files": array(STRING)},
        "description": "what came in and went out; renamed: [yours, new name]; conflicts: [file, field]. "
                       "A sync that stops (exit 1) still prints what happened so far, with error and files."}
CASE_ROW = record(id=STRING, name=STRING, preferred_name=STRING, status=one_of("active", "closed"), language=STRING,
                  opened=nullable(DATE), programs=array(STRING), staff=mapping(STRING), open=INT, past_due=INT,
                  next=nullable(record(rule=STRING, title=STRING, due=DATE, status=STRING, item=STRING, days_late=INT)),
                  problems=BOOL)
PLAIN_FINDING = record(file=STRING, line=INT, code=one_of("long-sentence", "jargon-unexplained", "glossary-missing",
                                                          "glossary-avoid", "glossary-register"), message=STRING,
                       term=nullable(STRING), words=nullable(INT), limit=nullable(INT))


def shapes() -> dict[str, dict]:
    """Command -> the JSON Schema of its ``--format json`` output."""
    obligations = _obligations()
    overview = {**OVERVIEW, "definitions": {"obligation": obligations}}
    closed = {**CLOSED, "definitions": {"obligations": obligations}}
    return {
        "validate": array(DIAGNOSTIC),
        "init": record(folder=STRING, written=array(STRING), git=one_of("absent", "created", "existing"),
                       commit=nullable(STRING)),
        "new": record(case=STRING, written=array(STRING),
                      git=one_of("committed", "skipped", "unchanged", "not-a-repository", "no-git", "failed"),
                      commit=nullable(STRING)),
        "schema": {**record(written=array(STRING)),
                   "description": "the files written; with --kind, the schema itself (the same in either format)"},
        "due": obligations,
        "cases": array(CASE_ROW),
        "show": overview,
        "rules": array(RULE),
        "programs": array(PROGRAM),
        "render": {"description": "--list: every kind; --list CASE: the kinds of one case and what each lacks",
                   "anyOf": [array(KIND), array(KIND_FOR_CASE)]},
        "log": RECORDED, "refer": RECORDED, "set": RECORDED, "close": closed, "attach": RECORDED,
        "plan add-goal": RECORDED, "plan add-objective": RECORDED, "plan done": RECORDED, "plan add-service": RECORDED,
        "history": array(HISTORY_ENTRY),
        "audit": array(AUDIT_FINDING),
        "audit export": AUDIT_EXPORT,
        "amend": RECORDED, "revert": RECORDED,
        "report": REPORT,
        "doctor": array(DOCTOR_FINDING),
        "i18n status": array(COVERAGE),
        "i18n check": array(PLAIN_FINDING),
        "sync": SYNC,
    }


# ---------------------------------------------------------------- the compact form docs/cli.md shows

def outline(schema: dict, indent: int = 0) -> str:
    """A schema as a short pseudo-JSON: ``{"case": string, "staff": [string], "due": date | null}``."""
    pad = "  " * indent
    if "$ref" in schema and schema["$ref"].startswith("#/definitions/"):
        return "[obligation]"  # the definitions shown once, with `due`
    if "$ref" in schema:
        return outline({k: v for k, v in schema.items() if k != "$ref"}, indent)
    if "anyOf" in schema:
        parts = [outline(s, indent) for s in schema["anyOf"]]
        return " | ".join(parts)
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(outline({**schema, "type": k}, indent) for k in kind)
    if kind == "array":
        inner = outline(schema.get("items", {}), indent)
        return f"[{inner}]"
    if kind == "object":
        props = schema.get("properties")
        if not props:
            values = schema.get("additionalProperties")
            return "{string: " + outline(values, indent) + "}" if isinstance(values, dict) else "{...}"
        required = set(schema.get("required", ()))
        lines = [f'{pad}  "{key}"{"" if key in required else "?"}: {outline(value, indent + 1)}'
                 for key, value in props.items()]
        return "{\n" + ",\n".join(lines) + f"\n{pad}}}"
    if kind == "string" and schema.get("format") == "date":
        return "date"
    if kind in ("string", "integer", "boolean", "number", "null"):
        return kind
    return "any"


def markdown(command: str) -> str:
    """The block docs/cli.md shows under a command with ``--format json`` ("" for the others)."""
    schema = shapes().get(command)
    if schema is None:
        return ""
    note = schema.get("description", "")
    if command == "due":
        note = "careerpath/schemas/obligations.schema.json: " + schema.get("description", "")
    lines = ["JSON (`--format json`; `?`: not always there):", "", "```", outline(schema), "```"]
    if note:
        lines[1:1] = ["", note]
    return "\n".join(lines)
