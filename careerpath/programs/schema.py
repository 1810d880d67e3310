"""JSON Schema (draft-07) of program.yaml, for editors.

program.yaml is read by hand-written code (:mod:`.registry`, :mod:`.fields`), so
its schema is written here, next to that code, and a test checks every shipped
program.yaml against it. rules.yaml's schema is generated from the rule models
(:func:`careerpath.schema.rules_schema`).
"""

from __future__ import annotations

from typing import Any

from .fields import TYPES

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
        "definitions": {"field": _field()},
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$",
                   "description": "the program id (equals the folder name)"},
            "names": _LANGS, "reviewed": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "label": {"type": "string", "description": "plain words for letters and reports (an English msgid)"},
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
                                    "enrollment date fields and the first event of these types",
                     "properties": {"fields": {"type": "array", "items": _TEXT},
                                    "events": {"type": "array", "items": _TEXT}}},
        },
    }
