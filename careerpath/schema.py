"""JSON Schema (draft-07, as editors' YAML language servers expect) for each file kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import models as m
from .fsio import atomic_write

SCHEMA_DIR = Path(__file__).parent / "schemas"
TITLES = {
    "careerpath": "careerpath caseload settings (careerpath.yaml)",
    "case": "careerpath case (cases/<id>/case.yaml)",
    "plan": "careerpath plan (cases/<id>/plan.yaml)",
    "event": "careerpath event (cases/<id>/events/<date>-<slug>.yaml)",
    "referral": "careerpath referral (cases/<id>/referrals/<date>-<slug>.yaml)",
    "appointment": "careerpath planned appointment (cases/<id>/appointments/<date>-<slug>.yaml)",
    "survey": "careerpath survey (surveys/<date>-<slug>.yaml)",
}


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def _draft07(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                out[k] = v.replace("#/$defs/", "#/definitions/")
            else:
                out["definitions" if k == "$defs" else k] = _draft07(v)
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)  # typos show in the editor, as in validate
        return out
    if isinstance(node, list):
        return [_draft07(v) for v in node]
    return node


def generate(kind: str, programs: Any = None) -> dict:
    """The JSON Schema of one file kind, generated from the models and the programs' declarations
    (default: the built-in programs; a caseload's own programs add their enrollments and settings)."""
    from .loader import file_models
    from .programs import load_programs

    raw = file_models(programs if programs is not None else load_programs())[kind].model_json_schema(
        by_alias=True, mode="validation")
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", **_draft07(raw)}
    schema["title"] = TITLES[kind]
    return schema


def render(kind: str, programs: Any = None) -> str:
    return json.dumps(generate(kind, programs), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


#: Schemas of a program folder's files (programs/<id>/program.yaml, rules.yaml and documents.yaml)
PROGRAM_KINDS = ("program", "rules", "documents")


def render_program(kind: str) -> str:
    from .programs.schema import documents_schema, program_schema

    schema = {"program": program_schema, "rules": rules_schema, "documents": documents_schema}[kind]()
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_all(out: Path, programs: Any = None) -> list[Path]:
    """Write every schema into ``out`` (the file kinds', then the program folders'); returns the paths written."""
    written = []
    for kind in m.FILE_MODELS:
        path = Path(out) / file_name(kind)
        atomic_write(path, render(kind, programs), mode=0o644)
        written.append(path)
    for kind in PROGRAM_KINDS:
        path = Path(out) / file_name(kind)
        atomic_write(path, render_program(kind), mode=0o644)
        written.append(path)
    return written


def modeline(kind: str, depth: int) -> str:
    """The first line that points an editor at the caseload's copy of the schema.

    ``depth`` is how many folders the file is below the caseload root.
    """
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{file_name(kind)}\n"


def rules_schema() -> dict:
    """The schema of ``programs/<id>/rules.yaml`` (generated from the rule models)."""
    from .obligations.rules import Rule, RuleFile
    from .programs.schema import CONDITION

    raw = RuleFile.model_json_schema(by_alias=True, mode="validation")
    rule = _draft07(Rule.model_json_schema(by_alias=True, mode="validation"))
    schema: dict[str, Any] = {"$schema": "http://json-schema.org/draft-07/schema#", **_draft07(raw)}
    schema["title"] = "careerpath program rules (programs/<id>/rules.yaml)"
    schema.setdefault("definitions", {}).update(rule.pop("definitions", {}))
    for name in ("program", "staff", "calendar", "reviewed", "source_file"):
        rule["properties"].pop(name, None)  # set from program.yaml, not written per rule
    schema["definitions"]["Rule"] = rule
    schema["properties"]["rules"] = {"type": "array", "items": {"$ref": "#/definitions/Rule"}}
    schema["definitions"]["Condition"] = CONDITION  # written as a mapping, kept as pairs in the model
    return _no_prefix_items(schema)


def _no_prefix_items(node: Any) -> Any:
    """Draft-07 has no ``prefixItems`` (pydantic's tuples): a fixed-length array of the first item's type."""
    if isinstance(node, dict):
        out = {k: _no_prefix_items(v) for k, v in node.items()}
        if "prefixItems" in out:
            items = out.pop("prefixItems")
            out["items"] = items[0] if items else {}
        return out
    if isinstance(node, list):
        return [_no_prefix_items(v) for v in node]
    return node
