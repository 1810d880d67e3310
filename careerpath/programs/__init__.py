"""Programs as folders: everything careerpath knows about a program is data in its folder.

    load_programs(caseload_root=None) -> ProgramSet   the built-in programs plus a caseload's own
    ProgramSet.get(id), .ids(), .rulebook(), .event_types(), .nearest(name)
    Program: names, enrollment fields (-> a generated model), settings, events,
             documents, stages, data checks, code checks (built-in only), rules

Modules:
    registry     reading program folders (program.yaml, rules.yaml, checks.py) into Program values
    fields       field declarations -> pydantic models and JSON Schema
    constraints  the data checks a program declares (require, forbid, range, within, date order)
    <id>/        one folder per built-in program (see docs/programs.md for how to add one)

No module outside this package names a program id: the engine, the loader,
documents and reports read what the programs declare.
"""

from .fields import FieldError, FieldSpec
from .registry import BUILTIN, CheckSpec, Program, ProgramError, ProgramSet, builtin_programs, load_programs

__all__ = ["load_programs", "builtin_programs", "Program", "ProgramSet", "ProgramError", "CheckSpec", "FieldSpec",
           "FieldError", "BUILTIN"]
