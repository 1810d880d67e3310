"""JSON Schema (draft-07) of program.yaml and documents.yaml, for editors.

program.yaml and documents.yaml are read by hand-written code (:mod:`.registry`,
:mod:`.fields`, :mod:`.kinds`), so their schemas are written here, next to that
code, and a test checks every shipped file against them. documents.yaml's
schema also serves the shared kinds, careerpath/documents/kinds.yaml.
rules.yaml's schema is generated from the rule models
(:func:`careerpath.schema.rules_schema`).
"""

from __future__ import annotations

from ..i18n.languages import LANGUAGES

from .fields import TYPES
from .kinds import AUDIENCES, LABEL_TABLES, PERIODS, ROOTS
from .registries import SOURCES

_TEXT = {"type": "string"}
_LANGS = {"type": "object", "additionalProperties": {"type": "string"},
          "description": "language code -> text (en, es, vi, hy, hmn, ru)"}
CONDITION = {"type": "object", "description": "path: expected value (null = unset, a list = one of, "
                                               "{set: true|false}, {on_or_after|on_or_before: path})"}


def _field() -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["type"],
        "properties": {
            "type": {"enum": list(TYPES)},
            "required": {"type": "boolean"}, "default": {}, "help": _TEXT, "label": _TEXT,
            "values": {"type": "array"}, "labels": {"type": "object"},
            "min": {"type": "number"}, "max": {"type": "number"}, "min_items": {"type": "integer"},
            "pattern": _TEXT, "personal": {"type": "boolean"}, "key_date": {"type": "boolean"},
            "not_before": _TEXT, "order_message": _TEXT, "order_hint": _TEXT, "role": _TEXT,
            "redact": {"enum": ["name", "phone", "email", "address", "ipra", "dor_case", "uci", "snils", "ssn",
                                "birth_date"]},
            "items": {"$ref": "#/definitions/field"},
            "fields": {"type": "object", "additionalProperties": {"$ref": "#/definitions/field"}},
            "examples": {},
        },
    }


def _registry() -> dict:
    expr = {"type": "string", "description": "a Jinja expression over the row (case, person, enrollment, enrolled, "
                                             "referral, event, job, period, today, staff, program, n, date())"}
    column = {"type": "object", "additionalProperties": False, "required": ["name", "header"],
              "oneOf": [{"required": ["value"]}, {"required": ["text"]}],
              "properties": {"name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                                      "description": "the CSV header"},
                             "header": {"type": "string", "description": "the header a person reads (HTML)"},
                             "value": expr,
                             "text": {"type": "string", "description": "a Jinja template giving the cell's text"}}}
    return {
        "type": "object", "additionalProperties": False, "required": ["title", "each", "columns"],
        "properties": {
            "title": {"type": "string", "description": "a Jinja template ({{ period.label }})"},
            "lang": {"type": "string", "pattern": "^[a-z]{2,3}$", "description": "the language of the page"},
            "dates": {"type": "string", "description": "strftime format of date values (default %Y-%m-%d)"},
            "each": {"enum": list(SOURCES),
                     "description": "one row per enrolled case, or per referral, event or job of one"},
            "where": expr,
            "sort": {"type": "array", "items": expr},
            "columns": {"type": "array", "minItems": 1, "items": column},
            "counts": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                       "description": "columns whose values `report portrait` counts"},
        },
    }


def program_schema() -> dict:
    """The schema of ``programs/<id>/program.yaml``."""
    check = {
        "type": "object", "additionalProperties": False, "required": ["code", "message"],
        "properties": {
            "code": _TEXT, "message": _TEXT, "hint": _TEXT, "when": CONDITION,
            "require": {"type": "array", "items": _TEXT}, "require_any": {"type": "array", "items": _TEXT},
            "forbid": {"type": "array", "items": _TEXT},
            "range": {"type": "object", "properties": {"field": _TEXT, "min": {"type": "number"}, "max": {"type": "number"}}},
            "within": {"type": "object", "properties": {"field": _TEXT, "from": _TEXT, "to": _TEXT}},
            "at": _TEXT, "at_missing": _TEXT,
        },
    }
    new_field = {"type": "object", "additionalProperties": False, "properties": {
        "option": _TEXT, "required": {"type": "boolean"}, "required_when": CONDITION, "value": {},
        "when": CONDITION, "comment": _TEXT, "help": _TEXT}}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "careerpath program (programs/<id>/program.yaml)",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "names", "enrollment"],
        "definitions": {"field": _field(), "registry": _registry()},
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$",
                   "description": "the program id (equals the folder name)"},
            "names": _LANGS, "reviewed": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "label": {"type": "string", "description": "plain words for letters and reports (an English msgid)"},
            "agency_language": {"enum": list(LANGUAGES),
                                "description": "the language of the agencies its documents go to (default: the "
                                               "caseload's agency_language)"},
            "calendar": {"type": "string", "description": "a country code for working days (RU)"},
            "staff": {"type": "array", "items": _TEXT, "description": "fact paths of who answers for the obligations"},
            "start": {"type": "string", "description": "the enrollment field that dates its beginning"},
            "enrollment": {"type": "object", "additionalProperties": {"$ref": "#/definitions/field"}},
            "settings": {"type": "object", "additionalProperties": {"$ref": "#/definitions/field"}},
            "events": {"type": "object", "additionalProperties": {
                "type": "object", "properties": {"label": _TEXT}}},
            "documents": {"type": "array", "items": _TEXT},
            "stages": {"type": "array", "items": {"type": "object", "required": ["stage"],
                                                  "properties": {"stage": _TEXT, "when": CONDITION}}},
            "codes": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["severity", "meaning"],
                "properties": {"severity": {"enum": ["error", "warning"]}, "meaning": _TEXT}}},
            "checks": {"type": "array", "items": check},
            "new": {"type": "object", "additionalProperties": {"anyOf": [new_field, {"not": {"type": "object"}}]}},
            "closure": {"type": "object", "additionalProperties": False,
                        "description": "closure reasons this program adds, and what a reason needs first",
                        "properties": {
                            "reasons": {"type": "array", "items": _TEXT},
                            "conditions": {"type": "array", "items": {
                                "type": "object", "additionalProperties": False, "required": ["reason", "needs", "message"],
                                "properties": {"reason": _TEXT, "needs": {"type": "string", "description": "a rule id of "
                                               "this program: an obligation of it must be done by the closure date"},
                                               "message": _TEXT, "hint": _TEXT}}}}},
            "ends": {"type": "object", "additionalProperties": False,
                     "description": "what ends an enrollment besides the case's closure: the earliest of these "
                                    "enrollment date fields and the first event of these types (obligations "
                                    "stop there; reports count a person in a period from start to this end)",
                     "properties": {"fields": {"type": "array", "items": _TEXT},
                                    "events": {"type": "array", "items": _TEXT}}},
            "registries": {"type": "object", "description": "tables of the program's people for `report registry`",
                           "propertyNames": {"pattern": "^[a-z][a-z0-9-]*$"},
                           "additionalProperties": {"$ref": "#/definitions/registry"}},
        },
    }


def documents_schema() -> dict:
    """The schema of ``programs/<id>/documents.yaml`` (and of the shared careerpath/documents/kinds.yaml)."""
    path = {"type": "string", "pattern": r"^(" + "|".join(ROOTS) + r")(\.(\*|[A-Za-z0-9_][A-Za-z0-9_-]*))*$",
            "description": "where the data is written: config.agency, case.person.phone, staff.<role>, "
                           "enrollment.<field>, enrollments.<program>.<field>, plan.goals, referral.<kind>"}
    condition = {"anyOf": [path, {"type": "object", "minProperties": 1, "propertyNames": path,
                                  "description": "path: expected value (null = unset, a list = one of, "
                                                 "{set: true|false})"}]}
    requirement = {"anyOf": [path, {
        "type": "object", "additionalProperties": False,
        "oneOf": [{"required": ["path"]}, {"required": ["one_of"]}],
        "properties": {
            "path": path,
            "one_of": {"type": "array", "items": path, "minItems": 2, "description": "any one of these set"},
            "why": {"type": "string", "description": "shown in parentheses after the path when it is missing"},
            "where": {"type": "object", "description": "keep the list items whose fields hold these values"},
            "value": {"description": "the value the path must hold (a list: one of)"},
        }}]}
    kind = {
        "type": "object", "additionalProperties": False, "required": ["title"],
        "properties": {
            "title": {"type": "string", "description": "the document's title, an English msgid"},
            "audience": {"enum": list(AUDIENCES)},
            "period": {"anyOf": [{"enum": list(PERIODS)}, {
                "type": "object", "additionalProperties": False, "required": ["unit"],
                "properties": {"unit": {"enum": list(PERIODS)},
                               "anchor": {**path, "description": "the date a plan year starts on"}}}]},
            "labels": {"type": "array", "items": {"anyOf": [{"enum": list(LABEL_TABLES)}, path]},
                       "description": "label tables, or choice fields whose labels the template shows"},
            "situation": {"anyOf": [condition, {"type": "array", "minItems": 1, "items": condition}],
                          "description": "when the kind fits a case (a list: any of)"},
            "requires": {"type": "array", "items": requirement},
        },
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "careerpath document kinds (programs/<id>/documents.yaml)",
        "type": "object",
        "additionalProperties": False,
        "properties": {"kinds": {"type": "object", "additionalProperties": kind,
                                 "propertyNames": {"pattern": "^[a-z][a-z0-9-]{0,63}$"}}},
    }
