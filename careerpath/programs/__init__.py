"""Programs as folders: everything careerpath knows about a program is data in its folder.

    load_programs(caseload_root=None) -> ProgramSet   the built-in programs plus a caseload's own
    ProgramSet.get(id), .ids(), .rulebook(), .event_types(), .nearest(name)
    ProgramSet.kinds()                                 every document kind declared, by name
    ProgramSet.registries()                            every registry declared, by name
    Program: names, enrollment fields (-> a generated model), settings, events,
             documents, stages, registries, data checks, code checks (built-in only), rules, kinds,
             ends, closure reasons and conditions;
             .began(enrollment), .ended(enrollment, events, closed_on), .staff_of(enrollment)

Modules:
    files        which files make up the folders, and their digest (the cache keys on it; imports nothing heavy)
    registry     reading program folders (program.yaml, rules.yaml, documents.yaml, checks.py) into Program values
    ends         what ends an enrollment (`ends:`) and the day it gives, for the engine and the reports alike
    fields       field declarations -> pydantic models and JSON Schema
    constraints  the data checks a program declares (require, forbid, range, within, date order)
    kinds        document kinds as data (documents.yaml, the shared documents/kinds.yaml): parsed and checked
    schema       JSON Schema of program.yaml, rules.yaml and documents.yaml, for editors
    registries   the registries a program declares for `report registry` (parsed; evaluated by reports/registry.py)
    services     a program's service catalogue (services.yaml): ids, names, glosses; find and did-you-mean
    <id>/        one folder per built-in program (see docs/programs.md for how to add one)

No module outside this package names a program id: the engine, the loader,
documents and reports read what the programs declare.
"""

from .files import BUILTIN

# The rest is imported when first asked for (pydantic and YAML are not needed to key the cache).
_LAZY = {"load_programs": "registry", "builtin_programs": "registry", "Program": "registry", "ProgramSet": "registry",
         "ProgramError": "registry", "CheckSpec": "registry", "FieldSpec": "fields", "FieldError": "fields"}

__all__ = [*_LAZY, "BUILTIN"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
